"""Model tests for any model with a predict: each check passes a sound model and fails the
broken one it is there to catch, with a detail naming why."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from mlops_runtime import predict_checks as checks
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import accuracy_score, r2_score

FEATURES = pd.DataFrame({"hr": list(range(24)) * 10, "temp": np.linspace(0, 1, 240)})
BUSY = pd.Series(FEATURES["hr"].isin([7, 8, 9, 16, 17, 18]).astype(int), name="busy")


class RushHours:
    """A team's own class (no scikit-learn estimator)."""

    def predict(self, features):
        return features["hr"].isin([7, 8, 9, 16, 17, 18]).astype(int).to_numpy()


class Broken(RushHours):
    def __init__(self, answer):
        self.answer = answer

    def predict(self, features):
        return self.answer(features)


def accuracy(model, features, target):
    return {"accuracy": accuracy_score(target, model.predict(features))}


def test_a_sound_model_passes_every_check():
    model = RushHours()
    assert checks.predictions(model, FEATURES, BUSY).passed
    assert checks.batch_invariance(model, FEATURES).passed
    metrics = accuracy(model, FEATURES, BUSY)
    gate = checks.quality_gate(metrics, {"accuracy": 0.9})
    assert gate.passed and gate.detail == "every minimum met (accuracy 1.0000)"
    floor = checks.baseline(BUSY)
    assert isinstance(floor, checks.MajorityBaseline) and floor.predict(
        FEATURES.head(2)
    ).tolist() == [0, 0]
    beaten = checks.beats_baseline(metrics, accuracy(floor, FEATURES, BUSY), "accuracy")
    assert beaten.passed and beaten.detail == "accuracy 1.0000 above the trivial baseline's 0.7500"


def test_a_model_that_predicts_no_busy_hour_misses_the_gate_and_the_baseline():
    model = Broken(lambda f: np.zeros(len(f), dtype=int))
    metrics = accuracy(model, FEATURES, BUSY)
    gate = checks.quality_gate(metrics, {"accuracy": 0.9, "recall": 0.5})
    assert not gate.passed and gate.detail == "accuracy 0.7500 < 0.9; recall nan < 0.5"
    beaten = checks.beats_baseline(
        metrics, accuracy(checks.baseline(BUSY), FEATURES, BUSY), "accuracy"
    )
    assert not beaten.passed
    assert beaten.detail == "accuracy 0.7500 not above the trivial baseline's 0.7500"
    unknown = checks.beats_baseline(metrics, {}, "roc_auc")
    assert not unknown.passed and "set primary_metric to one of them" in unknown.detail
    assert checks.quality_gate(metrics, {}).passed  # no gate: measured, nothing required


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        (lambda f: np.zeros(len(f) - 1), "239 predictions for 240 rows"),
        (lambda f: np.int64(1), "one value for 240 rows"),
        (lambda f: np.where(f["hr"] > 20, np.nan, 0.0), "missing predictions (NaN or None)"),
        (lambda f: np.where(f["hr"] > 20, 2, 0), "labels never seen in training: [2]"),
    ],
)
def test_predictions_that_serving_could_not_use_are_named(answer, why):
    found = checks.predictions(Broken(answer), FEATURES, BUSY)
    assert not found.passed and found.detail.startswith(why), found.detail


def test_a_row_that_predicts_otherwise_alone_or_twice_is_caught():
    alone = Broken(lambda f: np.full(len(f), int(len(f) > 1)))
    found = checks.batch_invariance(alone, FEATURES, rows=5)
    assert (
        not found.passed
        and found.detail == "rows [0, 1, 2, 3, 4] predict otherwise alone than in a batch"
    )
    draws = iter(range(10_000))
    restless = Broken(lambda f: np.array([next(draws) % 2 for _ in range(len(f))]))
    assert "a second time" in checks.batch_invariance(restless, FEATURES, rows=3).detail


def test_a_regression_target_gets_the_mean_as_its_baseline_and_finite_predictions():
    target = pd.Series(FEATURES["temp"] * 3.7 + 0.2)
    assert not checks.is_classification(target) and checks.is_classification(BUSY)
    assert checks.is_classification(pd.Series(["a", "b"])) and checks.is_classification(
        pd.Series([True])
    )
    model = LinearRegression().fit(FEATURES, target)
    floor = checks.baseline(target)
    assert isinstance(floor, checks.MeanBaseline) and floor.predict(FEATURES.head(1))[
        0
    ] == pytest.approx(target.mean())
    r2 = checks.beats_baseline(
        {"r2": r2_score(target, model.predict(FEATURES))},
        {"r2": r2_score(target, floor.predict(FEATURES))},
        "r2",
    )
    assert r2.passed
    inf = checks.predictions(Broken(lambda f: np.full(len(f), np.inf)), FEATURES, target)
    assert not inf.passed and inf.detail == "predictions that are not finite numbers"


def test_the_primary_metric_is_the_configured_one_else_the_gates_first_else_accuracy():
    assert checks.primary_metric("f1", {"roc_auc": 0.7}) == "f1"
    assert checks.primary_metric(None, {"roc_auc": 0.7, "accuracy": 0.8}) == "roc_auc"
    assert checks.primary_metric(None, {}) == "accuracy"


def test_a_signature_must_name_the_feature_columns_and_an_output():
    from mlflow.models import infer_signature

    model = LogisticRegression().fit(FEATURES, BUSY)
    good = infer_signature(FEATURES.head(3), model.predict(FEATURES.head(3)))
    assert checks.signature_columns(good, FEATURES).passed
    narrow = infer_signature(FEATURES[["hr"]].head(3), model.predict(FEATURES.head(3)))
    wrong = checks.signature_columns(narrow, FEATURES.assign(wind=1.0))
    assert not wrong.passed and wrong.detail == "lacks feature columns ['temp', 'wind']"
    assert not checks.signature_columns(infer_signature(FEATURES.head(3)), FEATURES).passed
    assert checks.signature_columns(None, FEATURES).detail.startswith("no signature")

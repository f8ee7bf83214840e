"""The model tests: each check on a model that passes and on one that must fail."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from mlops_runtime.model_checks import (
    Scoring,
    champion_comparison,
    prediction_sanity,
    quality_gate,
    roc_auc,
    run_model_tests,
)

CFG = SimpleNamespace(
    quality_gate=SimpleNamespace(primary_metric="roc_auc", thresholds={"roc_auc": 0.7}),
    model_tests=SimpleNamespace(
        champion_margin=0.01, max_calibration_gap=0.1, positive_rate=(0.05, 0.95),
        min_prediction_std=0.02, slice_column="kind", slice_metric="roc_auc",
        min_slice_metric=0.6, min_slice_rows=20, invariance_column="x",
        invariance_delta=0.01, max_invariance_change=0.05,
    ),
)  # fmt: skip


class Logistic:
    """p = sigmoid(weight * (x - 0.5)): a fixed model, no training needed."""

    def __init__(self, weight: float):
        self.weight = weight

    def predict_proba(self, features: pd.DataFrame) -> np.ndarray:
        p = 1 / (1 + np.exp(-self.weight * (features["x"].to_numpy() - 0.5)))
        return np.column_stack([1 - p, p])


def metrics(model, features, labels):
    return {"roc_auc": roc_auc(labels, model.predict_proba(features)[:, 1])}


SCORING = Scoring(target="y", split_xy=lambda df: (df[["x", "kind"]], df["y"]), metrics=metrics)


@pytest.fixture
def holdout() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, 400)
    y = (rng.uniform(0, 1, 400) < 1 / (1 + np.exp(-8 * (x - 0.5)))).astype(int)
    return pd.DataFrame({"x": x, "kind": np.where(x > 0.3, "a", "b"), "y": y})


def test_roc_auc_matches_the_definition():
    assert roc_auc([0, 0, 1, 1], np.array([0.1, 0.4, 0.35, 0.8])) == 0.75
    assert roc_auc([0, 1], np.array([0.5, 0.5])) == 0.5


def test_a_good_model_passes_every_check(holdout):
    report = run_model_tests(Logistic(8), holdout, CFG, SCORING, champion=Logistic(8))
    assert report["passed"], [c for c in report["checks"] if not c["passed"]]
    assert set(report["slices"]) == {"a", "b"}
    json.dumps(report, allow_nan=False)


def test_a_bad_challenger_fails_the_gate_and_the_comparison(holdout):
    report = run_model_tests(Logistic(-8), holdout, CFG, SCORING, champion=Logistic(8))
    failed = {c["name"] for c in report["checks"] if not c["passed"]}
    assert {"quality_gate", "challenger_vs_champion"} <= failed


def test_single_checks():
    assert not quality_gate({"roc_auc": 0.6}, CFG).passed
    assert champion_comparison({"roc_auc": 0.8}, None, CFG).detail == "no champion yet"
    constant = np.full(100, 0.5)
    checks = {c.name: c.passed for c in prediction_sanity(constant, pd.Series([0, 1] * 50), CFG)}
    assert checks == {"prediction_range": True, "prediction_spread": False,
                      "positive_rate": False, "calibration_in_the_large": True}  # fmt: skip

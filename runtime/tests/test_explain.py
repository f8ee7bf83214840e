"""Explanations: global permutation importance and per-prediction contributions, on data built
to depend on one feature upwards (`up`), one downwards (`down`) and not at all on `noise`."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from mlops_runtime import explain
from mlops_runtime.contract import ColumnSpec
from mlops_runtime.serving.app import ServingOptions, create_app
from mlops_runtime.serving.loader import LoadedModel
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

FEATURES = [
    ColumnSpec("up", "number", minimum=-5, maximum=5),
    ColumnSpec("down", "number", minimum=-5, maximum=5),
    ColumnSpec("noise", "number", minimum=-5, maximum=5),
    ColumnSpec("kind", "string", allowed_values=["a", "b"]),
]


def data(n: int = 1500, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "up": rng.normal(size=n), "down": rng.normal(size=n), "noise": rng.normal(size=n),
        "kind": rng.choice(["a", "b"], size=n),
    })  # fmt: skip
    logit = 2.5 * frame["up"] - 1.5 * frame["down"]
    target = pd.Series((rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int), name="y")
    return frame, target


def model(kind: str = "logistic"):
    pre = ColumnTransformer([
        ("num", StandardScaler(), ["up", "down", "noise"]),
        ("cat", OneHotEncoder(handle_unknown="ignore"), ["kind"]),
    ])  # fmt: skip
    estimator = (LogisticRegression() if kind == "logistic"
                 else RandomForestClassifier(n_estimators=50, random_state=0))  # fmt: skip
    frame, target = data()
    return make_pipeline(pre, estimator).fit(frame, target)


def probability(fitted):
    return lambda frame: fitted.predict_proba(frame)[:, 1]


@pytest.mark.parametrize("kind", ["logistic", "forest"])
def test_global_importance_ranks_the_features_the_target_depends_on(kind):
    holdout, target = data(600, seed=1)
    table = explain.global_importance(model(kind), holdout, target, metric="roc_auc")
    assert list(table)[:2] == ["up", "down"]  # most important first
    assert table["up"]["mean"] > 0.1 and abs(table["noise"]["mean"]) < 0.02
    assert set(table["up"]) == {"mean", "std"}


@pytest.mark.parametrize("kind", ["logistic", "forest"])
def test_contributions_have_the_sign_the_data_was_built_with(kind):
    fitted = model(kind)
    baseline = explain.baseline_row(data()[0])
    assert baseline["kind"] in ("a", "b") and abs(baseline["up"]) < 0.2
    rows = pd.DataFrame({"up": [2.0, -2.0], "down": [0.0, 0.0], "noise": [0.0, 0.0],
                         "kind": ["a", "a"]})  # fmt: skip
    high, low = explain.local_contributions(probability(fitted), rows, baseline, top=4)
    assert high[0].feature == "up" and high[0].contribution > 0.2  # pushed the probability up
    assert low[0].feature == "up" and low[0].contribution < -0.2
    assert (high[0].value, high[0].baseline) == (2.0, baseline["up"])
    assert all(isinstance(c, explain.Contribution) for c in high + low) and len(high) == 4
    down = pd.DataFrame({"up": [0.0], "down": [2.0], "noise": [0.0], "kind": ["a"]})
    [only] = explain.local_contributions(probability(fitted), down, baseline, top=1)
    assert [c.feature for c in only] == ["down"] and only[0].contribution < 0


def test_for_a_linear_model_contributions_add_up_on_the_logit_scale():
    fitted = model("logistic")
    baseline = explain.baseline_row(data()[0])
    row = pd.DataFrame({"up": [1.3], "down": [-0.7], "noise": [0.4], "kind": ["b"]})

    def logit(frame):
        p = fitted.predict_proba(frame)[:, 1]
        return np.log(p / (1 - p))

    [parts] = explain.local_contributions(logit, row, baseline, top=4)
    full = pd.DataFrame([baseline])[row.columns]
    total = logit(row)[0] - logit(full)[0]
    assert sum(c.contribution for c in parts) == pytest.approx(total, abs=1e-9)


def test_predict_explains_on_request(serving_project):
    fitted = model("logistic")
    baseline = explain.baseline_row(data()[0])
    app = create_app(
        serving_project, FEATURES,
        lambda m, f: ([float(p) for p in m.predict_proba(f)[:, 1]],
                      [int(p >= 0.5) for p in m.predict_proba(f)[:, 1]]),
        loader=lambda alias: LoadedModel(fitted, "m", "1", "champion"),
        baseline_loader=lambda loaded: baseline,
        options=ServingOptions(reload_seconds=0),
    )  # fmt: skip
    row = {"up": 2.0, "down": 0.0, "noise": 0.0, "kind": "a"}
    with TestClient(app) as client:
        plain = client.post("/predict", json={"rows": [row]}).json()
        assert "contributions" not in plain["predictions"][0]
        answer = client.post("/predict?explain=true&top=2", json={"rows": [row]})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["explanation"]["method"] == "baseline substitution"
        assert body["explanation"]["baseline"].startswith("training data")
        [prediction] = body["predictions"]
        assert prediction["probability"] == pytest.approx(plain["predictions"][0]["probability"])
        assert len(prediction["contributions"]) == 2
        assert prediction["contributions"][0]["feature"] == "up"
        assert prediction["contributions"][0]["contribution"] > 0.2
        too_many = client.post("/predict?explain=true", json={"rows": [row] * 101})
        assert too_many.status_code == 422 and "at most 100 rows" in too_many.text


def test_without_a_logged_baseline_the_contract_stands_in(serving_project):
    fitted = model("logistic")
    app = create_app(
        serving_project, FEATURES,
        lambda m, f: ([float(p) for p in m.predict_proba(f)[:, 1]], [0] * len(f)),
        loader=lambda alias: LoadedModel(fitted, "m", "1", "champion"),
        baseline_loader=lambda loaded: None,
        options=ServingOptions(reload_seconds=0),
    )  # fmt: skip
    with TestClient(app) as client:
        body = client.post("/predict?explain=true", json={"rows": [
            {"up": 3.0, "down": 0.0, "noise": 0.0, "kind": "b"}]}).json()  # fmt: skip
    assert body["explanation"]["baseline"].startswith("data contract")
    first = body["predictions"][0]["contributions"][0]
    assert (first["feature"], first["baseline"]) == ("up", 0.0) and first["contribution"] > 0

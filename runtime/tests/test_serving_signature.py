"""Serving by the model's MLflow signature (`mlops_runtime.serving.signature`, what an adopted
project's `mlops/serving.py` runs): real models logged with `infer_signature` and registered in
MLflow on SQLite; rows checked against the served version's signature, explanations and the
knowledge limits from what the evaluate step logs, a regressor served with its own labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fake_packages import clear_endpoints, forget_package, write_package
from fastapi.testclient import TestClient
from mlops_runtime import Project
from mlops_runtime.explain import baseline_row, log_explanations
from mlops_runtime.limits import RANGES_ARTIFACT, LimitsPolicy, training_ranges
from mlops_runtime.serving import signature
from mlops_runtime.serving.loader import LoadedModel

PACKAGE = {
    "__init__.py": "",
    "hooks.py": """
        import os

        from mlops_runtime import Project, registry
        from mlops_runtime.serving.signature import RegistryConfig

        PROJECT = Project(name="bikes", package="sigproj", hooks={
            "tracking_uri": ".hooks:tracking_uri", "load_config": ".hooks:load_config",
            "champion_info": ".hooks:champion_info",
            "load_model_uri": "mlops_runtime.serving.signature:load_any_model",
        })

        def tracking_uri():
            return f"sqlite:///{os.environ['MLOPS_PROJECT_ROOT']}/mlflow.db"

        def load_config():
            return RegistryConfig.of("bike_demand", "champion")

        def champion_info(alias=None):
            return registry.champion_info(PROJECT, alias)
    """,
}


def _table(n: int = 200) -> tuple[pd.DataFrame, pd.Series]:
    """Busy hours: more likely the warmer it is (temp in [0, 30]); weekday an integer."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({
        "temp": rng.uniform(0, 30, n), "weekday": rng.integers(0, 7, n),
        "season": rng.choice(["winter", "summer"], n),
    })  # fmt: skip
    busy = (frame["temp"] + rng.normal(0, 3, n) > 15).astype(int)
    return frame, busy


def _log(model, frame: pd.DataFrame, target) -> str:
    """Train-and-register as an adopted project's steps do: signature and input example, the
    training ranges and the explanation baseline on the run; returns the version."""
    import mlflow
    import mlflow.sklearn
    from mlflow.models import infer_signature

    model.fit(frame, target)
    example = frame.head(5)
    with mlflow.start_run():
        mlflow.log_dict(training_ranges(frame), RANGES_ARTIFACT)
        log_explanations({}, baseline_row(frame))
        info = mlflow.sklearn.log_model(
            model, name="model", registered_model_name="bike_demand", input_example=example,
            signature=infer_signature(example, model.predict(example)),
        )  # fmt: skip
    return str(info.registered_model_version)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """An MLflow store on SQLite, made once for this module: version 1 a busy-hour classifier
    with alias champion, version 2 a regressor."""
    import mlflow
    from mlflow.tracking import MlflowClient
    from sklearn.compose import make_column_transformer
    from sklearn.linear_model import LinearRegression, LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    root = tmp_path_factory.mktemp("signature")
    uri = f"sqlite:///{root}/mlflow.db"
    previous = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(uri)
    # artifacts in the test's folder too (MLflow's default is ./mlruns of the checkout)
    mlflow.set_experiment(
        experiment_id=mlflow.create_experiment("bikes", (root / "mlruns").as_uri())
    )

    def model(estimator):
        encode = make_column_transformer(
            (OneHotEncoder(handle_unknown="ignore"), ["season"]), remainder="passthrough"
        )
        return make_pipeline(encode, estimator)

    frame, busy = _table()
    assert _log(model(LogisticRegression()), frame, busy) == "1"
    assert _log(model(LinearRegression()), frame, frame["temp"] * 10.0) == "2"
    MlflowClient(uri).set_registered_model_alias("bike_demand", "champion", "1")
    yield root
    mlflow.set_tracking_uri(previous)


@pytest.fixture
def project(store, monkeypatch) -> Project:
    """The project over `store`, its hooks in a package written for the test."""
    clear_endpoints(monkeypatch)
    monkeypatch.setenv("MLOPS_PROJECT_ROOT", str(store))
    monkeypatch.setenv("SERVING_RELOAD_SECONDS", "0")
    write_package(store, "sigproj", PACKAGE, monkeypatch)
    import sigproj.hooks

    yield sigproj.hooks.PROJECT
    forget_package("sigproj")


def _predict(client: TestClient, rows: list[dict], query: str = ""):
    return client.post(f"/predict{query}", json={"rows": rows})


def test_the_signature_is_the_request_schema(project):
    loaded = signature.load_with_signature(project)
    assert [(f.name, f.type) for f in loaded.features] == [
        ("temp", "number"),
        ("weekday", "integer"),
        ("season", "string"),
    ]
    with TestClient(signature.create_app(project)) as client:
        assert client.get("/ready").json()["model_version"] == "1"
        row = {"temp": 25.0, "weekday": 3, "season": "summer"}
        answer = _predict(client, [row, {**row, "temp": 2.0}])
        assert answer.status_code == 200, answer.text
        hot, cold = answer.json()["predictions"]
        assert hot["label"] == 1 and cold["label"] == 0 and hot["probability"] > 0.5
        assert hot["flags"] == [] and hot["confidence"] == hot["probability"]
        # missing, unknown and mistyped columns: 422 naming the field and the rule, not the value
        refused = _predict(client, [{"temp": 1.0, "season": "summer", "colour": "crimson"},
                                    {**row, "weekday": "Monday"}]).json()["detail"]  # fmt: skip
        found = {(tuple(e["loc"]), e["type"]) for e in refused}
        assert found == {
            (("body", "rows", 0, "weekday"), "missing"),
            (("body", "rows", 0, "colour"), "extra_forbidden"),
            (("body", "rows", 1, "weekday"), "int_parsing"),
        }
        # the version's input example is the row /openapi.json shows (the smoke and load tests
        # send it)
        schema = client.get("/openapi.json").json()
        (example,) = schema["components"]["schemas"]["Row"]["examples"]
        assert list(example) == ["temp", "weekday", "season"]
        assert _predict(client, [example]).status_code == 200
        assert "Monday" not in str(refused) and "crimson" not in str(refused)


def test_explanations_and_knowledge_limits_as_a_generated_project_has_them(project):
    row = {"temp": 25.0, "weekday": 3, "season": "summer"}
    with TestClient(signature.create_app(project)) as client:
        explained = _predict(client, [row, {**row, "temp": 2.0}], "?explain=true&top=2").json()
        assert explained["explanation"]["baseline"].startswith("training data")
        hot, cold = ({c["feature"]: c for c in p["contributions"]}
                     for p in explained["predictions"])  # fmt: skip
        # busy hours follow the temperature: warm pushes the probability up, cold down
        assert hot["temp"]["contribution"] > 0 > cold["temp"]["contribution"]
        assert len(hot) == 2 and hot["temp"]["baseline"] == cold["temp"]["baseline"]
        flagged = _predict(client, [{**row, "temp": 90.0}]).json()["predictions"][0]
        assert flagged["flags"] == ["out_of_range"] and flagged["ood_score"] > 1.5
        flagged_total = 'mlops_serving_flagged_rows_total{project="bikes",reason="out_of_range"}'
        assert f"{flagged_total} 1.0" in client.get("/metrics").text
    refusing = signature.create_app(project, limits=LimitsPolicy(action="refuse"))
    with TestClient(refusing) as client:
        refused = _predict(client, [row, {**row, "season": "monsoon"}])
        assert refused.status_code == 422
        assert refused.json()["detail"] == [
            {"row": 1, "flags": ["out_of_range"], "features": ["season"]}
        ]


def test_a_regressor_answers_its_own_values(project, monkeypatch):
    monkeypatch.setenv("SERVING_MODEL_VERSION", "2")
    row = {"temp": 20.0, "weekday": 1, "season": "winter"}
    with TestClient(signature.create_app(project)) as client:
        assert client.get("/ready").json()["model_alias"] is None
        answer = _predict(client, [row]).json()
        assert answer["model_version"] == "2"
        (prediction,) = answer["predictions"]
        assert prediction["label"] == pytest.approx(200.0, abs=1e-6)
        assert prediction["probability"] is None and prediction["confidence"] is None
        assert prediction["flags"] == []
        # Explained: contributions to the predicted value. The model is linear in temp (demand
        # = 10 x temp), so temp's contribution is exactly 10 x (temp - its baseline), and the
        # contributions add up to the prediction minus the baseline row's prediction.
        explained = _predict(client, [row], "?explain=true&top=3")
        assert explained.status_code == 200, explained.text
        assert explained.json()["explanation"]["of"] == "predicted value"
        (answer,) = explained.json()["predictions"]
        parts = {c["feature"]: c for c in answer["contributions"]}
        assert set(parts) == {"temp", "weekday", "season"}
        temp = parts["temp"]
        assert temp["contribution"] == pytest.approx(10.0 * (20.0 - temp["baseline"]), abs=1e-6)
        cold = _predict(client, [{**row, "temp": 2.0}], "?explain=true&top=3").json()
        cold_temp = {c["feature"]: c for c in cold["predictions"][0]["contributions"]}["temp"]
        assert temp["contribution"] > 0 > cold_temp["contribution"]  # warm up, cold down
        baseline = {feature: c["baseline"] for feature, c in parts.items()}
        at_baseline = _predict(client, [baseline]).json()["predictions"][0]["label"]
        total = sum(c["contribution"] for c in parts.values())
        assert total == pytest.approx(answer["label"] - at_baseline, abs=1e-6)
        assert 'mlops_serving_predictions_total{label="number",project="bikes"} 4.0' in (
            client.get("/metrics").text
        )


def test_explain_refuses_a_model_with_neither_a_probability_nor_numeric_predictions(project):
    class Words:
        """A model answering words, without predict_proba (not a regressor)."""

        def predict(self, frame):
            return ["busy" if t > 15 else "quiet" for t in frame["temp"]]

    loaded = LoadedModel(Words(), "bike_demand", "9", None, features=None)
    app = signature.create_app(
        project, loader=lambda _alias: loaded, ranges_loader=lambda _loaded: None,
        baseline_loader=lambda _loaded: {"temp": 15.0},
    )  # fmt: skip
    with TestClient(app) as client:
        row = {"temp": 20.0}
        assert _predict(client, [row]).json()["predictions"][0]["label"] == "busy"
        refused = _predict(client, [row], "?explain=true")
        assert refused.status_code == 422 and "has neither" in refused.json()["detail"]


def test_signature_features_maps_mlflow_column_types_and_optional_columns():
    from mlflow.models import ModelSignature
    from mlflow.types import ColSpec, Schema, TensorSpec

    inputs = Schema([ColSpec("long", "tenure"), ColSpec("double", "charges"),
                     ColSpec("string", "plan"), ColSpec("boolean", "paperless"),
                     ColSpec("datetime", "since", required=False)])  # fmt: skip
    specs = signature.signature_features(ModelSignature(inputs=inputs))
    assert [(s.name, s.type, s.nullable) for s in specs] == [
        ("tenure", "integer", False), ("charges", "number", False), ("plan", "string", False),
        ("paperless", "boolean", False), ("since", "string", True),
    ]  # fmt: skip
    assert signature.signature_features(None) is None
    tensor = Schema([TensorSpec(np.dtype("float32"), (-1, 3))])
    assert signature.signature_features(ModelSignature(inputs=tensor)) is None


def test_explains_values_only_for_a_regressors_numeric_predictions():
    from mlops_runtime.serving.explanations import explains_values
    from sklearn.linear_model import LinearRegression, LogisticRegression

    assert explains_values(LinearRegression(), [1.5, 2])
    assert not explains_values(LinearRegression(), [])
    assert not explains_values(LinearRegression(), ["high", 2.0])
    assert not explains_values(LinearRegression(), [True, False])  # booleans are labels
    classifier = LogisticRegression().fit([[0], [1]], [0, 1])
    assert not explains_values(classifier, [0, 1])  # a classifier's labels are not values

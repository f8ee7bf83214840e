"""Defect class read from the calibration part's too-low tracking cells after the nineteenth
batch joined it (training logging an XGBoost model and registering its Unity Catalog version
through a REST call, the FastAPI service loading `models:/Demand_Forecasting_Model@staging`):
models counted as registered only where the project's code calls a registration API the
scanner knows. A serving app that loads with MLflow a registry alias or stage it names uses a
registered model, however its versions got there (a REST call, the registry's UI, another
repository's job). Each test fails on the code before the fix; the near misses beside them
pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

TRAIN = """
    import mlflow
    import requests
    import xgboost as xgb


    def train(X, y):
        with mlflow.start_run() as run:
            model = xgb.XGBRegressor().fit(X, y)
            mlflow.log_metric("rmse", 1.0)
            mlflow.xgboost.log_model(model, artifact_path="model")
        requests.post("https://host/api/2.0/mlflow/model-versions/create", json={"run_id": run.info.run_id})
"""

APP = """
    import mlflow
    from fastapi import FastAPI

    app = FastAPI()
    model = mlflow.xgboost.load_model("{uri}")


    @app.post("/predict")
    def predict(rows: list[list[float]]):
        return {"predictions": model.predict(rows).tolist()}
"""


def _registry(tmp_path, uri: str, app_path: str = "api/main.py"):
    write(tmp_path, {"src/train.py": TRAIN, app_path: APP.replace("{uri}", uri)})
    return checks(tmp_path)["tracking.registry"]


def test_a_service_loading_a_registry_alias_uses_a_registered_model(tmp_path):
    result = _registry(tmp_path, "models:/Demand_Forecasting_Model@staging")
    assert result.outcome is Outcome.PASS
    assert result.evidence == ["api/main.py:5"]


def test_a_service_loading_a_registry_stage_uses_a_registered_model(tmp_path):
    assert _registry(tmp_path, "models:/demand/Production").outcome is Outcome.PASS


def test_a_service_loading_a_run_artifact_uses_no_registry(tmp_path):
    # near miss: a run's model, not a registered one
    assert _registry(tmp_path, "runs:/abc123/model").outcome is Outcome.FAIL


def test_an_alias_loaded_by_a_script_no_service_runs_is_no_registration(tmp_path):
    # near miss: a notebook-like script (no serving app) loading the alias proves nothing served
    script = """
        import mlflow

        model = mlflow.xgboost.load_model("models:/demand@staging")
        print(model)
    """
    write(tmp_path, {"src/train.py": TRAIN, "scripts/check_model.py": script})
    assert checks(tmp_path)["tracking.registry"].outcome is Outcome.FAIL

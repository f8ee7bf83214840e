"""Defect class read from the calibration part's too-low tracking cells after the nineteenth
batch joined it (an anomaly detection project whose export script asks MLflow which version
is in Production, downloads it to model_store/production, and a FastAPI service loading with
MLflow the folder compose mounts from there): a script that pulls the registry's version for
the service counted only beside the serving app and only with a `models:/` URI it writes. An
export entry point that looks a stage or alias up and trains, registers and loads nothing
itself, with a serving app loading with MLflow the model folder it is given, serves what the
registry marks. Each test fails on the code before the fix; the near misses beside them pass on
both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

EXPORT = """
    import mlflow
    from mlflow.tracking import MlflowClient


    def export_production_model(name="detector", output_dir="model_store/production"):
        client = MlflowClient()
        versions = client.get_latest_versions(name, stages=["Production"])
        uri = client.get_model_version_download_uri(name, versions[0].version)
        mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=output_dir)


    if __name__ == "__main__":
        export_production_model()
"""

APP = """
    import os

    import mlflow
    from fastapi import FastAPI

    app = FastAPI()
    model = mlflow.pyfunc.load_model(os.environ.get("MODEL_DIR", "/app/model_mnt"))


    @app.post("/predict")
    def predict(rows: list[dict]):
        return {"predictions": model.predict(rows).tolist()}
"""


def _serving(tmp_path, export: str = EXPORT, app: str = APP):
    write(tmp_path, {"src/utils/export_model.py": export, "serve/app.py": app})
    return checks(tmp_path)["tracking.serving-from-registry"]


def test_an_export_of_the_production_version_for_the_service_serves_the_registry(tmp_path):
    result = _serving(tmp_path)
    assert result.outcome is Outcome.PASS
    assert "src/utils/export_model.py:7" in result.evidence


def test_a_promotion_script_moving_the_stage_exports_nothing(tmp_path):
    # near miss: the script looks the version up to move it to another stage
    promote = EXPORT.replace(
        "mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=output_dir)",
        'client.transition_model_version_stage(name, versions[0].version, "Archived")',
    )
    assert _serving(tmp_path, export=promote).outcome is Outcome.FAIL


def test_a_service_loading_a_pickle_serves_no_export(tmp_path):
    # near miss: the service loads its own pickle, not the folder the export fills
    app = APP.replace(
        'mlflow.pyfunc.load_model(os.environ.get("MODEL_DIR", "/app/model_mnt"))',
        'joblib.load("models/model.pkl")',
    ).replace("import mlflow", "import joblib")
    assert _serving(tmp_path, app=app).outcome is Outcome.FAIL

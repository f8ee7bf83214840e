"""Defect class read from the calibration part's too-low tracking cells after the nineteenth
batch joined it (a FastAPI service loading with MLflow the `model_uri` its per-environment
settings give it, `models:/house-price-model@dev` in config/api.yaml and `/Production` in
config/prod.yaml): a registry URI was read only where Python code writes it, so a service that
takes its URI from settings files, an env file or its image's `ENV` was read as not taking its
model from the registry. Settings files now give `config.model_uri` facts (config_model_uris),
and a serving app loading with MLflow a URI it is given, where the project's settings name an
alias or stage, serves what the registry marks. Each test fails on the code before the fix; the
near misses beside them pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

LOADER = """
    import mlflow
    import yaml

    config = yaml.safe_load(open("config/api.yaml"))


    def get_model():
        return mlflow.pyfunc.load_model(config["mlflow"]["model_uri"])
"""

APP = """
    from fastapi import FastAPI

    from api.model_loader import get_model

    app = FastAPI()


    @app.post("/predict")
    def predict(rows: list[dict]):
        return {"predictions": get_model().predict(rows).tolist()}
"""


def _serving(tmp_path, settings: dict[str, str], loader: str = LOADER):
    write(tmp_path, {"api/__init__.py": "", "api/model_loader.py": loader, "api/app.py": APP})
    write(tmp_path, settings)
    return checks(tmp_path)["tracking.serving-from-registry"]


def test_a_service_loading_the_alias_its_settings_name_serves_from_the_registry(tmp_path):
    settings = {"config/api.yaml": "mlflow:\n  model_uri: models:/house-price-model@dev\n"}
    result = _serving(tmp_path, settings)
    assert result.outcome is Outcome.PASS
    assert "config/api.yaml:2" in result.evidence


def test_a_stage_set_in_the_image_env_serves_from_the_registry(tmp_path):
    dockerfile = "FROM python:3.11-slim\nENV MODEL_URI=models:/churn/Production\n"
    assert _serving(tmp_path, {"Dockerfile": dockerfile}).outcome is Outcome.PASS


def test_a_volume_mapping_to_a_models_folder_is_no_registry_uri(tmp_path):
    # near miss: `./models:/app/models` mounts a folder, it names no registered model
    compose = "services:\n  api:\n    build: .\n    volumes:\n      - ./models:/app/models\n"
    assert _serving(tmp_path, {"docker-compose.yml": compose}).outcome is Outcome.FAIL


def test_a_service_loading_a_local_file_takes_nothing_from_the_registry(tmp_path):
    # near miss: the settings name the registry alias, but the service loads a pickle
    loader = """
        import joblib


        def get_model():
            return joblib.load("models/model.pkl")
    """
    settings = {"config/api.yaml": "mlflow:\n  model_uri: models:/house-price-model@dev\n"}
    assert _serving(tmp_path, settings, loader).outcome is Outcome.FAIL

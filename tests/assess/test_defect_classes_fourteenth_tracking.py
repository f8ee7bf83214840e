"""Defect classes read from the fourteenth held-out batch's tracking misses once it joined the
calibration part: a serving app outside src/ importing the project's `src` package
(`from src.pkg.prediction import Controller`, run from the root) read as importing a library,
so the registry version its prediction module loads was not the served one; the git commit
recorded as a tag of the run that logs and registers the model (`start_run(tags=...)`, a dict
literal or one built just before) read as no lineage; a serving module that puts the repository
root on sys.path with `os.path.join(os.path.dirname(__file__), "../")` and imports the model
package from there read as importing a library; the runs a ZenML pipeline records read as no
tracking; the latest version a ZenML client looks up (`get_model_version(NAME, "latest")`) where
versions are promoted read as not taken from the registry.
Each test fails on the code before the fix; each reads a shape of a stack, not one repository's
files, and the near misses beside them pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

TRAIN = """
    import mlflow
    import mlflow.sklearn
    from sklearn.linear_model import LogisticRegression

    with mlflow.start_run():
        model = LogisticRegression().fit([[0], [1]], [0, 1])
        mlflow.log_metric("accuracy", 1.0)
        mlflow.sklearn.log_model(model, "model")
        mlflow.register_model(f"runs:/{mlflow.active_run().info.run_id}/model", "churn")
"""
PREDICTION = """
    import mlflow


    class Controller:
        def __init__(self, model_name: str, model_version: str):
            self.model = mlflow.pyfunc.load_model(f"models:/{model_name}/{model_version}")

        def predict(self, rows):
            return self.model.predict(rows)
"""
ROUTER = """
    from fastapi import APIRouter, Form

    from {package}.prediction import Controller

    router = APIRouter(prefix="/churn")


    @router.post("/")
    def predict(model_version: str = Form(default="1")):
        return Controller("churn", model_version).predict([[0]])
"""


def test_an_app_outside_src_serving_a_registered_version_from_src(tmp_path):
    write(
        tmp_path,
        {
            "src/churn/train.py": TRAIN,
            "src/churn/prediction.py": PREDICTION,
            "controller/predict.py": ROUTER.format(package="src.churn"),
        },
    )
    assert checks(tmp_path)["tracking.serving-from-registry"].outcome is Outcome.PASS


def test_an_app_outside_src_serving_a_local_file_from_src(tmp_path):
    # near miss: the same app and import, but the prediction module loads a pickled file
    local = PREDICTION.replace("import mlflow", "import joblib").replace(
        'mlflow.pyfunc.load_model(f"models:/{model_name}/{model_version}")',
        'joblib.load(f"artifacts/{model_name}_{model_version}.pkl")',
    )
    write(
        tmp_path,
        {
            "src/churn/train.py": TRAIN,
            "src/churn/prediction.py": local,
            "controller/predict.py": ROUTER.format(package="src.churn"),
        },
    )
    assert checks(tmp_path)["tracking.serving-from-registry"].outcome is Outcome.FAIL


TAGGED_RUN = """
    import subprocess

    import mlflow
    import mlflow.sklearn
    from sklearn.linear_model import LogisticRegression


    def sha():
        return subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True).stdout


    def train():
        base_tags = {"project": "churn", "{key}": sha()}
        with mlflow.start_run(run_name="lr", tags=base_tags):
            model = LogisticRegression().fit([[0], [1]], [0, 1])
            mlflow.log_metric("accuracy", 1.0)
            mlflow.sklearn.log_model(model, "model", registered_model_name="churn")
"""
SERVE = """
    import mlflow
    from fastapi import FastAPI

    app = FastAPI()
    model = mlflow.pyfunc.load_model("models:/churn@production")


    @app.post("/predict")
    def predict(rows: list[list[float]]):
        return model.predict(rows).tolist()
"""


def test_a_run_tagged_with_the_commit_gives_the_model_lineage(tmp_path):
    write(
        tmp_path,
        {"train.py": TAGGED_RUN.replace("{key}", "git_commit"), "serve/app.py": SERVE},
    )
    assert checks(tmp_path)["tracking.lineage-tags"].outcome is Outcome.PASS


def test_a_run_tagged_with_its_owner_gives_no_lineage(tmp_path):
    # near miss: the same run's tags name its owner, not where the model came from
    write(tmp_path, {"train.py": TAGGED_RUN.replace("{key}", "owner"), "serve/app.py": SERVE})
    assert checks(tmp_path)["tracking.lineage-tags"].outcome is Outcome.FAIL


REGISTRY = """
    import mlflow


    class Registry:
        def latest(self, name):
            client = mlflow.MlflowClient()
            versions = client.search_model_versions(f"name='{name}'")
            best = max(versions, key=lambda v: int(v.version))
            return mlflow.sklearn.load_model(f"runs:/{best.run_id}/model")
"""
BACKEND = """
    import os
    import sys

    from fastapi import FastAPI

    sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "{up}")))

    from model.scripts.registry import Registry

    app = FastAPI()
    model = Registry().latest("demand")


    @app.get("/predict")
    def predict(x: float):
        return float(model.predict([[x]])[0])
"""


def test_a_backend_importing_the_model_package_from_the_root_it_puts_on_sys_path(tmp_path):
    write(
        tmp_path,
        {
            "model/scripts/train.py": TRAIN,
            "model/scripts/registry.py": REGISTRY,
            "backend/app.py": BACKEND.replace("{up}", "../"),
        },
    )
    assert checks(tmp_path)["tracking.serving-from-registry"].outcome is Outcome.PASS


def test_a_backend_putting_its_own_vendor_folder_on_sys_path(tmp_path):
    # near miss: the folder added is backend/vendor, where no model package is
    write(
        tmp_path,
        {
            "model/scripts/train.py": TRAIN,
            "model/scripts/registry.py": REGISTRY,
            "backend/app.py": BACKEND.replace("{up}", "vendor"),
        },
    )
    assert checks(tmp_path)["tracking.serving-from-registry"].outcome is Outcome.FAIL


ZENML_STEPS = """
    from sklearn.base import ClassifierMixin
    from sklearn.linear_model import LogisticRegression
    from zenml import step


    @step
    def train() -> ClassifierMixin:
        return LogisticRegression().fit([[0], [1]], [0, 1])
"""
ZENML_PIPELINE = """
    from zenml import pipeline

    from steps.train import train


    @pipeline
    def training_pipeline():
        train()
"""


def test_a_zenml_pipeline_records_its_runs(tmp_path):
    write(tmp_path, {"steps/train.py": ZENML_STEPS, "pipelines/training.py": ZENML_PIPELINE})
    assert checks(tmp_path)["tracking.experiments"].outcome is Outcome.PASS


def test_zenml_steps_without_a_pipeline_record_no_runs(tmp_path):
    # near miss: the steps alone, called from a script, are no ZenML pipeline run
    script = ZENML_PIPELINE.replace("from zenml import pipeline", "").replace("@pipeline", "")
    write(tmp_path, {"steps/train.py": ZENML_STEPS, "pipelines/training.py": script})
    assert checks(tmp_path)["tracking.experiments"].outcome is Outcome.FAIL


ZENML_PROMOTER = """
    from zenml import get_step_context, step
    from zenml.enums import ModelStages


    @step
    def promote(accuracy: float) -> None:
        if accuracy > 0.8:
            get_step_context().model.set_stage(ModelStages.PRODUCTION, force=True)
"""
ZENML_MODEL_PIPELINE = """
    from zenml import Model, pipeline

    from steps.promote import promote
    from steps.train import train


    @pipeline(model=Model(name="insurance"))
    def training_pipeline():
        train()
        promote(0.9)
"""
ZENML_PREDICT = """
    from zenml.client import Client


    def load():
        version = Client().get_model_version("insurance", "{version}")
        return version.get_artifact("model").load()


    if __name__ == "__main__":
        print(load().predict([[0]]))
"""


def _zenml_registry(tmp_path, version):
    return write(
        tmp_path,
        {
            "steps/train.py": ZENML_STEPS,
            "steps/promote.py": ZENML_PROMOTER,
            "pipelines/training.py": ZENML_MODEL_PIPELINE,
            "prediction_script.py": ZENML_PREDICT.replace("{version}", version),
        },
    )


def test_prediction_from_the_latest_zenml_model_version(tmp_path):
    found = checks(_zenml_registry(tmp_path, "latest"))
    assert found["tracking.serving-from-registry"].outcome is Outcome.PASS


def test_prediction_from_a_pinned_zenml_model_version(tmp_path):
    # near miss: the version is pinned by number, which no promotion moves
    found = checks(_zenml_registry(tmp_path, "3"))
    assert found["tracking.serving-from-registry"].outcome is Outcome.FAIL

"""Defect classes read from the fourteenth held-out batch's tracking misses once it joined the
calibration part: a serving app outside src/ importing the project's `src` package
(`from src.pkg.prediction import Controller`, run from the root) read as importing a library,
so the registry version its prediction module loads was not the served one.
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

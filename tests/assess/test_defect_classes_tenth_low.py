"""Defect classes read from the tenth held-out batch's misses once it joined the calibration
part, too low: serving code followed into a `src` package's modules, Flask apps serving the model
they load whatever their routes are called, Prefect deployment schedules in `prefect.yaml`, and
retraining flows that run the module checking drift. Each test fails on the code before the fix;
the near misses beside them pass on both (the over-scores are in test_defect_classes_tenth.py)."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write


def outcome(root, check_id):
    return checks(root)[check_id].outcome


def test_a_serving_app_importing_src_as_a_package_loads_from_the_registry(tmp_path):
    # `from src.inference.model_manager import ...`: the project's own modules, followed
    write(
        tmp_path,
        {
            "src/api/app.py": """
                from fastapi import FastAPI

                from src.inference.model_manager import reload_serving_model

                app = FastAPI()


                @app.post("/predict")
                def predict(x: float):
                    return reload_serving_model().predict([[x]])
            """,
            "src/inference/model_manager.py": """
                import mlflow


                def reload_serving_model():
                    return mlflow.pyfunc.load_model("models:/churn@champion")
            """,
        },
    )
    assert outcome(tmp_path, "tracking.serving-from-registry") is Outcome.PASS


def test_a_flask_form_app_loading_the_champion_serves_it(tmp_path):
    # a Flask app whose only route is `/` (a form) predicts with the model its loader loads
    write(
        tmp_path,
        {
            "api/app.py": """
                from flask import Flask

                from api.src.model_loader import load_model_from_mlflow

                app = Flask(__name__)


                @app.route("/", methods=["GET", "POST"])
                def home():
                    return str(load_model_from_mlflow().predict([[1.0]]))
            """,
            "api/src/model_loader.py": """
                import mlflow


                def load_model_from_mlflow(name="eurusd"):
                    return mlflow.pyfunc.load_model(f"models:/{name}@champion")
            """,
        },
    )
    found = checks(tmp_path)
    assert found["tracking.serving-from-registry"].outcome is Outcome.PASS
    assert found["deployment.serving-api"].outcome is Outcome.PASS


def test_a_flask_app_that_loads_no_model_serves_none(tmp_path):
    # near miss: a Flask dashboard with no model behind it
    write(
        tmp_path,
        {
            "dashboard/app.py": """
                from flask import Flask

                app = Flask(__name__)


                @app.route("/")
                def home():
                    return "runs"
            """,
        },
    )
    found = checks(tmp_path)
    assert found["deployment.serving-api"].outcome is Outcome.FAIL
    assert found["tracking.serving-from-registry"].outcome is Outcome.FAIL


PREFECT_YAML = """
    name: churn-prediction-mlops
    deployments:
    - name: auto-retrain
      entrypoint: flows/auto_retrain_flow.py:auto_retrain_flow
      work_pool:
        name: local-pool
      schedules:
      - cron: 0 3 * * *
        timezone: null
"""


def test_a_prefect_deployment_schedule_in_prefect_yaml_schedules_the_pipeline(tmp_path):
    write(tmp_path, {"prefect.yaml": PREFECT_YAML})
    assert outcome(tmp_path, "pipelines.scheduled") is Outcome.PASS


def test_a_prefect_deployment_without_a_schedule_schedules_nothing(tmp_path):
    # near misses: a deployment run by hand, a schedule switched off, a YAML of another name
    unscheduled = PREFECT_YAML.replace("- cron: 0 3 * * *", "- cron: null")
    write(tmp_path, {"prefect.yaml": unscheduled})
    assert outcome(tmp_path, "pipelines.scheduled") is Outcome.FAIL
    inactive = PREFECT_YAML.replace("timezone: null", "active: false")
    write(tmp_path / "b", {"prefect.yaml": inactive})
    assert outcome(tmp_path / "b", "pipelines.scheduled") is Outcome.FAIL
    write(tmp_path / "c", {"config/deployments.yaml": PREFECT_YAML})
    assert outcome(tmp_path / "c", "pipelines.scheduled") is Outcome.FAIL


TRAINING_FLOW = """
    from prefect import flow, task


    @task
    def task_check_drift():
        return compute_feature_drift() > 0.2


    @flow
    def training_pipeline(force_run=False):
        if not task_check_drift() and not force_run:
            return None
        return train()
"""


def test_a_retraining_flow_running_the_drift_checking_flow_is_triggered_retraining(tmp_path):
    write(
        tmp_path,
        {
            "flows/training_flow.py": TRAINING_FLOW,
            "flows/auto_retrain_flow.py": """
                from prefect import flow

                from flows.training_flow import training_pipeline


                @flow
                def auto_retrain_flow():
                    return training_pipeline(force_run=True)
            """,
        },
    )
    assert outcome(tmp_path, "pipelines.triggered-retraining") is Outcome.PASS


def test_a_retraining_flow_that_reaches_no_drift_check_is_not(tmp_path):
    # near miss: the drift check lives in a module the retraining flow does not run
    write(
        tmp_path,
        {
            "monitoring/drift.py": TRAINING_FLOW,
            "flows/auto_retrain_flow.py": """
                from prefect import flow

                from flows.steps import train


                @flow
                def auto_retrain_flow():
                    return train()
            """,
            "flows/steps.py": "def train():\n    return 1\n",
        },
    )
    assert outcome(tmp_path, "pipelines.triggered-retraining") is Outcome.FAIL

"""Defect classes read from the fourteenth held-out batch's misses once it joined the
calibration part, in monitoring: a serving route that keeps every prediction it serves (a
database session's add + commit in a background task, a CSV appended to, the project's own
`log_prediction`) in a project that detects drift is the serving side monitored, as Model
Monitor on an endpoint's data capture is, with no metrics endpoint; and an Airflow DAG's
failure callback alone (the orchestrator's error notice, as `email_on_failure` is) read as
watching the pipeline, which a DAG reporting every run's outcome, success and failure, does;
a Hydrosphere application serving a model and the monitor attached to it not read at all.
Each test fails on the code before the fix; each reads a shape of a stack, not one repository's
files, and the near misses beside them pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

API = """
    import joblib
    from fastapi import BackgroundTasks, FastAPI

    from api.db import Prediction, Session

    app = FastAPI()
    model = joblib.load("model.joblib")


    def write_prediction(payload: dict) -> None:
        with Session() as session:
            session.add(Prediction(**payload))
            session.commit()


    @app.post("/score")
    def score(x: float, background_tasks: BackgroundTasks):
        y = float(model.predict([[x]])[0])
        background_tasks.add_task(write_prediction, {"x": x, "score": y})
        return {"score": y}
"""
API_NO_CAPTURE = """
    import joblib
    from fastapi import FastAPI

    app = FastAPI()
    model = joblib.load("model.joblib")


    @app.post("/score")
    def score(x: float):
        return {"score": float(model.predict([[x]])[0])}
"""
API_CSV = """
    import joblib
    import pandas as pd
    from fastapi import FastAPI

    app = FastAPI()
    model = joblib.load("model.joblib")


    @app.post("/detection")
    def detection(x: float):
        y = float(model.predict([[x]])[0])
        pd.DataFrame({"x": [x], "y": [y]}).to_csv("monitoring/preds.csv", mode="a", index=False)
        return {"y": y}
"""
DRIFT = """
    import numpy as np


    def compute_psi(expected, actual, bins=10):
        e, _ = np.histogram(expected, bins=bins)
        a, _ = np.histogram(actual, bins=bins)
        return float(np.sum((a - e) * np.log((a + 1) / (e + 1))))


    def compute_drift(reference, current):
        return {"psi": compute_psi(reference, current)}
"""


def _levels(tmp_path):
    found = checks(tmp_path)
    return found["monitoring.pipeline-metrics"].outcome, found["monitoring.serving-metrics"].outcome


def test_served_predictions_stored_and_drift_detected_monitor_the_serving_side(tmp_path):
    write(tmp_path, {"api/main.py": API, "drift/scorer.py": DRIFT})
    assert _levels(tmp_path) == (Outcome.PASS, Outcome.PASS)


def test_served_predictions_appended_to_a_csv_and_drift_detected(tmp_path):
    write(tmp_path, {"api/main.py": API_CSV, "monitoring/drift.py": DRIFT})
    assert _levels(tmp_path) == (Outcome.PASS, Outcome.PASS)


def test_drift_detection_without_captured_predictions_watches_no_serving(tmp_path):
    # near miss: drift code over training data beside an API that keeps nothing it serves
    write(tmp_path, {"api/main.py": API_NO_CAPTURE, "drift/scorer.py": DRIFT})
    assert checks(tmp_path)["monitoring.serving-metrics"].outcome is Outcome.FAIL


def test_captured_predictions_without_drift_detection_watch_nothing(tmp_path):
    # near miss: predictions stored, but nothing measures anything on them
    write(tmp_path, {"api/main.py": API})
    assert _levels(tmp_path) == (Outcome.FAIL, Outcome.FAIL)


DAG = """
    from datetime import datetime

    from airflow import DAG
    from airflow.operators.bash import BashOperator


    def slack_alert(context):
        print("failed", context)


    def slack_success(context):
        print("succeeded", context)


    default_args = {"owner": "airflow", "retries": 1{callbacks}}

    with DAG(
        "churn_batch",
        default_args=default_args,
        start_date=datetime(2024, 1, 1),
        schedule_interval="@weekly",
        on_failure_callback=slack_alert,
    ) as dag:
        BashOperator(task_id="score", bash_command="python score.py")
"""


def test_a_failure_callback_alone_watches_no_pipeline(tmp_path):
    write(tmp_path, {"dags/churn.py": DAG.replace("{callbacks}", "")})
    assert checks(tmp_path)["monitoring.pipeline-metrics"].outcome is Outcome.FAIL


def test_a_dag_reporting_success_and_failure_watches_its_runs(tmp_path):
    # near miss: every run's outcome is reported, success as well as failure
    callbacks = ', "on_success_callback": slack_success'
    write(tmp_path, {"dags/churn.py": DAG.replace("{callbacks}", callbacks)})
    assert checks(tmp_path)["monitoring.pipeline-metrics"].outcome is Outcome.PASS


RELEASE = """
    from hydrosdk import sdk


    def release(model_name, payload, runtime, uri, drift_app):
        model = sdk.Model().with_payload(payload).with_runtime(runtime).with_name(model_name)
        {monitoring}
        return model.apply(uri)
"""
DEPLOY = """
    from hydrosdk import sdk


    def deploy(model_name, version, app_name, uri):
        model = sdk.Model.from_existing(model_name, version)
        return sdk.Application.singular(app_name, model).apply(uri)
"""


def test_a_hydrosphere_application_with_a_monitor_serves_and_watches_the_model(tmp_path):
    # a Kubeflow workshop's steps: release the model with a drift detector attached as its
    # monitoring, then serve it by an application on the cluster
    monitoring = (
        "model = model.with_monitoring([sdk.Monitoring('Drift').with_spec("
        "kind='CustomModelMetricSpec', threshold=0.15, application=drift_app)])"
    )
    write(
        tmp_path,
        {
            "steps/release-model/release_model.py": RELEASE.replace("{monitoring}", monitoring),
            "steps/deploy/deploy.py": DEPLOY,
        },
    )
    found = checks(tmp_path)
    assert found["deployment.predict-script"].outcome is Outcome.PASS
    assert found["monitoring.serving-metrics"].outcome is Outcome.PASS


def test_a_hydrosphere_model_uploaded_without_an_application_serves_nothing(tmp_path):
    # near miss: the model is uploaded to the cluster, no application serves it, no monitor
    write(tmp_path, {"steps/release-model/release_model.py": RELEASE.replace("{monitoring}", "")})
    found = checks(tmp_path)
    assert found["deployment.predict-script"].outcome is Outcome.FAIL
    assert found["monitoring.serving-metrics"].outcome is Outcome.FAIL

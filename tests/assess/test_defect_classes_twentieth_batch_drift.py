"""Defect class read from the calibration part's too-low monitoring cells (twentieth round):
scheduled monitoring of batch predictions. A project that serves by batch (an Airflow DAG, a
Prefect flow, a Databricks job, a Mage pipeline writing predictions) and measures drift where
those predictions are made (a 30-minute monitoring DAG beside the batch-prediction DAG, the
scoring flow importing its drift module, a daily Mage monitor beside the daily batch inference)
was read as watching nothing on the serving side: it has no endpoint. Drift measured with the
batch scoring, by the scoring unit itself or by a scheduled unit beside it, now monitors the
serving side (monitoring_batch). The tests fail on the code before the fix; the near misses
beside them (a drift DAG nobody schedules, a scoring flow importing only a model loader from a
monitoring module, a Mage monitor without a trigger) score no serving side on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

DRIFT = """
    from evidently.metric_preset import DataDriftPreset
    from evidently.report import Report


    def detect_drift(reference, current):
        report = Report(metrics=[DataDriftPreset()])
        report.run(reference_data=reference, current_data=current)
        return report.as_dict()
"""
MONITOR_DAG = """
    from airflow import DAG
    from airflow.operators.python import PythonOperator

    from src.monitoring.drift_detector import detect_drift

    with DAG("model_monitoring_pipeline", schedule={schedule}) as dag:
        PythonOperator(task_id="drift", python_callable=detect_drift)
"""
PREDICTION_DAG = """
    from airflow import DAG
    from airflow.operators.python import PythonOperator


    def predict_batch():
        pass


    with DAG("batch_prediction_pipeline", schedule="0 */6 * * *") as dag:
        PythonOperator(task_id="predict", python_callable=predict_batch)
"""
SCORING_FLOW = """
    import joblib
    from prefect import flow

    from {module} import {name}


    @flow
    def batch_prediction_flow(features):
        model = joblib.load("model.pkl")
        return model.predict(features)
"""
LOADER = """
    from evidently.test_preset import DataDriftTestPreset
    from evidently.test_suite import TestSuite


    def load_model_from_mlflow():
        return None


    def make_drift_suite(reference, current):
        suite = TestSuite(tests=[DataDriftTestPreset()])
        suite.run(reference_data=reference, current_data=current)
        return suite
"""
MAGE_METADATA = """
    blocks:
    - name: {block}
      type: custom
      uuid: {block}
      language: python
    name: {uuid}
    type: python
    uuid: {uuid}
"""
MAGE_TRIGGERS = """
    triggers:
    - name: daily
      pipeline_uuid: {uuid}
      schedule_interval: '@daily'
      schedule_type: time
      status: active
"""
MAGE_MONITOR = """
    from utils import monitoring


    @custom
    def run_tests(reference, current):
        return monitoring.detect_drift(reference, current)
"""
MAGE_INFERENCE = """
    @custom
    def batch_inference(model, data):
        return model.predict(data)
"""


def _serving(tmp_path, files: dict[str, str]) -> Outcome:
    write(tmp_path, files)
    return checks(tmp_path)["monitoring.serving-metrics"].outcome


def _airflow(schedule: str) -> dict[str, str]:
    return {
        "dags/model_monitoring_pipeline.py": MONITOR_DAG.replace("{schedule}", schedule),
        "dags/batch_prediction_pipeline.py": PREDICTION_DAG,
        "src/__init__.py": "",
        "src/monitoring/__init__.py": "",
        "src/monitoring/drift_detector.py": DRIFT,
    }


def test_a_scheduled_drift_dag_beside_batch_predictions_monitors_them(tmp_path):
    assert _serving(tmp_path, _airflow('"*/30 * * * *"')) is Outcome.PASS


def test_near_miss_a_drift_dag_nobody_schedules(tmp_path):
    assert _serving(tmp_path, _airflow("None")) is not Outcome.PASS


def test_a_scoring_flow_checking_drift_of_each_batch_monitors_it(tmp_path):
    files = {
        "src/__init__.py": "",
        "src/batch/__init__.py": "",
        "src/batch/orchestrator.py": SCORING_FLOW.replace(
            "{module}", "src.monitoring.drift_detector"
        ).replace("{name}", "detect_drift"),
        "src/monitoring/__init__.py": "",
        "src/monitoring/drift_detector.py": DRIFT,
    }
    assert _serving(tmp_path, files) is Outcome.PASS


def test_near_miss_a_scoring_flow_importing_a_loader_from_a_monitoring_module(tmp_path):
    # the flow imports the module only for its model loader; nothing schedules the drift suite
    files = {
        "flows/batch_model_predict.py": SCORING_FLOW.replace(
            "{module}", "make_monitoring_ui_artifacts"
        ).replace("{name}", "load_model_from_mlflow"),
        "flows/make_monitoring_ui_artifacts.py": LOADER,
    }
    assert _serving(tmp_path, files) is not Outcome.PASS


def _mage(scheduled: bool) -> dict[str, str]:
    files = {
        "ml/pipelines/performance_monitor/metadata.yaml": MAGE_METADATA.replace(
            "{block}", "run_tests"
        ).replace("{uuid}", "performance_monitor"),
        "ml/pipelines/batch_inference/metadata.yaml": MAGE_METADATA.replace(
            "{block}", "batch_inference"
        ).replace("{uuid}", "batch_inference"),
        "ml/custom/run_tests.py": MAGE_MONITOR,
        "ml/custom/batch_inference.py": MAGE_INFERENCE,
        "ml/utils/__init__.py": "",
        "ml/utils/monitoring.py": DRIFT,
    }
    if scheduled:
        files["ml/pipelines/performance_monitor/triggers.yaml"] = MAGE_TRIGGERS.replace(
            "{uuid}", "performance_monitor"
        )
    return files


def test_a_daily_mage_drift_monitor_beside_batch_inference_monitors_it(tmp_path):
    assert _serving(tmp_path, _mage(scheduled=True)) is Outcome.PASS


def test_near_miss_a_mage_drift_monitor_without_a_trigger(tmp_path):
    assert _serving(tmp_path, _mage(scheduled=False)) is not Outcome.PASS

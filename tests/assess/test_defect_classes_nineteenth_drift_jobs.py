"""Defect class read from the calibration part's too-low monitoring cells (nineteenth round): a
scheduled monitoring job that measures drift with no metrics library and acts on it (calls a
function triggering retraining, `trigger_retrain_pipeline`, or a TriggerDagRunOperator starting
the training DAG) was not read as watching anything: drift was found, the trigger too, but
monitoring's metrics check read neither. Drift acted on by the job that measures it is now
watched, when the trigger is in the file that detects drift or one importing the project module
that does. The test fails on the code before the fix; the near misses beside it (a drift report
nothing acts on, a DAG triggering another DAG that is no training) pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

MONITOR = """
    import requests
    from evidently.metric_preset import DataDriftPreset
    from evidently.report import Report


    def trigger_retrain_pipeline(share):
        requests.post("https://api.github.com/repos/o/r/dispatches", json={"share": share})


    def main(reference, current):
        report = Report(metrics=[DataDriftPreset()])
        report.run(reference_data=reference, current_data=current)
        share = report.as_dict()["metrics"][0]["result"]["share_of_drifted_columns"]
        if share > 0.3:
            trigger_retrain_pipeline(share)
"""
REPORT_ONLY = """
    from evidently.metric_preset import DataDriftPreset
    from evidently.report import Report


    def main(reference, current):
        report = Report(metrics=[DataDriftPreset()])
        report.run(reference_data=reference, current_data=current)
        report.save_html("drift.html")
"""
EVALUATOR = """
    def update_accuracy_drift(accuracy, baseline):
        return baseline - accuracy
"""
DAG = """
    from airflow import DAG
    from airflow.operators.trigger_dagrun import TriggerDagRunOperator

    from dags.scripts.model_evaluator import update_accuracy_drift

    with DAG("model_evaluating_dag", schedule="@weekly") as dag:
        TriggerDagRunOperator(task_id="retrain", trigger_dag_id="{target}")
"""


def _metrics(tmp_path, files: dict[str, str]) -> Outcome:
    write(tmp_path, files)
    return checks(tmp_path)["monitoring.pipeline-metrics"].outcome


def test_a_drift_job_triggering_retraining_is_watched(tmp_path):
    assert _metrics(tmp_path, {"src/evidently_monitor.py": MONITOR}) is Outcome.PASS


def test_a_dag_triggering_training_on_accuracy_drift_is_watched(tmp_path):
    files = {
        "dags/model_evaluating_dag.py": DAG.replace("{target}", "model_training_dag"),
        "dags/scripts/model_evaluator.py": EVALUATOR,
    }
    assert _metrics(tmp_path, files) is Outcome.PASS


def test_near_miss_a_drift_report_nothing_acts_on(tmp_path):
    assert _metrics(tmp_path, {"src/drift_report.py": REPORT_ONLY}) is not Outcome.PASS


def test_near_miss_a_dag_triggering_a_dag_that_is_no_training(tmp_path):
    files = {
        "dags/model_evaluating_dag.py": DAG.replace("{target}", "data_quality_validation"),
        "dags/scripts/model_evaluator.py": EVALUATOR,
    }
    assert _metrics(tmp_path, files) is not Outcome.PASS

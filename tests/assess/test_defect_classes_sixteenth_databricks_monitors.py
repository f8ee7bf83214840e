"""Defect class read from the calibration part's monitoring misses: a Databricks notebook that
creates a Lakehouse monitor on the model's inference table with the workspace client made in an
earlier cell (`w.quality_monitors.create(...)`, the older `w.lakehouse_monitors.create(...)`)
read as nothing watched, though a bundle job runs the notebook. A notebook's cells are parsed
one by one, and the cell with the call names no Databricks word the parser's cheap gate looks
for, so the call was never read; and a notebook's facts do not count, while this one is code a
job runs (`notebook_task.notebook_path`), not exploration.
The tests fail on the code before the fix; the near misses beside them (a job's notebook that
only looks a monitor up or only reads a monitor's metrics table, and the creating notebook
that no job runs) pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, notebook, write

SETUP = """
from databricks.sdk import WorkspaceClient
from databricks.sdk.service import catalog

w = WorkspaceClient()
TABLE = "main.water.inferences"
"""

CREATE = """
monitor = catalog.CreateMonitor(
    table_name=TABLE,
    assets_dir="/Shared/monitoring",
    output_schema_name="main.water",
    inference_log=catalog.MonitorInferenceLog(
        granularities=["1 day"],
        prediction_col="prediction",
        model_id_col="model_version",
        timestamp_col="ts",
        problem_type=catalog.MonitorInferenceLogProblemType.PROBLEM_TYPE_CLASSIFICATION,
    ),
)
try:
    w.quality_monitors.create(monitor)
except Exception as exc:
    print(exc)
"""

LOOKUP = """
info = w.quality_monitors.get(TABLE)
print(info.status)
"""

METRICS = """
drift = spark.table("main.water.inferences_drift_metrics")
display(drift.filter("js_distance > 0.2"))
"""


BUNDLE = """
    bundle: {name: water}
    include: [resources/*.yml]
    targets: {dev: {mode: development, default: true}}
"""

JOBS = """
    resources:
      jobs:
        monitoring_setup:
          name: water-monitoring-setup
          tasks:
            - task_key: create_monitor
              notebook_task:
                notebook_path: ../notebooks/monitoring/create_monitor.ipynb
"""


def _serving_monitored(tmp_path, cells, jobs=JOBS):
    files = {
        "databricks.yml": BUNDLE,
        "resources/monitoring.yml": jobs,
        "notebooks/monitoring/create_monitor.ipynb": notebook([SETUP, *cells]),
    }
    write(tmp_path, files)
    return checks(tmp_path)["monitoring.serving-metrics"].outcome


def test_a_lakehouse_monitor_created_in_a_later_cell_watches_the_inference_table(tmp_path):
    assert _serving_monitored(tmp_path, [CREATE]) is Outcome.PASS


def test_the_older_lakehouse_monitors_api_watches_it_too(tmp_path):
    cell = CREATE.replace("quality_monitors", "lakehouse_monitors")
    assert _serving_monitored(tmp_path, [cell]) is Outcome.PASS


def test_looking_a_monitor_up_is_not_monitoring(tmp_path):
    # near miss: the monitor is only fetched, nothing is created here
    assert _serving_monitored(tmp_path, [LOOKUP]) is Outcome.FAIL


def test_reading_a_monitors_metrics_table_is_not_monitoring(tmp_path):
    # near miss: a notebook reading a drift metrics table some monitor elsewhere writes
    assert _serving_monitored(tmp_path, [METRICS]) is Outcome.FAIL


def test_the_notebook_named_without_its_extension_is_the_same_notebook(tmp_path):
    jobs = JOBS.replace("create_monitor.ipynb", "create_monitor")
    assert _serving_monitored(tmp_path, [CREATE], jobs) is Outcome.PASS


def test_a_monitor_created_in_a_notebook_no_job_runs_does_not_count(tmp_path):
    # near miss: the job runs another notebook; this one is exploration, like any notebook
    jobs = JOBS.replace("create_monitor.ipynb", "score.ipynb")
    assert _serving_monitored(tmp_path, [CREATE], jobs) is Outcome.FAIL

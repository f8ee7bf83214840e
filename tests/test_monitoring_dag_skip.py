"""The level-3 monitoring DAG's skip says why: drift judged and none found, or too few rows to
judge (a fresh project's first `make dag-test-monitoring`). The DAG file runs against a minimal
stand-in for Airflow's task API (the real Airflow runs it in tests/e2e/test_level3.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from scaffolder.catalog import builtin_catalog
from scaffolder.render import render

AIRFLOW_SDK = """
class Asset:
    def __init__(self, name): self.name = name
def dag(**kwargs):
    return lambda fn: fn
TASKS = {}
def task(**kwargs):
    def wrap(fn):
        TASKS[fn.__name__] = fn
        return lambda *a, **k: None
    return wrap
"""
RUN = """
import json, sys, types
report = json.loads(sys.argv[1])
module = types.ModuleType("churn.monitoring")
module.run_monitoring = lambda: report
sys.modules["churn.monitoring"] = module
import importlib.util
spec = importlib.util.spec_from_file_location("dag", "dags/churn_monitoring.py")
spec.loader.exec_module(importlib.util.module_from_spec(spec))
from airflow.sdk import TASKS
from airflow.sdk.exceptions import AirflowSkipException
try:
    TASKS["monitor"](outlet_events={})
except AirflowSkipException as skipped:
    print(skipped)
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("dag")
    render(builtin_catalog(), {"project_name": "churn", "level": 3}, root / "churn")
    stubs = root / "stubs"
    (stubs / "airflow/sdk").mkdir(parents=True)
    (stubs / "airflow/__init__.py").write_text("")
    (stubs / "airflow/sdk/__init__.py").write_text(AIRFLOW_SDK)
    (stubs / "airflow/sdk/exceptions.py").write_text(
        "class AirflowSkipException(Exception): pass\n"
    )
    (stubs / "pendulum.py").write_text("def datetime(*a, **k): pass\ndef duration(**k): pass\n")
    return root


def _skip(project: Path, drift: dict) -> str:
    import json

    report = {
        "decision": {"action": "none", "retrain": False, "reasons": [], "blocked_by": []},
        "drift": drift,
        "files": {"json": "report.json"},
    }
    result = subprocess.run(
        [sys.executable, "-c", RUN, json.dumps(report)], cwd=project / "churn",
        env={"PYTHONPATH": str(project / "stubs")}, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return result.stdout.strip()


def test_no_data_yet_is_not_nothing_drifted(project):
    skipped = _skip(project, {"rows": 0, "enough_data": False})
    assert skipped == "no retrain (none): 0 rows in the window: too few to judge drift"


def test_judged_and_calm_is_nothing_drifted(project):
    assert (
        _skip(project, {"rows": 600, "enough_data": True}) == "no retrain (none): nothing drifted"
    )

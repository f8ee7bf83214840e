"""Test support for a project's own suite: every platform store and output in a test's temporary
folder, and the split into fast and slow tests. A generated project's `tests/conftest.py` uses
it::

    from mlops_runtime.testing import isolate, pytest_configure, pytest_ignore_collect

    @pytest.fixture(autouse=True)
    def isolated_outputs(tmp_path, monkeypatch):
        isolate(monkeypatch, tmp_path, ROOT)

Which variables the platform reads is the platform's knowledge: when a runtime release adds one,
the project's tests stay away from the real stores by the version bump alone. Nothing here
imports pytest (the two hooks take pytest's objects).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

SLOW_MARK = "pytestmark = pytest.mark.slow"
# Where a run comes from (mlops_runtime.records): the tests decide, not the shell or an
# orchestrator.
ORIGIN_ENVS = (
    "PIPELINE_TRIGGER", "PIPELINE_RUN_ID", "PIPELINE_ORCHESTRATOR", "AIRFLOW_CTX_DAG_RUN_ID",
    "KFP_RUN_ID",
)  # fmt: skip
# Read from the project (config/) or chosen by each test, never taken from the shell.
UNSET_ENVS = (
    "PIPELINE_CONFIG", "PIPELINE_DATA_SOURCE", "MLOPS_ENV", "PREDICTION_LOG_URI", "FEEDBACK_URI",
    "MONITORING_REPORT_URI", "MONITORING_CONFIG", "PROMOTION_POLICY", "GOVERNANCE_ACTOR",
    "REMEDIATION_POLICY",
)  # fmt: skip


def isolate(monkeypatch: Any, tmp_path: Path, root: Path, gx_root: Path | None = None) -> None:
    """Point every store and output the platform writes (MLflow, pipeline metrics, artifacts,
    prediction log, state store, monitoring metrics, audit log, release notes, GX context) into
    `tmp_path`
    (`gx_root`: a GX folder shared by a session), with the project rooted at `root`."""
    setenv = monkeypatch.setenv
    setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    setenv("PIPELINE_METRICS_FILE", str(tmp_path / "metrics" / "pipeline.prom"))
    setenv("MLOPS_PROJECT_ROOT", str(root))
    setenv("MLOPS_GX_ROOT", str(gx_root or tmp_path / "gx"))
    setenv("MLOPS_ARTIFACT_ROOT", (tmp_path / "artifacts").as_uri())
    setenv("MONITORING_STATE_DIR", str(tmp_path / "monitoring-state"))
    setenv("MLOPS_STATE_URI", f"sqlite:///{tmp_path / 'state.db'}")
    setenv("MONITORING_METRICS_DIR", str(tmp_path / "metrics"))
    setenv("GOVERNANCE_AUDIT_LOG", str(tmp_path / "audit" / "model_registry.jsonl"))
    setenv("RELEASE_NOTES_DIR", str(tmp_path / "release_notes"))
    for name in (*UNSET_ENVS, *ORIGIN_ENVS):
        monkeypatch.delenv(name, raising=False)


def pytest_configure(config: Any) -> None:
    """Declare the `slow` mark (`make test-slow` runs them, `make test` leaves them out)."""
    config.addinivalue_line(
        "markers",
        "slow: tests that run the pipeline, MLflow, an orchestrator, Great "
        "Expectations or a server (make test-slow)",
    )


def pytest_ignore_collect(collection_path: Path, config: Any) -> bool | None:
    """With `-m "not slow"` (make test) the slow modules are not even imported: importing
    MLflow, Airflow or Great Expectations takes longer than the unit tests."""
    if config.getoption("markexpr") != "not slow":
        return None
    if collection_path.suffix != ".py" or not collection_path.name.startswith("test_"):
        return None
    return SLOW_MARK in collection_path.read_text(encoding="utf-8") or None

"""What the runtime tests' fake projects share: a package of small modules written into a
temporary folder and importable for one test, and the endpoint variables a test must not take
from the shell. `fake_project.py` (MLflow on SQLite: governance, remediation, CD) and
`serving_project.py` (hooks answering from memory: serving, validation, scoring) build on it;
`sampleproj/` is a static package for monitoring."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Mapping
from pathlib import Path

# Every variable that points the runtime at a store or a config file (mlops_runtime.settings and
# the governance, remediation and serving modules): unset, each takes its default under the
# project root, so a test never reaches the developer's real stores.
ENDPOINTS = (
    "MLFLOW_TRACKING_URI", "MLOPS_ARTIFACT_ROOT", "PREDICTION_LOG_URI", "FEEDBACK_URI",
    "MONITORING_REPORT_URI", "MLOPS_STATE_URI", "MONITORING_STATE_DIR", "MONITORING_METRICS_DIR",
    "MONITORING_CONFIG", "REMEDIATION_POLICY", "PROMOTION_POLICY", "GOVERNANCE_AUDIT_LOG",
    "GOVERNANCE_ACTOR", "MLOPS_ENV", "PIPELINE_RUN_ID", "SERVING_MODEL_ALIAS",
    "SERVING_MODEL_VERSION", "SERVING_AB_MODE", "MLOPS_GX_ROOT",
)  # fmt: skip


def write_package(folder: Path, package: str, modules: Mapping[str, str], monkeypatch) -> None:
    """Write `modules` (path inside the package -> source, dedented) as package `package` in
    `folder` and make it importable for this test (also for the subprocesses it starts)."""
    for name, text in modules.items():
        path = folder / package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.setenv("PYTHONPATH", str(folder))


def clear_endpoints(monkeypatch) -> None:
    """Unset every endpoint variable (`ENDPOINTS`)."""
    for name in ENDPOINTS:
        monkeypatch.delenv(name, raising=False)


def forget_package(package: str) -> None:
    """Drop the package's modules from `sys.modules`, so the next test imports its own copy."""
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        del sys.modules[name]

"""A project's commands print their own summary, not MLflow's INFO lines or progress bars."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

# A first run on a fresh SQLite store: MLflow logs its table creation at INFO.
FIRST_RUN = """
import sys
from mlops_runtime.console import quiet_third_party_output
if sys.argv[1] == "quiet":
    quiet_third_party_output()
import mlflow
mlflow.set_tracking_uri(sys.argv[2])
mlflow.MlflowClient().search_experiments()
import os
print(os.environ.get("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"))
"""


def _first_run(tmp_path, mode: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "GX_"))}
    return subprocess.run(
        [sys.executable, "-c", FIRST_RUN, mode, f"sqlite:///{tmp_path / mode}.db"],
        capture_output=True, text=True, check=True, timeout=120, env={**clean, **env},
    )  # fmt: skip


def test_quiet_output_drops_mlflows_info_lines_and_progress_bars(tmp_path):
    loud = _first_run(tmp_path, "loud")
    assert "INFO mlflow" in loud.stderr  # what the quiet mode is for
    quiet = _first_run(tmp_path, "quiet")
    assert "INFO" not in quiet.stderr, quiet.stderr
    assert quiet.stdout.strip() == "false"


def test_the_users_own_level_wins(monkeypatch):
    from mlops_runtime.console import QUIET_ENVIRONMENT, quiet_third_party_output

    for name in QUIET_ENVIRONMENT:  # restored after the test
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MLFLOW_LOGGING_LEVEL", "INFO")
    logger = logging.getLogger("alembic")
    monkeypatch.setattr(logger, "level", logging.INFO)
    quiet_third_party_output()
    assert os.environ["MLFLOW_LOGGING_LEVEL"] == "INFO" and logger.level == logging.INFO

"""Quiet terminals for a project's commands (`make train`, `monitor`, `retrain`, `rollback`).

MLflow logs INFO lines (its SQLite store's table creation on a first run, every store
initialisation) and draws a progress bar for every artifact it downloads; Great Expectations
draws progress bars and sends usage statistics. None of it tells a person at a terminal
anything the command's own summary does not. `quiet_third_party_output()` turns it down to
warnings, before or after those libraries are imported. A variable the user has set wins:
`MLFLOW_LOGGING_LEVEL=INFO make train` shows MLflow's INFO lines again.
"""

from __future__ import annotations

import logging
import os

# Environment defaults read by the libraries when they start (or when they draw a bar).
QUIET_ENVIRONMENT = {
    "MLFLOW_LOGGING_LEVEL": "WARNING",
    "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false",
    "GX_ANALYTICS_ENABLED": "False",
}
# Loggers that chat at INFO; MLflow re-applies MLFLOW_LOGGING_LEVEL to its own on import.
QUIET_LOGGERS = ("mlflow", "alembic", "great_expectations")


def quiet_third_party_output() -> None:
    """Third-party INFO logging and progress bars off, unless the user asked for them."""
    user_level = os.environ.get("MLFLOW_LOGGING_LEVEL")
    for name, value in QUIET_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    if user_level:  # the user's choice, applied by MLflow itself
        return
    for name in QUIET_LOGGERS:
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < logging.WARNING:
            logger.setLevel(logging.WARNING)

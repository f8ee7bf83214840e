"""MLflow set-up: `MLFLOW_TRACKING_URI`, default `sqlite:///<project>/mlflow.db`."""

from __future__ import annotations

import os
from pathlib import Path

import mlflow

from .config import project_root


def tracking_uri() -> str:
    """`$MLFLOW_TRACKING_URI` if set, else the SQLite file `mlflow.db` in the project root."""
    return os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{project_root() / 'mlflow.db'}"


def _artifact_location(uri: str) -> str | None:
    """For a local SQLite store, keep artifacts in `mlruns/` next to the database file."""
    if not uri.startswith("sqlite:///"):
        return None  # a tracking server decides where artifacts go
    database = Path(uri.removeprefix("sqlite:///"))
    return (database.resolve().parent / "mlruns").as_uri()


def configure(experiment: str) -> str:
    """Point MLflow at the tracking store and select (or create) `experiment`; return the URI."""
    uri = tracking_uri()
    mlflow.set_tracking_uri(uri)
    if mlflow.get_experiment_by_name(experiment) is None:
        mlflow.create_experiment(experiment, artifact_location=_artifact_location(uri))
    mlflow.set_experiment(experiment)
    return uri

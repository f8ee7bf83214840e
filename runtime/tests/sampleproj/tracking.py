import os
from pathlib import Path


def tracking_uri() -> str:
    root = Path(os.environ.get("MLOPS_PROJECT_ROOT") or Path.cwd())
    return os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{root / 'mlflow.db'}"

"""Lineage of a model version: where it came from, written as model-version tags `lineage.*`.

The training step logs its data as an `mlflow.data` dataset (a run input with a digest); the
register step tags the version with the git commit, that digest, the training configuration's
digest, the orchestrator's run id, the logged model's id, the reference profile's location, the
validation results and the trigger. Tags on the version (not only the run) because a tracking
server may not return `ModelVersion.model_id`, and because the promotion policy reads them.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from typing import Any

from ..config import PipelineConfig, project_root

PREFIX = "lineage."
TRIGGER_ENV = "PIPELINE_TRIGGER"
TRIGGERS = ("manual", "schedule", "drift", "decay")
RUN_ID_ENV = "PIPELINE_RUN_ID"
# Set by the orchestrators for their tasks: Airflow exports its context to the environment.
ORCHESTRATOR_ENVS = (("airflow", "AIRFLOW_CTX_DAG_RUN_ID"), ("kubeflow", "KFP_RUN_ID"))
COMMIT_ENVS = ("GIT_COMMIT", "GITHUB_SHA", "CI_COMMIT_SHA")
PROFILE_ARTIFACT = "reference_profile.json"


def git_commit() -> str:
    """The commit the code was trained from (the CI's variable, else `git rev-parse HEAD`),
    with `+dirty` when the work tree has uncommitted changes; "unknown" outside git."""
    for name in COMMIT_ENVS:
        if os.environ.get(name):
            return os.environ[name]
    root = project_root()
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root, capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{sha}+dirty" if dirty else sha


def trigger() -> str:
    """Why this training ran: $PIPELINE_TRIGGER (manual, schedule, drift or decay)."""
    value = (os.environ.get(TRIGGER_ENV) or "manual").strip().lower()
    if value not in TRIGGERS:
        raise ValueError(f"{TRIGGER_ENV}={value!r}: use one of {', '.join(TRIGGERS)}")
    return value


def pipeline_run() -> tuple[str, str]:
    """(orchestrator, run id): $PIPELINE_RUN_ID, the orchestrator's own, else a local run."""
    if os.environ.get(RUN_ID_ENV):
        return os.environ.get("PIPELINE_ORCHESTRATOR", "external"), os.environ[RUN_ID_ENV]
    for orchestrator, name in ORCHESTRATOR_ENVS:
        if os.environ.get(name):
            return orchestrator, os.environ[name]
    return "local", "local"


def config_digest(cfg: PipelineConfig) -> str:
    """A digest of what shapes the model besides the data: model type and params, split."""
    settings = {
        "model": {"type": cfg.model.type, "params": cfg.model.params},
        "split": {"seed": cfg.data.seed, "test_size": cfg.data.test_size},
    }
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:16]


def log_training_data(df: Any, source: str, name: str, target: str) -> str:
    """Log `df` as the active run's training dataset (an `mlflow.data` input) and tag the run
    with its digest and the git commit; the digest."""
    import mlflow
    import mlflow.data

    dataset = mlflow.data.from_pandas(df, source=source, name=name, targets=target)
    mlflow.log_input(dataset, context="training")
    # On the run too: the version's lineage tags are copied from these.
    mlflow.set_tags({"lineage.data_digest": dataset.digest, "lineage.git_commit": git_commit()})
    return dataset.digest


def version_tags(
    run: Any,
    model_id: str | None,
    evaluation: dict[str, Any],
    cfg: PipelineConfig,
    artifacts: set[str] | None = None,
) -> dict[str, str]:
    """The `lineage.*` tags of a version registered from MLflow run `run` (whose artifacts
    have the paths `artifacts`)."""
    orchestrator, run_id = pipeline_run()
    tests = evaluation.get("model_tests") or {}
    validation = {
        "data": "passed",  # the pipeline stops before registering when the checkpoint fails
        "quality_gate": "passed" if evaluation.get("passed") else "failed",
        "model_tests": "passed" if tests.get("passed") else "failed",
    }
    profile = evaluation.get("reference_profile") or run.data.tags.get("reference_profile")
    if not profile and PROFILE_ARTIFACT in (artifacts or set()):
        profile = f"runs:/{run.info.run_id}/{PROFILE_ARTIFACT}"
    tags = {
        "git_commit": run.data.tags.get("lineage.git_commit") or git_commit(),
        "data_digest": run.data.tags.get("lineage.data_digest", ""),
        "config_digest": config_digest(cfg),
        "orchestrator": orchestrator,
        "pipeline_run_id": run_id,
        "mlflow_run_id": run.info.run_id,
        "logged_model_id": model_id or "",
        "reference_profile": profile or "",
        "validation": json.dumps(validation, sort_keys=True),
        "trigger": trigger(),
    }
    return {PREFIX + k: v for k, v in tags.items()}


def lineage_of(tags: dict[str, str]) -> dict[str, str]:
    """The lineage tags of a version, without the prefix."""
    return {k.removeprefix(PREFIX): v for k, v in sorted(tags.items()) if k.startswith(PREFIX)}

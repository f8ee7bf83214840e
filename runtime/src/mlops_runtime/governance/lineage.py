"""Lineage of a model version: where it came from, written as model-version tags `lineage.*`.

At every level the training step logs its data as an `mlflow.data` dataset (a run input with a
digest) and tags its run with where it came from (`mlops_runtime.records`); the register step tags
the version with the git commit, that digest, the training configuration's digest, the
orchestrator's run id, the logged model's id and the trigger, and here, at level 3, also the
reference profile's location and the validation results. Tags on the version (not only the
run) because a tracking server may not return `ModelVersion.model_id`, and because the
promotion policy reads them.
"""

from __future__ import annotations

import json
from typing import Any

from ..project import Project

PREFIX = "lineage."
PROFILE_ARTIFACT = "reference_profile.json"


def version_tags(
    project: Project,
    run: Any,
    model_id: str | None,
    evaluation: dict[str, Any],
    cfg: Any,
    artifacts: set[str] | None = None,
) -> dict[str, str]:
    """The `lineage.*` tags of a version registered from MLflow run `run` (whose artifacts
    have the paths `artifacts`): those of every level (the project's `lineage_tags` hook) plus
    the reference profile and the validation results."""
    tests = evaluation.get("model_tests") or {}
    validation = {
        "data": "passed",  # the pipeline stops before registering when the checkpoint fails
        "quality_gate": "passed" if evaluation.get("passed") else "failed",
        "model_tests": "passed" if tests.get("passed") else "failed",
    }
    profile = evaluation.get("reference_profile") or run.data.tags.get("reference_profile")
    if not profile and PROFILE_ARTIFACT in (artifacts or set()):
        profile = f"runs:/{run.info.run_id}/{PROFILE_ARTIFACT}"
    tags = dict(project.call("lineage_tags", run, model_id, cfg))
    if not tags.get(PREFIX + "trigger") or not tags.get(PREFIX + "pipeline_run_id"):
        where = project.call("pipeline_origin")  # this process: $PIPELINE_RUN_ID, orchestrator
        if not tags.get(PREFIX + "trigger"):
            tags[PREFIX + "trigger"] = where.trigger
        if not tags.get(PREFIX + "pipeline_run_id"):
            tags[PREFIX + "orchestrator"] = where.orchestrator
            tags[PREFIX + "pipeline_run_id"] = where.run_id
    tags[PREFIX + "reference_profile"] = profile or ""
    tags[PREFIX + "validation"] = json.dumps(validation, sort_keys=True)
    return tags


def lineage_of(tags: dict[str, str]) -> dict[str, str]:
    """The lineage tags of a version, without the prefix."""
    return {k.removeprefix(PREFIX): v for k, v in sorted(tags.items()) if k.startswith(PREFIX)}

"""DVC stages as a training pipeline: the stages count when one of them trains."""

from __future__ import annotations

from scaffolder.assess.checks.base import module_index, reachable
from scaffolder.assess.models import Fact, Facts

# a model trained, saved or tracked: where training is
TRAINS = ("model.save", "train.entrypoint", "mlflow.tracking", "mlflow.registry", "track.run")


def training_stages(f: Facts, stages: list[Fact]) -> list[Fact]:
    """The `dvc.yaml` stages, unless none of them reaches training while the project trains
    elsewhere: every stage runs the project's Python (`runs`: a script or a module), and neither
    those files nor the project modules they import save, track or train a model (ingestion,
    cleaning, features), or the stage's module runs nothing (`inert`: a module re-exporting the
    training code with no `__main__` block imports it and exits). A stage running anything else
    (a shell script, a tool's command) may train: the stages count."""
    trains = {x.path for kind in TRAINS for x in f.of(kind)}
    if not stages or not trains or not all(x.detail.get("runs") for x in stages):
        return stages
    index = module_index(f)
    known = set(index.values())
    start = set()
    for stage in stages:
        inert = set(stage.detail.get("inert") or [])
        for run in stage.detail["runs"]:
            if run in inert:
                continue  # imported, and nothing run
            path = str(run) if str(run).endswith(".py") else index.get(str(run))
            if path is None or path not in known:
                return stages  # a module or script the scan has no facts of: cannot tell
            start.add(path)
    return stages if reachable(f, start) & trains else []


def idle_stages(f: Facts) -> list[Fact]:
    """The `dvc.yaml` stages when none of them trains (for the verdict's sentence)."""
    stages = f.of("dvc.stage")
    return stages if stages and not training_stages(f, stages) else []

"""Monitoring of batch predictions: drift measured on what a batch-scoring job scores, by that
job or by a scheduled job of the same orchestration. A project that serves by batch (an Airflow
DAG, a Prefect flow, a Databricks job, a Mage pipeline writing predictions) has no endpoint to
watch: its predictions are watched when drift is measured where they are made."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from scaffolder.assess.checks.base import notebook_stem, of, reachable
from scaffolder.assess.models import Fact, Facts

# a unit named for scoring (`batch_prediction_pipeline`, `04_predict.py`, `batch_inference`)
SCORING = re.compile(r"predict|inferen|scor(e|ing)", re.I)
# Airflow's "never on its own" schedules: the DAG is triggered by hand or by another DAG
UNSCHEDULED = {"", "none", "@once"}
# flow runners whose pipeline.def is a Python flow in its own file
PYTHON_FLOWS = {"Prefect", "Dagster", "Metaflow", "ZenML", "Flyte"}


@dataclass(frozen=True)
class Unit:
    """One orchestrated unit (a DAG, a flow, a job, a Mage pipeline): its name, the project
    files it runs, and whether the orchestrator starts it on a schedule."""

    name: str
    files: frozenset[str]
    scheduled: bool
    fact: Fact


def _units(f: Facts) -> list[Unit]:
    units = [
        Unit(
            str(x.detail.get("dag_id")),
            frozenset({x.path}),
            str(x.detail.get("schedule") or "").lower() not in UNSCHEDULED,
            x,
        )
        for x in f.of("airflow.dag")
    ]
    schedules = of(f, "pipeline.schedule")
    # a Prefect deployment's entrypoint (`src/flows/monitor.py:monitor`) names the flow's file
    entries = {str(x.detail.get("entrypoint")).split(":")[0] for x in schedules}
    for x in of(f, "pipeline.def"):
        tool = x.detail.get("tool")
        name = str(x.detail.get("name"))
        if tool in PYTHON_FLOWS:
            name += " scores" if x.detail.get("scores") else ""
            units.append(Unit(name, frozenset({x.path}), x.path in entries, x))
        elif tool == "Mage" and x.detail.get("files"):
            # triggers.yaml beside the pipeline's metadata.yaml schedules it
            folder = posixpath.dirname(x.path)
            timed = any(posixpath.dirname(s.path) == folder for s in schedules)
            units.append(Unit(name, frozenset(x.detail["files"]), timed, x))
    # a Databricks job's notebooks, scheduled when the job (same file and line) has a schedule
    timed_jobs = {(x.path, x.line) for x in schedules}
    jobs: dict[tuple[str, int], list[Fact]] = {}
    for x in of(f, "job.notebook"):
        jobs.setdefault((x.path, x.line), []).append(x)
    for key, notebooks in jobs.items():
        paths = {str(n.detail.get("notebook")) for n in notebooks}
        files = paths | {notebook_stem(p) + ".py" for p in paths}
        units.append(
            Unit(" ".join(sorted(paths)), frozenset(files), key in timed_jobs, notebooks[0])
        )
    return units


def scored_drift(f: Facts) -> list[Fact]:
    """A batch-scoring unit whose predictions are watched for drift: the scoring unit imports a
    drift module (`from src.monitoring.drift_detector import DriftDetector`: every batch is
    checked as it is scored), or a scheduled unit runs drift detection beside it (a 30-minute
    monitoring DAG, the hourly job whose notebooks check drift and predict, a daily Mage
    monitor). Drift measured only by a flow run by hand, or in a project that scores no batch,
    is not this (a drift report, level 1 at most)."""
    drift = {x.path for x in of(f, "drift.library", "drift.test")}
    # a function named for drift (`detect_drift`), not any PSI helper (`psi_threshold`)
    drift |= {
        x.path for x in of(f, "drift.function") if "drift" in str(x.detail.get("name")).lower()
    }
    if not drift:
        return []
    units = _units(f)
    scoring = [u for u in units if SCORING.search(u.name)]
    if not scoring:
        return []
    modules = {p for p in drift if "drift" in posixpath.basename(p).lower()}
    inline = [u for u in scoring if reachable(f, set(u.files)) & modules]
    watching = [u for u in units if u.scheduled and reachable(f, set(u.files)) & drift]
    hits = inline + watching
    if not hits:
        return []
    return [u.fact for u in hits[:3]] + [scoring[0].fact]

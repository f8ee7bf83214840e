"""Facts from Databricks job and bundle files: asset bundle resources (`databricks.yml`),
dbx deployment files and Jobs API specs in JSON."""

from __future__ import annotations

import json
import posixpath
import re
from typing import Any

from scaffolder.assess.models import Fact, Zone
from scaffolder.assess.parse_yaml import YMap

BUNDLE_RESOURCES: dict[str, tuple[str, str]] = {
    "jobs": ("pipeline.def", "Databricks job"),
    "pipelines": ("pipeline.def", "Databricks DLT pipeline"),
    "model_serving_endpoints": ("serving.app", "Databricks serving endpoint"),
    "registered_models": ("registry.model", "Unity Catalog"),
    "models": ("registry.model", "Databricks model registry"),
    "experiments": ("track.run", "Databricks MLflow experiment"),
    "quality_monitors": ("drift.monitor", "Databricks Lakehouse Monitoring"),
}
# more facts of a bundle resource: a Lakehouse monitor watches the serving endpoint's inference
# table; a job runs on Databricks compute (a managed job environment)
BUNDLE_ALSO: dict[str, tuple[str, str]] = {
    "quality_monitors": ("serving.monitor", "Databricks Lakehouse Monitoring"),
    "jobs": ("runtime.managed", "Databricks job compute"),
}


DATABRICKS_TASKS = ("notebook_task", "spark_python_task", "python_wheel_task", "spark_jar_task")


def _databricks_job(body: Any) -> bool:
    """A Databricks job spec (Jobs API JSON, a dbx workflow): tasks that run code on clusters."""
    if not isinstance(body, dict):
        return False
    tasks = body.get("tasks") if isinstance(body.get("tasks"), list) else [body]
    return any(isinstance(t, dict) and any(k in t for k in DATABRICKS_TASKS) for t in tasks)


DATABRICKS_PARAMETERS = ("base_parameters", "parameters", "named_parameters")


def _databricks_job_parameters(body: dict) -> bool:
    """A Databricks job whose tasks (or the job itself) pass parameters to the code they run."""
    tasks = body.get("tasks") if isinstance(body.get("tasks"), list) else []
    for holder in [body, *tasks]:
        if not isinstance(holder, dict):
            continue
        if holder.get("parameters"):
            return True
        for key in DATABRICKS_TASKS:
            task = holder.get(key)
            if isinstance(task, dict) and any(task.get(p) for p in DATABRICKS_PARAMETERS):
                return True
    return False


# what a bundle target says about where and how it is deployed, not about the run
TARGET_PLUMBING = {
    "mode",
    "default",
    "workspace",
    "presets",
    "run_as",
    "permissions",
    "git",
    "sync",
}


def bundle_without_settings(doc: YMap) -> bool:
    """A bundle whose targets set only where and how it is deployed (`mode`, `workspace.host`),
    with no `variables` and no target setting anything else: environments to deploy to, but no
    parameter of a run lives in it (its jobs' own parameters are read with the jobs)."""
    targets = doc.get("targets")
    if not isinstance(doc.get("bundle"), dict) or not isinstance(targets, YMap):
        return False
    if doc.get("variables"):
        return False
    return all(
        isinstance(t, dict) and set(map(str, t)) <= TARGET_PLUMBING for t in targets.values()
    )


def databricks_job_json(text: str, path: str, zone: Zone) -> list[Fact]:
    """A Databricks Jobs API spec in JSON (`databricks jobs create --json-file jobs/x.json`): a
    job (an orchestrated step) on Databricks compute."""
    try:
        data = json.loads(text)
    except ValueError:
        return []
    if not _databricks_job(data):
        return []
    facts = [_fact("runtime.managed", path, 1, zone, tool="Databricks job compute")]
    if not _one_time_run(data):
        facts.insert(
            0,
            _fact("pipeline.def", path, 1, zone, tool="Databricks job", name=str(data.get("name"))),
        )
    if _databricks_job_parameters(data):
        # the run's parameters (`notebook_task.base_parameters`) live in the job spec
        facts.append(_fact("config.file", path, 1, zone, thresholds=False, keys=0))
    return facts


def _one_time_run(data: dict) -> bool:
    """A one-time run's spec (Runs Submit API: `run_name`, one task, no job `name`, no schedule;
    what `mlflow run --backend databricks --backend-config spec.json` sends): code run once on a
    cluster, not a job that orchestrates it."""
    return "run_name" in data and not any(k in data for k in ("name", "tasks", "schedule"))


def _dbx_workflows(doc: YMap, path: str, zone: Zone) -> list[Fact]:
    """dbx deployment files (`environments: {default: {workflows: [...]}}`): Databricks jobs."""
    envs = doc.get("environments")
    if not isinstance(envs, dict):
        return []
    facts = []
    for body in envs.values():
        flows = body.get("workflows") or body.get("jobs") if isinstance(body, dict) else None
        for flow in flows if isinstance(flows, list) else []:
            if _databricks_job(flow):
                name = str(flow.get("name"))
                facts.append(_fact("pipeline.def", path, doc.line, zone, tool="dbx", name=name))
                facts.append(_fact("runtime.managed", path, doc.line, zone, tool="Databricks"))
    return facts


def _bundle_resources(doc: YMap, path: str, zone: Zone) -> list[Fact]:
    """Databricks asset bundle resources (`databricks.yml` or an included resources file):
    jobs and their schedules, serving endpoints, Unity Catalog models, experiments."""
    resources = doc.get("resources")
    if not isinstance(resources, YMap):
        return []
    facts = []
    for group, entries in resources.items():
        hit = BUNDLE_RESOURCES.get(str(group))
        if not hit or not isinstance(entries, YMap):
            continue
        for key, body in entries.items():
            line = entries.line_of(key)
            tasks = body.get("tasks") if group == "jobs" and isinstance(body, dict) else None
            if not (isinstance(tasks, list) and len(tasks) < 2):
                # a job of one task runs one notebook or script (a managed job, BUNDLE_ALSO):
                # nothing is orchestrated
                facts.append(_fact(hit[0], path, line, zone, tool=hit[1], name=str(key)))
            also = BUNDLE_ALSO.get(str(group))
            if also:
                facts.append(_fact(also[0], path, line, zone, tool=also[1], name=str(key)))
            if group == "jobs" and isinstance(body, dict) and _databricks_job_parameters(body):
                # the run's parameters (`notebook_task.base_parameters`) live in the bundle
                facts.append(_fact("config.file", path, line, zone, thresholds=False, keys=0))
            if group == "jobs" and isinstance(body, dict):
                facts += _job_notebooks(body, path, line, zone, str(key))
            if (
                group == "jobs"
                and isinstance(body, dict)
                and ("schedule" in body or "trigger" in body)
            ):
                facts.append(_fact("pipeline.schedule", path, line, zone, tool="Databricks job"))
    return facts


def _job_notebooks(body: dict, path: str, line: int, zone: Zone, job: str) -> list[Fact]:
    """The repository's notebooks a bundle job's tasks run (`notebook_task.notebook_path`,
    relative to the bundle file; with or without the file's extension): code the job runs, not
    exploration. A workspace path (`/Workspace/...`, `${workspace...}`) names no file here."""
    tasks = body.get("tasks") if isinstance(body.get("tasks"), list) else []
    facts = []
    for task in tasks:
        spec = task.get("notebook_task") if isinstance(task, dict) else None
        target = spec.get("notebook_path") if isinstance(spec, dict) else None
        if not isinstance(target, str) or target.startswith(("/", "$")):
            continue
        notebook = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
        facts.append(_fact("job.notebook", path, line, zone, notebook=notebook, job=job))
    return facts


def _fact(kind: str, path: str, line: int, zone: Zone, **detail) -> Fact:
    return Fact(kind=kind, path=path, line=line, zone=zone, detail=detail)


_BUNDLE_RUN = re.compile(r"\bdatabricks\s+bundle\s+run\s+(?:-{1,2}[\w-]+(?:[ =]\S+)?\s+)*([\w-]+)")


def chained_bundle_runs(script: str, path: str, line: int, job: str) -> list[Fact]:
    """A CI job that runs two or more of a bundle's jobs one after another (`databricks bundle
    run train`, then `bundle run score`): the CI job orders them, so the sequence is the
    pipeline, orchestrated by CI. One job run, or the same job run twice, is no sequence."""
    names = list(dict.fromkeys(_BUNDLE_RUN.findall(script)))
    if len(names) < 2:
        return []
    return [
        Fact(
            kind="pipeline.def",
            path=path,
            line=line,
            detail={"tool": "Databricks bundle jobs chained by CI", "job": job, "steps": names},
        )
    ]


NOTEBOOK_HEADER = b"# Databricks notebook source"
# what a notebook does with a model: trains and logs it, saves, registers or loads it to predict
MODEL_WORK = ("model.", "mlflow.", "track.run", "registry.")


def notebook_runtime(source: bytes, path: str, zone: Zone, found: list[Fact]) -> list[Fact]:
    """A Databricks notebook exported as source (`# Databricks notebook source`, cells split by
    `# COMMAND ----------`) that works with a model runs on Databricks compute, the managed
    environment its cells were written for: a Python script with no such header, or a
    notebook that only moves data, is not this."""
    if zone is not Zone.SOURCE or not source.lstrip().startswith(NOTEBOOK_HEADER):
        return []
    if not any(x.kind.startswith(MODEL_WORK) for x in found):
        return []
    return [
        Fact(
            kind="runtime.managed",
            path=path,
            line=1,
            zone=zone,
            detail={"tool": "Databricks notebook"},
        )
    ]

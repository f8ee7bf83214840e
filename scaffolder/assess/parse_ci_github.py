"""Facts from GitHub Actions: workflow files (`.github/workflows/*.yml`) and the local
composite actions their steps use. Steps are classified by `parse_ci.classify`."""

from __future__ import annotations

import posixpath
import re
from typing import Any

from scaffolder.assess.models import Fact
from scaffolder.assess.parse_ci import (
    DEPLOYING_JOB,
    DETACHED_SERVICE,
    HELM_VALUES,
    K8S_APPLY,
    LOCAL_REQUEST,
    PRINTED,
    _as_text,
    _env_name,
    _relative,
    _script_facts,
    classify,
    pipeline_scripts,
)
from scaffolder.assess.parse_ci_builds import built_dockerfiles
from scaffolder.assess.parse_ci_tests import pytest_targets, test_paths, unittest_targets
from scaffolder.assess.parse_databricks import chained_bundle_runs
from scaffolder.assess.parse_yaml import YMap

# `az ml job create -f train.yml` (or --file): the Azure ML job or pipeline YAML it submits
AZ_ML_JOB_FILE = re.compile(
    r"az\s+ml\s+job\s+create\b[^\n]*?\s(?:-f|--file)[ =]?\s*([\w./-]+\.ya?ml)"
)


def azure_ml_job_file(step: dict, job: dict) -> str | None:
    """The repository path of the YAML an `az ml job create` step submits, resolved against
    the step's (or the job's default) working directory."""
    found = AZ_ML_JOB_FILE.search(_as_text(step.get("run")))
    if not found:
        return None
    defaults = job.get("defaults") if isinstance(job.get("defaults"), dict) else {}
    run_defaults = defaults.get("run") if isinstance(defaults.get("run"), dict) else {}
    folder = _as_text(step.get("working-directory") or run_defaults.get("working-directory"))
    return posixpath.normpath(posixpath.join(folder.strip() or ".", found.group(1)))


# an action pinned by commit (`setup-cli@948d...`): the hash is no evidence of what it runs
PINNED_SHA = re.compile(r"@[0-9a-f]{7,40}\b")


# what a docs site is built from: a pull-request filter naming only these checks no code change
DOC_PATH = re.compile(
    r"^\.?/?((docs?|documentation|site)(/|$)|[^/]*\.(md|rst)$|\*+\.(md|rst)$|mkdocs\.ya?ml$|"
    r"\.readthedocs\.ya?ml$|\.github/workflows/)",
    re.I,
)


def _docs_only_pull_requests(on: Any) -> bool:
    """Every pull-request trigger is filtered to documentation paths (`paths: [docs/**,
    mkdocs.yml]`): the workflow never runs on a change to the code."""
    events = [on.get(e) for e in ("pull_request", "pull_request_target") if e in on]
    if not events:
        return False
    for event in events:
        paths = event.get("paths") if isinstance(event, dict) else None
        if not isinstance(paths, list) or not paths:
            return False
        if not all(DOC_PATH.search(str(p).strip()) for p in paths):
            return False
    return True


def _working_directory(step: dict, job: dict) -> str:
    """The folder a run step starts in (its `working-directory`, else its job's default);
    `$` when it is named by a variable, which leaves the step's paths unknown."""
    defaults = job.get("defaults")
    run = defaults.get("run") if isinstance(defaults, dict) else None
    folder = step.get("working-directory") or (
        run.get("working-directory") if isinstance(run, dict) else None
    )
    return str(folder or "")


def github_workflow(doc: Any, path: str) -> list[Fact]:
    """Facts of one GitHub Actions workflow file."""
    if not isinstance(doc, YMap):
        return []
    facts: list[Fact] = []
    on = doc.get("on", doc.get("true"))  # "true": a file that spelled the key as a YAML boolean
    triggers: list[str]
    if isinstance(on, str):
        triggers = [on]
    elif isinstance(on, list):
        triggers = [str(t) for t in on]
    elif isinstance(on, dict):
        triggers = list(on)
    else:
        triggers = []
    facts.append(
        Fact(
            kind="ci.workflow",
            path=path,
            line=doc.line_of("on") if "on" in doc else 1,
            detail={
                "provider": "github",
                "triggers": triggers,
                "permissions": "permissions" in doc,
                "name": str(doc.get("name") or path),
                **(
                    {"pr_docs_only": True}
                    if isinstance(on, dict) and _docs_only_pull_requests(on)
                    else {}
                ),
            },
        )
    )
    if "schedule" in triggers:
        facts.append(
            Fact(
                kind="ci.schedule", path=path, line=doc.line_of("on"), detail={"provider": "github"}
            )
        )
    jobs = doc.get("jobs")
    if not isinstance(jobs, YMap) or not triggers:
        # a workflow with no trigger (`on:` left empty, every event commented out) never runs:
        # GitHub does not start it, so its jobs test, build and deploy nothing
        return facts
    for job_id, job in jobs.items():
        if not isinstance(job, dict):
            continue
        job_line = jobs.line_of(job_id)
        env = _env_name(job.get("environment"))
        if env:
            facts.append(
                Fact(
                    kind="ci.environment",
                    path=path,
                    line=job.line_of("environment"),
                    detail={"job": job_id, "name": env, "manual": False, "provider": "github"},
                )
            )
        steps = job.get("steps") or []
        head = f"{job_id} {job.get('name') or ''}"
        runs = " ".join(
            _as_text(s.get("run"))
            for s in (steps if isinstance(steps, list) else [])
            if isinstance(s, dict)
        )
        for kind in classify(head):
            if kind in ("integration", "promote", "deploy", "data_validation"):
                detail = {"job": job_id}
                if kind == "integration" and test_paths(runs):
                    detail["tests"] = test_paths(runs)
                facts.append(Fact(kind=f"ci.step.{kind}", path=path, line=job_line, detail=detail))
        facts.extend(chained_bundle_runs(runs, path, job_line, job_id))
        if isinstance(job.get("uses"), str):  # a reusable workflow call
            for kind in classify(job["uses"]):
                facts.append(
                    Fact(kind=f"ci.step.{kind}", path=path, line=job_line, detail={"job": job_id})
                )
        if not isinstance(steps, list):
            continue
        lines = getattr(steps, "item_lines", [job_line] * len(steps))

        def env_of(step: dict, job: dict = job) -> dict[str, str]:
            # the values a step's commands see: the workflow's, its job's, its own
            return {
                str(k): str(v)
                for scope in (doc, job, step)
                if isinstance(scope.get("env"), dict)
                for k, v in scope["env"].items()
            }

        started = checked = False  # the job started its services / requested one of them
        for step, line in zip(steps, lines, strict=False):
            if not isinstance(step, dict):
                continue
            run = PRINTED.sub("", _as_text(step.get("run")))
            if "run" in step and not run.strip():
                # a step that only prints (`echo "Deployment commands would go here..."`) runs
                # nothing, whatever its name says (`name: Deploy Services`)
                continue
            up = DETACHED_SERVICE.search(run)
            after = run if started else run[up.end() :] if up else ""
            if not checked and LOCAL_REQUEST.search(after):
                checked = True
                facts.append(
                    Fact(kind="ci.step.integration", path=path, line=line, detail={"job": job_id})
                )
            started = started or bool(up)
            # an action pinned by commit (`setup-cli@948d...e2e...`): the hash says nothing
            uses_text = PINNED_SHA.sub("@", _as_text(step.get("uses")))
            text = " ".join(
                [
                    _as_text(step.get("name")),
                    _as_text(step.get("run")),
                    uses_text,
                    _as_text(step.get("with")),
                ]
            )
            run_text = _as_text(step.get("run"))
            # `continue-on-error: true` (the step's or its job's): its failure fails nothing
            can_fail = not any(x.get("continue-on-error") is True for x in (step, job))
            for kind in classify(text, can_fail):
                detail = {"job": job_id}
                if kind == "test" and (targets := unittest_targets(run_text)):
                    detail["unittest"] = targets
                if kind == "test" and (
                    named := pytest_targets(run_text, _working_directory(step, job))
                ):
                    detail["tests"] = named  # the suites it runs, no other
                if kind == "integration" and test_paths(_as_text(step.get("run"))):
                    detail["tests"] = test_paths(_as_text(step.get("run")))
                if kind == "deploy" and K8S_APPLY.search(
                    # the step's commands, or those it sends to a host (ssh-action's `script:`)
                    _as_text(step.get("run")) + "\n" + _as_text(step.get("with"))
                ):
                    detail["k8s"] = True  # applies manifests to the job's cluster
                if kind == "deploy" and HELM_VALUES.search(PRINTED.sub("", text)):
                    detail["helm_values"] = True
                if kind == "deploy" and (scripts := pipeline_scripts(text, "deploy")):
                    detail["scripts"] = scripts  # a deploy only by their names
                if kind == "build_image" and (
                    dockerfiles := built_dockerfiles(
                        run_text, step.get("with"), _working_directory(step, job), env_of(step)
                    )
                ):
                    detail["dockerfiles"] = dockerfiles  # read against their facts
                if kind == "pipeline_deploy":
                    job_file = azure_ml_job_file(step, job)
                    if job_file:
                        detail["job_file"] = job_file
                    if scripts := pipeline_scripts(run_text):
                        detail["scripts"] = scripts
                facts.append(Fact(kind=f"ci.step.{kind}", path=path, line=line, detail=detail))
            if DEPLOYING_JOB.search(head) and DETACHED_SERVICE.search(_as_text(step.get("run"))):
                facts.append(
                    Fact(kind="ci.step.deploy", path=path, line=line, detail={"job": job_id})
                )
            facts.extend(_script_facts(run_text, path, line, job_id, can_fail, "github"))
            uses = step.get("uses")
            if isinstance(uses, str) and uses.startswith("./"):  # a local (composite) action
                facts.append(
                    Fact(
                        kind="ci.local_action",
                        path=path,
                        line=line,
                        detail={"job": job_id, "action": _relative(uses).rstrip("/")},
                    )
                )
    return facts


def composite_action(doc: Any, path: str, line: int, job: str, action: str) -> list[Fact]:
    """The steps of a local composite action (`runs: {using: composite, steps: [...]}`), read
    as steps of the workflow job that uses it (at that step's line), as GitHub runs them."""
    runs = doc.get("runs") if isinstance(doc, YMap) else None
    steps = runs.get("steps") if isinstance(runs, dict) else None
    if not isinstance(steps, list) or str(runs.get("using")) != "composite":
        return []
    facts: list[Fact] = []
    for step in steps:
        if not isinstance(step, dict):
            continue
        text = " ".join(_as_text(step.get(k)) for k in ("name", "run", "uses", "with"))
        for kind in classify(text):
            detail = {"job": job, "via": action}
            facts.append(Fact(kind=f"ci.step.{kind}", path=path, line=line, detail=detail))
    return facts


def is_github_workflow(path: str) -> bool:
    return path.startswith(".github/workflows/") and path.endswith((".yml", ".yaml"))

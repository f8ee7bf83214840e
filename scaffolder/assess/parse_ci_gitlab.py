"""Facts from GitLab CI: `.gitlab-ci.yml` and the files it includes (`.gitlab/ci/*.yml`),
jobs with the templates they extend. Steps are classified by `parse_ci.classify`."""

from __future__ import annotations

import re
from typing import Any

from scaffolder.assess.models import Fact
from scaffolder.assess.parse_ci import (
    HELM_VALUES,
    PRINTED,
    _as_text,
    _env_name,
    _relative,
    _script_facts,
    classify,
)
from scaffolder.assess.parse_ci_tests import pytest_targets, test_paths
from scaffolder.assess.parse_databricks import chained_bundle_runs
from scaffolder.assess.parse_yaml import YMap

GITLAB_RESERVED = {
    "stages",
    "variables",
    "default",
    "workflow",
    "include",
    "image",
    "services",
    "before_script",
    "after_script",
    "cache",
    "pages",
}


def gitlab_templates(doc: Any) -> dict[str, dict]:
    """The hidden jobs (`.name:`) of a GitLab CI file: templates that jobs `extends`."""
    if not isinstance(doc, YMap):
        return {}
    return {k: v for k, v in doc.items() if k.startswith(".") and isinstance(v, dict)}


def _extended(job: dict, templates: dict[str, dict], depth: int = 0) -> dict:
    """A job with what it `extends` merged under it (GitLab merges templates first, the job's
    own keys win), so a job whose script lives in a template runs that script."""
    names = job.get("extends")
    names = [names] if isinstance(names, str) else names if isinstance(names, list) else []
    merged: dict = {}
    for name in names:
        template = templates.get(str(name))
        if isinstance(template, dict) and depth < 5:
            merged.update(_extended(template, templates, depth + 1))
    merged.update(job)
    return merged


def gitlab_ci(doc: Any, path: str, templates: dict[str, dict] | None = None) -> list[Fact]:
    """Facts of a `.gitlab-ci.yml`: jobs are the top-level keys that are not keywords, each
    with the templates it extends (this file's, and those of the files the pipeline includes)."""
    if not isinstance(doc, YMap):
        return []
    facts: list[Fact] = []
    whole = _as_text(doc.get("workflow"))
    triggers = ["push"]
    # a job may extend a visible job as well as a hidden template, and inherits its `only`/`rules`
    visible = {
        k: v
        for k, v in doc.items()
        if k not in GITLAB_RESERVED and not k.startswith(".") and isinstance(v, dict)
    }
    known = {**(templates or {}), **visible, **gitlab_templates(doc)}
    jobs = [
        (k, _extended(v, known) if "extends" in v else v)
        for k, v in doc.items()
        if k not in GITLAB_RESERVED and not k.startswith(".") and isinstance(v, dict)
    ]
    rules_text = whole + "\n".join(
        _as_text(v.get("rules")) + _as_text(v.get("only")) for _, v in jobs
    )
    # A job with no rules runs for every push, merge requests' branches too: one job's
    # `only: main` restricts that job, not the pipeline (a `workflow:` restricts them all).
    free = "workflow" not in doc and any(_runs_on_every_push(v) for _, v in jobs)
    if "merge_request_event" in rules_text or "merge_requests" in rules_text or free:
        triggers.append("pull_request")
    if re.search(r"\bschedule\b|\bschedules\b", rules_text):
        triggers.append("schedule")
        facts.append(
            Fact(kind="ci.schedule", path=path, line=doc.line, detail={"provider": "gitlab"})
        )
    facts.append(
        Fact(
            kind="ci.workflow",
            path=path,
            line=doc.line,
            detail={"provider": "gitlab", "triggers": triggers, "permissions": False, "name": path},
        )
    )
    facts.extend(_includes(doc, path))
    for job_id, job in jobs:
        line = doc.line_of(job_id)
        text = (
            job_id
            + "\n"
            + " ".join(
                _as_text(job.get(k)) for k in ("script", "before_script", "trigger", "extends")
            )
        )
        checked = job.get("allow_failure") is not True  # a job allowed to fail fails nothing
        for kind in classify(text, checked):
            detail = {"job": job_id}
            commands = _as_text(job.get("before_script")) + "\n" + _as_text(job.get("script"))
            if kind == "test" and (named := pytest_targets(commands)):
                detail["tests"] = named  # the suites it runs, no other
            if kind == "integration" and test_paths(_as_text(job.get("script"))):
                detail["tests"] = test_paths(_as_text(job.get("script")))
            if kind == "deploy" and HELM_VALUES.search(PRINTED.sub("", text)):
                detail["helm_values"] = True
            facts.append(Fact(kind=f"ci.step.{kind}", path=path, line=line, detail=detail))
        facts.extend(
            _script_facts(_as_text(job.get("script")), path, line, job_id, checked, "gitlab")
        )
        facts.extend(chained_bundle_runs(_as_text(job.get("script")), path, line, job_id))
        env = _env_name(job.get("environment"))
        if env:
            manual = (
                job.get("when") == "manual"
                or "when: manual" in _as_text(job.get("rules"))
                or any(
                    isinstance(r, dict) and r.get("when") == "manual"
                    for r in (job.get("rules") or [])
                )
            )
            facts.append(
                Fact(
                    kind="ci.environment",
                    path=path,
                    line=job.line_of("environment") if isinstance(job, YMap) else line,
                    detail={"job": job_id, "name": env, "manual": manual, "provider": "gitlab"},
                )
            )
    return facts


def _runs_on_every_push(job: Any) -> bool:
    """A GitLab job with no rules, `only: [branches]` or an `except:` of tags alone."""
    if "rules" in job:
        return False
    only = job.get("only")
    if only is not None:
        refs = only.get("refs") if isinstance(only, dict) else only
        names = [str(r) for r in (refs if isinstance(refs, list) else [refs])]
        return "branches" in names or "pushes" in names
    return True


def _includes(doc: YMap, path: str) -> list[Fact]:
    """`include:` of files in the same repository (`local:`, or a bare path), which GitLab
    merges into the pipeline: the scan parses them as GitLab CI too."""
    include = doc.get("include")
    entries = include if isinstance(include, list) else [include] if include else []
    lines = getattr(entries, "item_lines", [doc.line_of("include")] * len(entries))
    facts = []
    for entry, line in zip(entries, lines, strict=False):
        local = entry.get("local") if isinstance(entry, dict) else entry
        if isinstance(local, str) and "://" not in local and local.endswith((".yml", ".yaml")):
            facts.append(
                Fact(kind="ci.include", path=path, line=line, detail={"local": _relative(local)})
            )
    return facts


def is_gitlab_ci(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name in (".gitlab-ci.yml", ".gitlab-ci.yaml") or (
        path.startswith(".gitlab/ci/") and path.endswith((".yml", ".yaml"))
    )

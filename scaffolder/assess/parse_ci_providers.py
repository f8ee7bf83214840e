"""Facts from the CI systems other than GitHub Actions and GitLab CI: Azure Pipelines (any file
name or folder), Google Cloud Build, AWS CodeBuild buildspecs, CircleCI and Bitbucket
Pipelines (Jenkinsfiles, read as text: parse_ci_jenkins). Steps are classified like GitHub's
(`parse_ci.classify`); providers whose triggers live outside the repository (Cloud Build,
CodeBuild, Jenkins) count as running on push.
"""

from __future__ import annotations

from typing import Any

from scaffolder.assess.models import Fact
from scaffolder.assess.parse_ci import (
    HELM_VALUES,
    PRINTED,
    _as_text,
    _env_name,
    _script_facts,
    classify,
    pipeline_scripts,
)
from scaffolder.assess.parse_ci_builds import built_dockerfiles
from scaffolder.assess.parse_ci_tests import unittest_targets
from scaffolder.assess.parse_yaml import YMap

AZURE_STEP_KEYS = ("script", "bash", "powershell", "pwsh", "task", "template", "checkout")
AZURE_TOP = ("trigger", "pr", "stages", "jobs", "steps", "schedules", "extends")
# the phases of a Travis CI build that run commands (`script: tox`), top level or per job
TRAVIS_PHASES = ("before_install", "install", "before_script", "script", "after_success")
TRAVIS_KEYS = ("language", "script", "jobs", "matrix", "stages")


def provider_of(path: str, doc: Any) -> str | None:
    """Which CI system a (non GitHub/GitLab) YAML document belongs to, if any."""
    if not isinstance(doc, YMap):
        return None
    name = path.rsplit("/", 1)[-1].lower()
    if path.startswith(".circleci/") and "jobs" in doc:
        return "circleci"
    if name.startswith("bitbucket-pipelines") and "pipelines" in doc:
        return "bitbucket"
    if path in (".travis.yml", ".travis.yaml") and any(k in doc for k in TRAVIS_KEYS):
        return "travis"
    if name.startswith("buildspec") or (isinstance(doc.get("phases"), dict) and "version" in doc):
        return "codebuild" if isinstance(doc.get("phases"), dict) else None
    steps = doc.get("steps")
    if (
        isinstance(steps, list)
        and steps
        and all(isinstance(s, dict) and "name" in s for s in steps)
        and any(("args" in s or "entrypoint" in s or "script" in s) for s in steps)
    ):
        return "cloudbuild"
    if "apiVersion" in doc or "kind" in doc:
        return None
    if any(k in doc for k in AZURE_TOP) and _azure_like(doc):
        return "azure"
    return None


def _azure_like(value: Any, depth: int = 0) -> bool:
    """Somewhere under stages/jobs/steps a step with an Azure step key (`task:`, `script:`...),
    as deep as the steps of a deployment job's strategy (`stages/jobs/strategy/runOnce/deploy/
    steps`, read by azure_pipeline to the same depth)."""
    if depth > 10:
        return False
    if isinstance(value, dict):
        if any(k in value for k in ("task", "template")) or (
            "script" in value and ("displayName" in value or "name" not in value)
        ):
            return True
        return any(
            _azure_like(value[k], depth + 1)
            for k in ("stages", "jobs", "steps", "strategy", "deploy", "runOnce", "extends")
            if k in value
        ) or any(_azure_like(v, depth + 1) for v in value.values() if isinstance(v, list))
    if isinstance(value, list):
        return any(_azure_like(v, depth + 1) for v in value)
    return False


def provider_facts(provider: str, doc: YMap, path: str) -> list[Fact]:
    return {
        "azure": azure_pipeline,
        "cloudbuild": cloud_build,
        "codebuild": codebuild,
        "circleci": circleci,
        "bitbucket": bitbucket,
        "travis": travis,
    }[provider](doc, path)


def _workflow(provider: str, path: str, line: int, triggers: list[str]) -> Fact:
    return Fact(
        kind="ci.workflow",
        path=path,
        line=line,
        detail={"provider": provider, "triggers": triggers, "permissions": False, "name": path},
    )


def _steps(
    provider: str, text: str, path: str, line: int, job: str, build: str | None = None
) -> list[Fact]:
    """The step's facts; `build` is its command line when `text` splits it (Cloud Build's
    `args:` list, one word a line)."""
    kinds = classify(text)
    facts = [
        Fact(kind=f"ci.step.{kind}", path=path, line=line, detail={"job": job, "tool": provider})
        for kind in kinds
    ]
    for fact in facts:
        if fact.kind == "ci.step.test" and (targets := unittest_targets(text)):
            fact.detail["unittest"] = targets
        if fact.kind == "ci.step.pipeline_deploy" and (scripts := pipeline_scripts(text)):
            fact.detail["scripts"] = scripts
        if fact.kind == "ci.step.deploy" and HELM_VALUES.search(PRINTED.sub("", text)):
            fact.detail["helm_values"] = True
        if fact.kind == "ci.step.deploy" and (scripts := pipeline_scripts(text, "deploy")):
            fact.detail["scripts"] = scripts  # a deploy only by their names
        if fact.kind == "ci.step.build_image" and (dockerfiles := built_dockerfiles(build or text)):
            fact.detail["dockerfiles"] = dockerfiles  # read against their facts
    return facts + _script_facts(text, path, line, job, provider=provider)


def _off(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip().lower() == "none")


def azure_pipeline(doc: YMap, path: str) -> list[Fact]:
    """Azure Pipelines: `trigger:` (absent = every push; `none` = off), `pr:` (absent = every pull
    request of a GitHub repository; `none` = off), `schedules:`;
    stages/jobs/steps with their names, environments and ManualValidation tasks."""
    triggers = []
    if "trigger" not in doc or not _off(doc.get("trigger")):
        triggers.append("push")
    # no `pr:` at all: Azure Pipelines validates pull requests of a GitHub repository by default,
    # unless the pipeline is one run by hand (`trigger: none`)
    if ("pr" in doc and not _off(doc.get("pr"))) or ("pr" not in doc and "push" in triggers):
        triggers.append("pull_request")
    facts = [_workflow("azure", path, doc.line, triggers)]
    if "schedules" in doc:
        facts.append(Fact(kind="ci.schedule", path=path, line=doc.line_of("schedules"), detail={}))
        triggers.append("schedule")

    def walk(value: Any, job: str, depth: int) -> None:
        if depth > 10:
            return
        if isinstance(value, dict):
            label = str(value.get("stage") or value.get("job") or value.get("deployment") or "")
            here = label or job
            line = getattr(value, "line", doc.line)
            if label:
                for kind in classify(f"{label} {value.get('displayName') or ''}"):
                    if kind in ("integration", "deploy", "rollback", "progressive"):
                        facts.append(
                            Fact(kind=f"ci.step.{kind}", path=path, line=line, detail={"job": here})
                        )
            env = _env_name(value.get("environment"))
            if env and ("deployment" in value or "strategy" in value):
                facts.append(
                    Fact(
                        kind="ci.environment",
                        path=path,
                        line=line,
                        detail={"job": here, "name": env, "manual": False, "provider": "azure"},
                    )
                )
            if any(k in value for k in AZURE_STEP_KEYS):
                text = _as_text(
                    {
                        k: value.get(k)
                        for k in (*AZURE_STEP_KEYS, "displayName", "inputs", "parameters")
                    }
                )
                facts.extend(_steps("azure", text, path, line, here))
                if str(value.get("task", "")).startswith("ManualValidation"):
                    facts.append(
                        Fact(kind="approval.gate", path=path, line=line, detail={"tool": "Azure"})
                    )
            for key, child in value.items():
                if key not in ("inputs", "variables"):
                    walk(child, here, depth + 1)
        elif isinstance(value, list):
            for child in value:
                walk(child, job, depth + 1)

    walk(doc, "", 0)
    return facts


def cloud_build(doc: YMap, path: str) -> list[Fact]:
    facts = [_workflow("cloudbuild", path, doc.line, ["push"])]
    steps = doc.get("steps")
    lines = getattr(steps, "item_lines", [doc.line] * len(steps))
    for index, (step, line) in enumerate(zip(steps, lines, strict=False)):
        text = " ".join(
            _as_text(step.get(k)) for k in ("name", "id", "entrypoint", "args", "script")
        )
        args = step.get("args")
        build = None
        if isinstance(args, list) and str(step.get("name") or "").endswith("/docker"):
            # `name: gcr.io/cloud-builders/docker`, `args: [build, -t, IMAGE, .]`
            build = "docker " + " ".join(_as_text(a) for a in args)
            if step.get("dir"):  # the step's working directory
                build = f"cd {_as_text(step.get('dir'))} && {build}"
        job = str(step.get("id") or index)
        facts.extend(_steps("cloudbuild", text, path, line, job, build))
    return facts


def codebuild(doc: YMap, path: str) -> list[Fact]:
    facts = [_workflow("codebuild", path, doc.line, ["push"])]
    phases = doc.get("phases")
    for phase, body in phases.items():
        if isinstance(body, dict):
            text = _as_text(body.get("commands"))
            facts.extend(_steps("codebuild", text, path, phases.line_of(phase), str(phase)))
    return facts


def circleci(doc: YMap, path: str) -> list[Fact]:
    facts = [_workflow("circleci", path, doc.line, ["push", "pull_request"])]
    jobs = doc.get("jobs")
    if isinstance(jobs, YMap):
        for job_id, job in jobs.items():
            if isinstance(job, dict):
                text = f"{job_id}\n" + _as_text(job.get("steps"))
                facts.extend(_steps("circleci", text, path, jobs.line_of(job_id), str(job_id)))
    if "schedule" in _as_text(doc.get("workflows")) or "cron" in _as_text(doc.get("workflows")):
        facts.append(Fact(kind="ci.schedule", path=path, line=doc.line, detail={}))
    return facts


def travis(doc: YMap, path: str) -> list[Fact]:
    """`.travis.yml`: Travis CI builds every push and every pull request unless the repository's
    settings say otherwise (they live outside the repository); `script:` and the other phases
    run commands, at the top and in `jobs.include`."""
    facts = [_workflow("travis", path, doc.line, ["push", "pull_request"])]
    holders: list[tuple[Any, int, str]] = [(doc, doc.line, "build")]
    jobs = doc.get("jobs") if isinstance(doc.get("jobs"), dict) else doc.get("matrix")
    include = jobs.get("include") if isinstance(jobs, dict) else None
    for index, job in enumerate(include if isinstance(include, list) else []):
        if isinstance(job, dict):
            holders.append((job, doc.line_of("jobs") or doc.line, str(job.get("name") or index)))
    for holder, line, job in holders:
        text = "\n".join(_as_text(holder.get(phase)) for phase in TRAVIS_PHASES)
        facts.extend(_steps("travis", text, path, line, job))
    return facts


def bitbucket(doc: YMap, path: str) -> list[Fact]:
    pipelines = doc.get("pipelines")
    triggers = []
    if isinstance(pipelines, dict):
        if "default" in pipelines or "branches" in pipelines:
            triggers.append("push")
        if "pull-requests" in pipelines:
            triggers.append("pull_request")
    facts = [_workflow("bitbucket", path, doc.line, triggers)]

    def walk(value: Any, depth: int) -> None:
        if depth > 10:
            return
        if isinstance(value, dict):
            step = value.get("step")
            if isinstance(step, dict):
                line = getattr(step, "line", doc.line)
                name = str(step.get("name") or "")
                text = f"{name}\n" + _as_text(step.get("script")) + _as_text(step.get("pipe"))
                facts.extend(_steps("bitbucket", text, path, line, name))
                env = step.get("deployment")
                if env:
                    facts.append(
                        Fact(
                            kind="ci.environment",
                            path=path,
                            line=line,
                            detail={
                                "job": name,
                                "name": str(env),
                                "manual": step.get("trigger") == "manual",
                                "provider": "bitbucket",
                            },
                        )
                    )
            for child in value.values():
                walk(child, depth + 1)
        elif isinstance(value, list):
            for child in value:
                walk(child, depth + 1)

    walk(pipelines, 0)
    return facts

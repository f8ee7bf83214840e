"""Facts from CI definitions: GitHub Actions workflows and `.gitlab-ci.yml`.

Each job's steps are classified by what they run (tests, lint, DAG check, pipeline compile,
image build, deploy, promotion, integration tests, data validation); environments and manual
approvals are recorded, and so are the triggers.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

from scaffolder.assess.models import Fact, Zone
from scaffolder.assess.parse_databricks import chained_bundle_runs
from scaffolder.assess.parse_yaml import YMap, line_of
from scaffolder.assess.practices import load_tests, release_notes

STEP_KINDS: dict[str, re.Pattern[str]] = {
    # practices the questionnaire asks about (scaffolder/assess/practices)
    "load_test": load_tests.CI_STEP,
    "release_notes": release_notes.CI_STEP,
    # tests, also through task runners (make/just/mise/task/poe/invoke/npm, uv/poetry/hatch run)
    "test": re.compile(
        r"\bpytest\b|\bmake\s+(test|tests|check|unit|coverage)\b|\btox\b|\bnox\b|unittest|"
        r"hatch\s+(run\s+)?test|\b(just|mise\s+run|mise|task|poe|invoke|inv)\s+(test|tests|check)\b|"
        r"\bnpm\s+(run\s+)?test\b|\byarn\s+test\b|\bpixi\s+run\s+test"
    ),
    "lint": re.compile(
        r"\bruff\b|flake8|pylint|pre-commit\s+run|black\s+--check|\bmypy\b|make\s+lint"
    ),
    "dag_check": re.compile(
        r"dag-check|dagbag|airflow\s+dags\s+(list|test|list-import-errors)|test_dag", re.I
    ),
    "pipeline_compile": re.compile(
        r"kfp-compile|kfp\s+dsl\s+compile|kfp.*compile|pipeline\S*\s+compile", re.I
    ),
    "build_image": re.compile(
        r"docker\s+(build|push)|buildx|kaniko|buildah|podman\s+(build|push)|build-push-action|"
        r"make\s+(image|docker\S*|build-image|push-image)|gcr\.io/cloud-builders/docker|"
        r"sam\s+build|aws-actions/amazon-ecr|docker[- ]compose\b[^\n]*\s(build|--build)\b|"
        r"bentoml\s+(build|containerize)|mlflow\s+models\s+build-docker",
        re.I,
    ),
    # the ML pipeline itself is deployed or run by CI/CD
    "pipeline_deploy": re.compile(
        r"\brun-pipeline\b|get-pipeline-definition|upsert|anyscale\s+jobs?\s+submit|"
        r"az\s+ml\s+(job|pipeline)\s+create|\bml_service\.pipelines\b|build_train_pipeline|"
        r"\bdvc\s+(repro|exp\s+run)\b|\bkedro\s+run\b|databricks\s+bundle\s+(deploy|run)|"
        r"dagster-cloud|dagster-io/dagster-cloud-action|prefect\s+deploy|zenml\s+pipeline\s+run|"
        r"gcloud\s+ai\s+custom-jobs|pipeline[-_]deployment|tfx\s+pipeline\s+(create|update)|"
        r"kfp\s+(pipeline\s+)?(upload|run)|metaflow.*(argo-workflows|step-functions)\s+create|"
        r"\bpython\d?\s+\S*run_pipeline\.py|mlflow\s+run\b|pyflyte\s+(register|run\s+--remote)|"
        r"flytectl\s+(register|create\s+execution)|databricks\s+(jobs\s+(create|run-now|reset|submit)|"
        r"runs\s+submit)|\bdbx\s+(deploy|launch|execute)",
        re.I,
    ),
    "deploy": re.compile(
        r"kubectl\s+(apply|rollout|set\s+image)|kustomize\s+build|helm\s+(upgrade|install)|"
        r"argocd\s+app|gcloud\s+run\s+deploy|make\s+deploy|sam\s+deploy|argo\s+rollouts|"
        r"skaffold\s+(run|deploy)|k8s-deploy|deploy-cloudrun|az\s+ml\s+online-deployment|"
        r"az\s+ml\s+model\s+deploy|az\s+webapp|AzureWebAppContainer|AzureFunctionApp|"
        r"gcloud\s+ai\s+endpoints\s+deploy-model|deploy[-_]model|create[-_]endpoint|cdk\s+deploy|"
        r"aws\s+cloudformation\s+(deploy|create-stack|update-stack)|\b(create|update)_stack\b|"
        r"\b(create|update)_endpoint\b|terraform\s+apply|pulumi\s+up|serverless\s+deploy|"
        r"\bsls\s+deploy|anyscale\s+service\s+(rollout|deploy)|serve\s+deploy|"
        r"bentoml\s+deploy|mlflow\s+deployments\s+create|deploy-stack|modal\s+deploy|"
        r"aws\s+ecs\s+update-service|aws\s+lambda\s+update-function|"
        r"amazon-ecs-deploy-task-definition|aws\s+ecs\s+deploy\b|"
        r"databricks\s+bundle\s+deploy|"
        r"gcloud\s+deploy\s+releases\s+create|"  # a Google Cloud Deploy release rolls out
        # a host reached over ssh that then runs the service: deploying to a VM
        r"(ssh-action|\bssh\s)[\s\S]*(docker\s+(run|compose\s+up)|docker-compose\s+up|"
        r"systemctl\s+(restart|start)|bentoml\s+serve)",
        re.I,
    ),
    "from_registry": re.compile(
        r"az\s+ml\s+model\s+deploy|--model\s+\S+:\S+|azureml:[\w-]+:\d|deploy-model|"
        r"ModelPackageArn|get_approved_package|models:/",
        re.I,
    ),
    # CD tagging the registered model version with where it came from (az ml model update
    # --set tags.github_run_id=..., gcloud ai models upload --labels=commit_sha=...)
    "lineage_tag": re.compile(
        r"\b(ml\s+model\s+(update|create)|ai\s+models\s+(update|upload))\b[\s\S]{0,300}?"
        r"(tags?|labels?)[.=\s][\w-]*(git|commit|sha|run_id|run_number|workflow)",
        re.I,
    ),
    "progressive": re.compile(
        r"weight\.\w+=\d+|--traffic|traffic[-_ ]?split|setWeight|canary|blue[-_ ]?green",
        re.I,
    ),
    "rollback": re.compile(r"rollback|rollout\s+undo|helm\s+rollback|abort", re.I),
    "promote": re.compile(r"promot|set_registered_model_alias|alias\s+champion", re.I),
    "integration": re.compile(r"integration|smoke[-_ ]?test|e2e|endpoint[-_]test", re.I),
    "data_validation": re.compile(
        r"great_expectations|\bgx\b|checkpoint|validate[-_]data|data[-_]contract", re.I
    ),
    "secret_scan": re.compile(r"gitleaks|trufflehog|detect-secrets", re.I),
}
# A test script run by the interpreter (`python test.py`, `python tests/run_tests.py`): the
# scan decides by what the script holds (`scan_ci_links._scripts_of_ci`), by this name when it
# knows none
TEST_SCRIPT = re.compile(r"(^|/)(tests?|run_?tests?|runtests|test_\w+|\w+_tests?)\.py$")
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


def _as_text(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(_as_text(v) for v in value)
    if isinstance(value, dict):
        return "\n".join(_as_text(v) for v in value.values())
    return "" if value is None else str(value)


def _env_name(value: Any) -> str | None:
    if isinstance(value, dict):
        name = value.get("name")
        return str(name) if name is not None else None
    return str(value) if value else None


INSTALL = re.compile(
    r"^.*\b(pip3?|uv\s+pip|pipx|conda|mamba|apt(-get)?|npm|brew)\s+install\b.*$", re.M
)


# A service started detached on the machine the step runs on (`docker run -d ... -p`,
# `docker compose up -d`, `mlflow models serve`): a deploy where that machine is the target, in
# a job named for deploying (`deploy-prod`) or on Jenkins's own host (parse_ci_providers)
DETACHED_SERVICE = re.compile(
    r"docker\s+run\b[^\n]*\s(-d|--detach)\b|docker[- ]compose\b[^\n]*\bup\b[^\n]*\s(-d|--detach)\b|"
    r"mlflow\s+models\s+serve\b",
    re.I,
)
DEPLOYING_JOB = re.compile(r"deploy|release|production|\bprod\b", re.I)


PINNED_SHA = re.compile(r"@[0-9a-f]{7,40}\b")


# what a step only prints or comments on (`echo "Run locally: make test-unit"`, `# pytest`): up
# to the end of the line or the next command of it (`echo x | kubectl apply -f -` still applies)
PRINTED = re.compile(r"\b(echo|printf|Write-Host)\b[^|;&\n]*|^\s*#[^\n]*", re.M)


def classify(text: str) -> list[str]:
    """What a step runs; installing a tool (`pip install pytest`) is not running it, and
    printing a command is not running it either."""
    text = PRINTED.sub("", INSTALL.sub("", text))
    return [kind for kind, pattern in STEP_KINDS.items() if pattern.search(text)]


_TEST_PATH = re.compile(r"^(\./)?[\w./-]*tests?[\w./-]*(::\w+)?$", re.I)


def test_paths(text: str) -> list[str]:
    """Test folders/files a command names (`pytest tests/integration/ -v`): a step running an
    integration suite counts by what those hold."""
    paths = []
    for token in re.split(r"[\s;&|]+", INSTALL.sub("", text)):
        named = "/" in token or token.endswith(".py")
        if named and _TEST_PATH.match(token) and "$" not in token and not token.startswith("-"):
            path = _relative(token.split("::")[0]).rstrip("/")
            if path and path not in paths:
                paths.append(path)
    return paths


_PYTHON = re.compile(r"^python(\d+(\.\d+)*)?$")
_SHELLS = {"bash", "sh", "zsh", "source", "."}


def scripts_run(text: str) -> list[dict[str, str]]:
    """The repository's own scripts a command runs: `python path.py`, `python -m pkg.mod`,
    `bash path.sh`, `./path.sh` (with `VAR=value`, `uv run`, `poetry run` in front)."""
    found: list[dict[str, str]] = []
    for line in text.replace("\\\n", " ").splitlines():
        try:
            words = shlex.split(line, comments=True)
        except ValueError:
            words = line.split()
        for i, word in enumerate(words):
            rest = words[i + 1 :]
            if _PYTHON.match(word.rsplit("/", 1)[-1]):
                args = [a for a in rest if not a.startswith("-") or a == "-m"]
                if args[:1] == ["-m"] and len(args) > 1:
                    found.append({"module": args[1]})
                elif args and args[0].endswith(".py"):
                    found.append({"script": _relative(args[0])})
            elif word in _SHELLS and rest and rest[0].endswith(".sh"):
                found.append({"script": _relative(rest[0])})
            elif word.startswith("./") and word.endswith((".sh", ".py")) and i == 0:
                found.append({"script": _relative(word)})
    unique: list[dict[str, str]] = []
    for run in found:
        if run not in unique and "$" not in str(run):
            unique.append(run)
    return unique


def _relative(path: str) -> str:
    return path[2:] if path.startswith("./") else path.lstrip("/")


# a model server image built from the model itself: what the service then runs in
MODEL_IMAGE = re.compile(
    r"\b(bentoml)\s+(containerize\b|build\b[^\n]*--containerize\b)|"
    r"\b(mlflow)\s+models\s+build-docker\b",
    re.I,
)


def _script_facts(text: str, path: str, line: int, job: str) -> list[Fact]:
    facts = [
        Fact(kind="ci.step.script", path=path, line=line, detail={"job": job, **run})
        for run in scripts_run(text)
    ]
    image = MODEL_IMAGE.search(INSTALL.sub("", text))
    if image:
        # `bentoml containerize` / `mlflow models build-docker` in CI builds the image the
        # model's service runs in (from a bentofile or the logged model, not a Dockerfile)
        tool = "BentoML image" if image.group(1) else "MLflow model image"
        facts.append(
            Fact(kind="container.image", path=path, line=line, detail={"job": job, "tool": tool})
        )
    return facts


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
    if not isinstance(jobs, YMap):
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
        for step, line in zip(steps, lines, strict=False):
            if not isinstance(step, dict):
                continue
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
            for kind in classify(text):
                detail = {"job": job_id}
                if kind == "integration" and test_paths(_as_text(step.get("run"))):
                    detail["tests"] = test_paths(_as_text(step.get("run")))
                facts.append(Fact(kind=f"ci.step.{kind}", path=path, line=line, detail=detail))
            if DEPLOYING_JOB.search(head) and DETACHED_SERVICE.search(_as_text(step.get("run"))):
                facts.append(
                    Fact(kind="ci.step.deploy", path=path, line=line, detail={"job": job_id})
                )
            facts.extend(_script_facts(_as_text(step.get("run")), path, line, job_id))
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
        for kind in classify(text):
            detail = {"job": job_id}
            if kind == "integration" and test_paths(_as_text(job.get("script"))):
                detail["tests"] = test_paths(_as_text(job.get("script")))
            facts.append(Fact(kind=f"ci.step.{kind}", path=path, line=line, detail=detail))
        facts.extend(_script_facts(_as_text(job.get("script")), path, line, job_id))
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


def is_github_workflow(path: str) -> bool:
    return path.startswith(".github/workflows/") and path.endswith((".yml", ".yaml"))


def is_gitlab_ci(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name in (".gitlab-ci.yml", ".gitlab-ci.yaml") or (
        path.startswith(".gitlab/ci/") and path.endswith((".yml", ".yaml"))
    )


__all__ = ["github_workflow", "gitlab_ci", "is_github_workflow", "is_gitlab_ci", "Zone", "line_of"]

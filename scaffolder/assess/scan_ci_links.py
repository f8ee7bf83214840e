"""After the walk: what CI steps reach. Files a GitLab pipeline includes, jobs a template
extends, local composite actions, and the repository's scripts a step runs (a step running
`python scripts/deploy.py` counts as what that script runs)."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from scaffolder.assess import (
    parse_ci,
    parse_ci_github,
    parse_ci_gitlab,
)
from scaffolder.assess.models import Fact, Problem, Zone
from scaffolder.assess.parse_yaml import YamlSyntaxError, load_yaml_documents
from scaffolder.assess.scan_file import _text, _yaml

# facts that make a file an orchestrated pipeline's definition or launcher
PIPELINE_KINDS = {"pipeline.def", "kfp.run", "kfp.pipeline"}


def _gitlab_includes(root: Path, facts: list[Fact], problems: list[Problem]) -> None:
    """Files a GitLab pipeline includes (`include: local:`) are GitLab CI wherever they live:
    parse them as such, in place of what the walk made of them."""
    parsed = {
        f.path for f in facts if f.kind == "ci.workflow" and f.detail.get("provider") == "gitlab"
    }
    queue = [f for f in facts if f.kind == "ci.include"]
    resolved_root = root.resolve()
    while queue:
        local = str(queue.pop().detail["local"])
        targets = sorted(root.glob(local)) if any(c in local for c in "*?[") else [root / local]
        for target in targets:
            try:
                rel = target.resolve().relative_to(resolved_root).as_posix()
            except (OSError, ValueError):
                continue  # outside the repository
            if rel in parsed or not target.is_file():
                continue
            parsed.add(rel)
            facts[:] = [f for f in facts if f.path != rel]
            problems[:] = [p for p in problems if p.path != rel]
            found: list[Fact] = []
            _yaml(str(target), rel, Zone.SOURCE, found, problems, gitlab=True)
            facts.extend(found)
            queue.extend(f for f in found if f.kind == "ci.include")
    if len(parsed) > 1:
        _gitlab_extends(root, sorted(parsed), facts, problems)


def _local_actions(root: Path, facts: list[Fact]) -> None:
    """Steps that use a local composite action (`uses: ./.github/actions/deploy`) run that
    action's steps: read them as steps of the calling job."""
    for use in [f for f in facts if f.kind == "ci.local_action"]:
        action = str(use.detail["action"])
        if ".." in PurePosixPath(action).parts:
            continue  # outside the repository
        for name in ("action.yml", "action.yaml"):
            target = root / action / name
            text = _text(str(target)) if target.is_file() else None
            if text is None:
                continue
            try:
                docs = load_yaml_documents(text)
            except YamlSyntaxError:
                break
            for doc in docs:
                facts.extend(
                    parse_ci_github.composite_action(
                        doc, use.path, use.line, str(use.detail["job"]), f"{action}/{name}"
                    )
                )
            break


def _gitlab_extends(root: Path, paths: list[str], facts: list[Fact], problems: list) -> None:
    """GitLab merges a pipeline's files before it runs: a job may extend a template (`.name:`)
    of another included file. Parse the pipeline's files again with every file's templates."""
    templates: dict[str, dict] = {}
    for rel in paths:
        text = _text(str(root / rel))
        try:
            docs = load_yaml_documents(text) if text else []
        except YamlSyntaxError:
            continue
        for doc in docs:
            templates.update(parse_ci_gitlab.gitlab_templates(doc))
    if not templates:
        return
    for rel in paths:
        facts[:] = [f for f in facts if f.path != rel]
        problems[:] = [p for p in problems if p.path != rel]
        found: list[Fact] = []
        _yaml(str(root / rel), rel, Zone.SOURCE, found, problems, gitlab=True, templates=templates)
        facts.extend(found)


# SageMaker project seed code: each folder under it (`seed_code/model_build/`) is copied into a
# repository of its own when a project is created from the template
SEED_FOLDERS = {"seed_code", "seedcode", "seed-code"}


def seed_root(path: str) -> str | None:
    """The folder a CI file of seed code runs from (`seed_code/model_build` for
    `seed_code/model_build/buildspec.yml`): the root of the repository made from the seed, where
    its scripts and tests must be; None for a CI file of this repository."""
    parts = path.split("/")[:-1]
    for i, part in enumerate(parts):
        if part.lower() in SEED_FOLDERS:
            return "/".join(parts[: i + 2])
    return None


def _in_seed(path: str, candidates: list[str]) -> list[str]:
    """The candidates a step of the CI file at `path` can reach: all of them, or in seed code
    only those inside its seed (a script of this repository is not in the seed's repository)."""
    root = seed_root(path)
    return candidates if root is None else [c for c in candidates if c.startswith(root + "/")]


def _seed_code_tests(facts: list[Fact]) -> None:
    """A test step of seed code (`pytest tests/` in a seed's buildspec) runs the seed's tests:
    with no test function inside the seed, it tests nothing of this repository's."""
    tested = {f.path for f in facts if f.kind == "test.function"}
    gone = set()
    for fact in facts:
        root = seed_root(fact.path)
        if (
            root
            and fact.kind in ("ci.step.test", "ci.step.integration")
            and not any(t.startswith(root + "/") for t in tested)
        ):
            gone.add(id(fact))
    if gone:
        facts[:] = [f for f in facts if id(f) not in gone]


def _module_paths(module: str) -> list[str]:
    base = module.replace(".", "/")
    return [
        f"{prefix}{base}{suffix}"
        for prefix in ("", "src/")
        for suffix in (".py", "/__main__.py", "/__init__.py")
    ]


def _creates_endpoint(fact: Fact) -> bool:
    """A serving fact made by a call that puts a model behind a managed endpoint (SageMaker
    `deploy`, Azure ML online deployments, Vertex/Databricks endpoints), not an app's code."""
    tool = str(fact.detail.get("tool", ""))
    return "endpoint" in tool and "scoring script" not in tool


def _scripts_of_ci(facts: list[Fact]) -> None:
    """A CI step running one of the repository's scripts does what that script runs: `python
    scripts/deploy.py` whose code calls `kubectl apply` is a deploy step, at the CI step's line."""
    commands: dict[str, list[Fact]] = {}
    pipelines: dict[str, Fact] = {}  # file -> a pipeline it defines or runs
    imports: dict[str, list[str]] = {}
    tests: dict[str, list[Fact]] = {}  # file -> its test functions
    integration: set[tuple[str, int]] = set()
    endpoints: dict[str, Fact] = {}  # file -> a managed endpoint it creates or updates
    for fact in facts:
        if fact.kind == "test.function":
            tests.setdefault(fact.path, []).append(fact)
        elif fact.kind == "test.integration":
            integration.add((fact.path, fact.line))
        if fact.kind == "script.command":
            commands.setdefault(fact.path, []).append(fact)
        elif (
            fact.kind in PIPELINE_KINDS
            and fact.zone is Zone.SOURCE
            and not fact.detail.get("scores")
        ):
            pipelines.setdefault(fact.path, fact)
        elif fact.kind == "serving.app" and fact.zone is Zone.SOURCE and _creates_endpoint(fact):
            endpoints.setdefault(fact.path, fact)
        elif fact.kind == "py.imports":
            imports.setdefault(fact.path, []).extend(
                [*(fact.detail.get("modules") or []), *(fact.detail.get("siblings") or [])]
            )
    derived: dict[tuple[str, int, str], Fact] = {}
    for step in [f for f in facts if f.kind == "ci.step.script"]:
        if "script" in step.detail:
            script = str(step.detail["script"])
            # from the repository's root, or from a folder of the CI file (a nested project's
            # buildspec runs `python test/test.py` from that project's root)
            parts = step.path.split("/")[:-1]
            candidates = [script] + [
                "/".join(parts[:i] + [script]) for i in range(len(parts), 0, -1)
            ]
        else:
            candidates = _module_paths(str(step.detail.get("module", "")))
        candidates = _in_seed(step.path, candidates)
        kinds: dict[str, Fact] = {}
        tested = next((c for c in candidates if c in tests), None)
        if tested is not None:
            # a test script: its tests are integration tests (of an endpoint, a deployed
            # service) or unit tests, by what its test functions are
            functions = tests[tested]
            only_integration = all((f.path, f.line) in integration for f in functions)
            kinds.setdefault("integration" if only_integration else "test", functions[0])
        elif "script" in step.detail and parse_ci.TEST_SCRIPT.search(script):
            kinds.setdefault("test", step)
        # a script that defines or (through its own imports) runs an orchestrated pipeline:
        # `python run.py` of ZenML, Prefect, Flyte, Kedro... is CI running the pipeline
        for script in candidates:
            reached = [script] + [p for m in imports.get(script, []) for p in _module_paths(m)]
            hit = next((pipelines[p] for p in reached if p in pipelines), None)
            if hit is not None:
                kinds.setdefault("pipeline_deploy", hit)
                break
        # a script that creates or updates a managed endpoint (`model.deploy(...)`,
        # `online_deployments.begin_create_or_update`): CI running it deploys the model
        served = next((endpoints[c] for c in candidates if c in endpoints), None)
        if served is not None:
            kinds.setdefault("deploy", served)
        target = next((c for c in candidates if c in commands), None)
        for command in commands.get(target, []) if target else []:
            for kind in parse_ci.classify(str(command.detail.get("command", ""))):
                kinds.setdefault(kind, command)
        # a deploy command of a module the script imports (`python -m pkg.deployment.cli`
        # calling `gcp.deploy_service`, which runs `gcloud run deploy`): the step deploys
        script = next((c for c in candidates if c in imports), None)
        reached = [p for m in imports.get(script, []) for p in _module_paths(m)] if script else []
        for command in [c for p in reached for c in commands.get(p, [])]:
            if "deploy" in parse_ci.classify(str(command.detail.get("command", ""))):
                kinds.setdefault("deploy", command)
                break
        if "deploy" not in kinds:
            # a script naming the registry's packages without deploying one (a resource check
            # listing `ModelPackageArn`s) serves nothing from the registry
            kinds.pop("from_registry", None)
        if step.detail.get("unchecked"):  # `python test.py || true`: it fails nothing
            kinds = {k: v for k, v in kinds.items() if k not in parse_ci.CHECKING}
        for kind, command in kinds.items():
            derived.setdefault(
                (step.path, step.line, kind),
                Fact(
                    kind=f"ci.step.{kind}",
                    path=step.path,
                    line=step.line,
                    zone=step.zone,
                    detail={"job": step.detail.get("job"), "via": command.where},
                ),
            )
    facts.extend(derived.values())


def _missing_pipeline_scripts(root: Path, facts: list[Fact]) -> None:
    """A CI step that is a pipeline run only by the script it names (`python
    ml_service/pipelines/build_train_pipeline.py`) runs nothing of the repository's when that
    script is not in it (from the root or a folder of the CI file): marked `missing`. A step
    that deploys only by such a script's name (`python src/deployment/deploy_model.py`, the
    script absent) deploys nothing: it is no deploy step."""
    gone: list[Fact] = []
    for fact in facts:
        kinds = ("ci.step.pipeline_deploy", "ci.step.deploy")
        scripts = fact.detail.get("scripts") if fact.kind in kinds else None
        if not scripts:
            continue
        parts = fact.path.split("/")[:-1]
        candidates = [
            "/".join(parts[:i] + [str(s)]) for s in scripts for i in range(len(parts), -1, -1)
        ]
        candidates = _in_seed(fact.path, candidates)
        if not any((root / c).is_file() for c in candidates):
            fact.detail["missing"] = True
            if fact.kind == "ci.step.deploy":
                gone.append(fact)
    if gone:
        dropped = {id(g) for g in gone}
        facts[:] = [f for f in facts if id(f) not in dropped]


def _serving_builds(facts: list[Fact]) -> None:
    """A CI job whose image builds all name Dockerfiles running the serving app (uvicorn,
    gunicorn, flask, bentoml or mlflow serve: `docker.image` `serving`) builds the serving image,
    not the pipeline's: its build and push steps are `ci.step.serving_image`."""
    images = {f.path: f.detail.get("serving") for f in facts if f.kind == "docker.image"}
    jobs: dict[tuple[str, str], list[Fact]] = {}
    for fact in facts:
        if fact.kind == "ci.step.build_image":
            jobs.setdefault((fact.path, str(fact.detail.get("job"))), []).append(fact)
    for steps in jobs.values():
        named = [str(n) for s in steps for n in s.detail.get("dockerfiles", [])]
        if named and all(images.get(name) for name in named):
            for step in steps:
                step.kind = "ci.step.serving_image"

"""One pass over a tree: classify each file by zone and kind, parse it, collect the facts.

Tests, examples, docs, vendored code and notebooks are zones of their own, so a tutorial DAG
under `examples/` is seen but does not count as the project's pipeline. Virtual environments,
data, run outputs, dependency folders and the top-level folders `.gitignore` names are skipped.
"""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath

from scaffolder.assess import (
    detect_dvc,
    parse_ci,
    parse_ci_providers,
    parse_dockerfile,
    parse_infra,
    parse_manifests,
    parse_text,
    parse_toml,
    practices,
)
from scaffolder.assess.models import AssessError, Fact, Facts, Problem, Zone
from scaffolder.assess.parse_python import parse_python
from scaffolder.assess.parse_yaml import YamlSyntaxError, load_yaml_documents

SKIP_DIRS = {
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    ".env",
    "env",
    "node_modules",
    "data",
    "mlruns",
    "mlartifacts",
    "__pycache__",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    "site-packages",
    ".airflow",
    ".ipynb_checkpoints",
    ".eggs",
    "build",
    "dist",
    ".cache",
    ".idea",
    ".vscode",
    ".dvc",
    "htmlcov",
    "wandb",
    "lightning_logs",
}
SHALLOW_DIRS = {"data": (".py",), "build": (".py", ".yaml", ".yml")}
KEEP_HIDDEN = {
    ".github",
    ".gitlab",
    ".circleci",
    ".devcontainer",
    ".pipelines",
    ".azuredevops",
    ".azure-pipelines",
    ".azure",
    ".cloud-build",  # Cloud Build configs kept in a folder of their own
    ".cloudbuild",
}
ZONE_DIRS = {
    Zone.TESTS: {"tests", "test", "testing", "integration_tests", "unit_tests"},
    Zone.EXAMPLES: {
        "examples",
        "example",
        "samples",
        "sample",
        "tutorials",
        "tutorial",
        "demo",
        "demos",
        "sandbox",
    },
    Zone.DOCS: {"docs", "doc", "documentation", "site"},
    Zone.VENDORED: {"vendor", "vendored", "third_party", "thirdparty", "external", "extern"},
}
MAX_BYTES = 2_000_000
# facts that make a file an orchestrated pipeline's definition or launcher
PIPELINE_KINDS = {"pipeline.def", "kfp.run", "kfp.pipeline"}
LOCK_NAMES = {"uv.lock", "poetry.lock", "pdm.lock", "Pipfile.lock", "conda-lock.yml", "pixi.lock"}
LINT_FILES = {
    ".flake8",
    ".pylintrc",
    "pylintrc",
    "ruff.toml",
    ".ruff.toml",
    "mypy.ini",
    ".mypy.ini",
}
MODEL_CARD = re.compile(r"model[_-]?card", re.I)
DOCKERFILE = re.compile(r"^(Dockerfile|Containerfile)(\.[\w.-]+)?$|\.(dockerfile|Dockerfile)$")


def _zone(parts: tuple[str, ...]) -> Zone:
    for depth, part in enumerate(parts[:-1]):
        lowered = part.lower()
        if lowered in ZONE_DIRS[Zone.TESTS]:
            return Zone.TESTS
        # Example/doc/vendor folders count near the top only, so a package that happens to be
        # called `demo` or `docs` (src/demo/) is still the project's code.
        if depth > 1 or (depth == 1 and parts[0] == "src"):
            continue
        for zone in (Zone.EXAMPLES, Zone.DOCS, Zone.VENDORED):
            if lowered in ZONE_DIRS[zone]:
                return zone
    name = parts[-1]
    if name.endswith(".py") and (
        name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"
    ):
        return Zone.TESTS
    if name.endswith(".ipynb"):
        return Zone.NOTEBOOK
    return Zone.SOURCE


def _gitignored_dirs(root: Path) -> set[str]:
    """Plain folder names and paths from the top-level .gitignore (no wildcards, no negation)."""
    from scaffolder.safe_read import read_optional

    result: set[str] = set()
    # A regular file inside the repository only: `.gitignore -> /dev/zero` is skipped.
    text = read_optional(root / ".gitignore", root=root, what=".gitignore")
    for raw in (text or "").splitlines():
        entry = raw.strip()
        if (
            not entry
            or entry.startswith(("#", "!"))
            or any(c in entry for c in "*?[")
            or not entry.endswith("/")
        ):
            continue
        result.add(entry.strip("/"))
    return result


def _read(path: str) -> bytes | None:
    """A regular file's bytes, or None (missing, not a regular file, over MAX_BYTES)."""
    from scaffolder.safe_read import UnsafeFileError, read_bytes

    try:
        return read_bytes(path, limit=MAX_BYTES)
    except (OSError, UnsafeFileError):
        return None


MODEL_WEIGHTS = (".pth", ".pt", ".h5", ".keras", ".pkl", ".joblib", ".onnx", ".safetensors")


def _beside_model_weights(full: str) -> bool:
    """A JSON file in a folder of model weights (`artifacts/config.json` beside
    `model_state_dict.pth`) is the saved model's own configuration, written with it: an output
    of training, not a parameter file it reads."""
    try:
        return any(n.lower().endswith(MODEL_WEIGHTS) for n in os.listdir(os.path.dirname(full)))
    except OSError:
        return False


def scan(root: Path) -> Facts:
    """Walk `root` once and return every fact found; never raises on a damaged file."""
    if not root.is_dir():
        raise AssessError(f"{root} is not a folder; pass the path of a repository checkout")
    facts: list[Fact] = []
    problems: list[Problem] = []
    skipped: list[str] = []
    files = 0
    ignored = _gitignored_dirs(root)
    if (root / ".git").exists():
        facts.append(Fact(kind="vcs.git", path=".git", line=1))
    if (root / ".mlops-scaffold.yml").is_file():
        facts.append(Fact(kind="scaffold.state", path=".mlops-scaffold.yml", line=1))
    stack = [(str(root), ())]
    while stack:
        directory, rel = stack.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            skipped.append("/".join(rel) or ".")
            continue
        for entry in entries:
            name = entry.name
            parts = (*rel, name)
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                relpath = "/".join(parts)
                if name in SHALLOW_DIRS and relpath not in ignored:
                    # data/ and build/ are skipped, but they must not hide code: their own
                    # Python files (data checks) and build definitions (Cloud Build YAML) are
                    # read, nothing deeper
                    files += _shallow(entry.path, parts, SHALLOW_DIRS[name], facts, problems)
                if (
                    (name in SKIP_DIRS and not (name == "build" and _source_build(entry.path)))
                    or (name.startswith(".") and name not in KEEP_HIDDEN)
                    or relpath in ignored
                    or name.endswith(".egg-info")
                    or os.path.exists(os.path.join(entry.path, "pyvenv.cfg"))
                ):
                    skipped.append(relpath)
                    continue
                stack.append((entry.path, parts))
                continue
            if not entry.is_file(follow_symlinks=False):
                continue
            files += 1
            try:
                _file(entry.path, parts, facts, problems)
            except Exception as exc:  # noqa: BLE001 - one odd file must never stop an assessment
                problems.append(
                    Problem(
                        path="/".join(parts),
                        line=1,
                        category="internal",
                        message=f"not understood ({type(exc).__name__}: {exc})",
                    )
                )
    _gitlab_includes(root, facts, problems)
    _local_actions(root, facts)
    facts.extend(detect_dvc.dvc_facts(root))  # .dvc/config and .dvc files, data/ included
    _scripts_of_ci(facts)
    facts.sort(key=lambda f: (f.path, f.line, f.kind))
    problems.sort(key=lambda p: (p.path, p.line))
    return Facts(files_scanned=files, skipped=sorted(skipped), facts=facts, problems=problems)


def _source_build(directory: str) -> bool:
    """A `build/` folder of sources (CI definitions, build scripts), not a build's output
    (`build/lib`, `build/bdist.*`)."""
    try:
        names = os.listdir(directory)
    except OSError:
        return False
    outputs = [n for n in names if n == "lib" or n.startswith(("bdist.", "temp.", "scripts-"))]
    return not outputs and any(n.endswith((".py", ".yaml", ".yml", ".sh")) for n in names)


def _shallow(
    directory: str,
    rel: tuple[str, ...],
    suffixes: tuple[str, ...],
    facts: list[Fact],
    problems: list[Problem],
) -> int:
    count = 0
    try:
        entries = [e for e in os.scandir(directory) if e.name.endswith(suffixes)]
    except OSError:
        return 0
    for entry in entries:
        if entry.is_file(follow_symlinks=False):
            count += 1
            _file(entry.path, (*rel, entry.name), facts, problems)
    return count


def _file(full: str, parts: tuple[str, ...], facts: list[Fact], problems: list[Problem]) -> None:
    name = parts[-1]
    path = "/".join(parts)
    suffix = os.path.splitext(name)[1].lower()
    zone = _zone(parts)
    # explanations, load tests, release notes, business context (practices/): by name first
    facts.extend(practices.file_facts(parts, zone, lambda: _text(full)))
    if suffix == ".py":
        data = _read(full)
        if data is None or len(data) > MAX_BYTES:
            return
        is_test = zone is Zone.TESTS or name.startswith("test_") or name == "conftest.py"
        folder = os.path.dirname(full)
        found, trouble = parse_python(
            data,
            path,
            zone,
            is_test,
            sibling_exists=lambda m: os.path.exists(
                os.path.join(folder, m.replace(".", os.sep) + ".py")
            ),
        )
        facts.extend(found)
        problems.extend(trouble)
        return
    if suffix in (".yml", ".yaml") and name not in LOCK_NAMES:
        _yaml(full, path, zone, facts, problems)
        return
    if name == "Jenkinsfile" or name.startswith("Jenkinsfile."):
        text = _text(full)
        if text is not None:
            facts.extend(parse_ci_providers.jenkinsfile(text, path, Zone.SOURCE))
        return
    if name == "MLproject":
        facts.append(Fact(kind="train.entrypoint", path=path, zone=zone, detail={"via": name}))
        facts.append(Fact(kind="config.file", path=path, zone=zone, detail={"thresholds": False}))
        return
    if name == "Pipfile":
        facts.append(Fact(kind="deps.declared", path=path, zone=zone, detail={"count": 1}))
        return
    if name == "package.json":
        # an npm manifest declares the dependencies of the project's JavaScript/TypeScript
        # part (a CDK app, a web UI, Lambda handlers) as requirements.txt does for Python
        text = _text(full)
        count = parse_text.package_json_dependencies(text) if text is not None else 0
        if count:
            facts.append(Fact(kind="deps.declared", path=path, zone=zone, detail={"count": count}))
        return
    if name == "setup.cfg":
        data = _read(full) or b""
        if b"install_requires" in data:
            facts.append(Fact(kind="deps.declared", path=path, zone=zone, detail={"count": 1}))
        if b"[flake8]" in data:
            facts.append(Fact(kind="lint.config", path=path, zone=zone, detail={"tool": name}))
        return
    if suffix == ".tf":
        text = _text(full)
        if text is not None:
            facts.extend(parse_infra.terraform_facts(text, path, zone))
        return
    if suffix == ".tfvars":
        facts.extend(parse_infra.tfvars_facts(path, zone))
        return
    if name == "pyproject.toml":
        text = _text(full)
        if text is not None:
            found, trouble = parse_toml.parse_pyproject(text, path, zone)
            facts.extend(found)
            problems.extend(trouble)
        return
    if name in LOCK_NAMES:
        facts.extend(parse_toml.parse_lock(path, zone))
        return
    if name in LINT_FILES:
        facts.append(Fact(kind="lint.config", path=path, zone=zone, detail={"tool": name}))
        return
    if name.startswith("requirements") and suffix in (".txt", ".in"):
        text = _text(full)
        if text is not None:
            facts.extend(parse_toml.parse_requirements(text, path, zone))
        return
    if DOCKERFILE.search(name):
        text = _text(full)
        if text is not None:
            facts.extend(parse_dockerfile.parse_dockerfile(text, path, zone))
        return
    if name in ("Makefile", "makefile", "GNUmakefile"):
        text = _text(full)
        if text is not None:
            facts.extend(parse_text.parse_makefile(text, path, zone))
        return
    if name == "CODEOWNERS" and len(parts) <= 2:
        text = _text(full)
        if text is not None:
            facts.extend(parse_text.parse_codeowners(text, path, Zone.SOURCE))
        return
    if (
        len(parts) <= 2
        and name.lower().startswith("readme")
        and suffix in (".md", ".rst", ".txt", "")
    ):
        text = _text(full)
        if text is not None:
            facts.extend(parse_text.parse_readme(text, path, zone))
        return
    if MODEL_CARD.search(name):
        # A model card is documentation by nature: one under docs/ counts as much as at the root.
        facts.append(
            Fact(kind="model_card", path=path, zone=Zone.SOURCE if zone is Zone.DOCS else zone)
        )
        if suffix in (".md", ".rst", ".txt"):
            text = _text(full)
            if text is not None:
                facts.extend(practices.text_of_card(parts, zone, text))
        return
    if name == ".gitignore" and len(parts) == 1:
        facts.append(Fact(kind="gitignore", path=path, zone=zone))
        return
    if suffix == ".json":
        lowered = path.lower()
        if "dashboard" in lowered or "grafana" in lowered or "expectations" in lowered:
            text = _text(full)
            if text is not None:
                found, trouble = parse_text.parse_json(text, path, zone)
                facts.extend(found)
                problems.extend(trouble)
        elif (
            ("job" in parts[-1].lower() or "jobs" in parts[:-1])
            and (text := _text(full)) is not None
            and (job := parse_infra.databricks_job_json(text, path, zone))
        ):
            facts.extend(job)  # a Databricks Jobs API spec (`databricks jobs create --json-file`)
        elif (parse_infra.is_config_json(parts) or "template" in lowered) and not (
            _beside_model_weights(full)
        ):
            text = _text(full)
            if text is not None and ("template" not in lowered or "AWSTemplate" in text):
                found, trouble = parse_infra.json_facts(text, path, zone)
                facts.extend(found)
                problems.extend(trouble)
        return
    if suffix == ".ipynb":
        text = _text(full)
        if text is not None:
            found, trouble = parse_text.parse_notebook(text, path)
            facts.extend(found)
            problems.extend(trouble)
            facts.append(Fact(kind="notebook", path=path, zone=Zone.NOTEBOOK))
        return
    if suffix == ".dvc":
        facts.append(Fact(kind="dvc.tracked", path=path, zone=zone))
        return
    if suffix == ".sh":
        text = _text(full)
        if text is not None:
            facts.extend(parse_text.parse_shell(text, path, zone))


def _text(full: str) -> str | None:
    data = _read(full)
    if data is None or len(data) > MAX_BYTES:
        return None
    return data.decode("utf-8", errors="replace")


def _yaml(
    full: str,
    path: str,
    zone: Zone,
    facts: list[Fact],
    problems: list[Problem],
    gitlab: bool = False,
    templates: dict[str, dict] | None = None,
) -> None:
    text = _text(full)
    if text is None:
        return
    is_github = parse_ci.is_github_workflow(path)
    is_gitlab = gitlab or parse_ci.is_gitlab_ci(path)
    named_ci = path.rsplit("/", 1)[-1].lower().startswith(
        ("buildspec", "bitbucket-pipelines", "azure-pipelines", "cloudbuild")
    ) or path.startswith((".circleci/", ".pipelines/", ".azuredevops/", ".azure-pipelines/"))
    category = "ci" if (is_github or is_gitlab or named_ci) else "yaml"
    if is_github or is_gitlab or named_ci:
        zone = Zone.SOURCE
    if "{{" in text or "{%" in text:
        # A Jinja/Helm template is not YAML until rendered; say so instead of failing on it.
        try:
            docs = load_yaml_documents(text)
        except YamlSyntaxError:
            facts.append(Fact(kind="yaml.template", path=path, zone=zone))
            facts.extend(parse_infra.template_envs(text, path, zone))
            return
    else:
        try:
            docs = load_yaml_documents(text)
        except YamlSyntaxError as exc:
            problems.append(
                Problem(
                    path=path,
                    line=exc.line,
                    category=category,
                    message=f"YAML error: {exc.message}",
                    zone=zone,
                )
            )
            return
    if is_github:
        for doc in docs:
            facts.extend(parse_ci.github_workflow(doc, path))
    elif is_gitlab:
        for doc in docs:
            facts.extend(parse_ci.gitlab_ci(doc, path, templates))
    else:
        for doc in docs:
            provider = parse_ci_providers.provider_of(path, doc)
            if provider:
                facts.extend(
                    f.model_copy(update={"zone": Zone.SOURCE})
                    for f in parse_ci_providers.provider_facts(provider, doc, path)
                )
            else:
                facts.extend(parse_infra.yaml_facts(doc, path, zone))
                facts.extend(practices.yaml_facts(doc, path, zone))
        if path.rsplit("/", 1)[-1] in ("dvc.yaml", "dvc.yml"):
            for doc in docs:
                facts.extend(parse_infra.dvc_artifacts(doc, path, zone))
        facts.extend(
            f.model_copy(update={"zone": zone}) if f.zone != zone else f
            for f in parse_manifests.manifest_facts(docs, path, zone)
        )


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
                    parse_ci.composite_action(
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
            templates.update(parse_ci.gitlab_templates(doc))
    if not templates:
        return
    for rel in paths:
        facts[:] = [f for f in facts if f.path != rel]
        problems[:] = [p for p in problems if p.path != rel]
        found: list[Fact] = []
        _yaml(str(root / rel), rel, Zone.SOURCE, found, problems, gitlab=True, templates=templates)
        facts.extend(found)


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
        elif fact.kind in PIPELINE_KINDS and fact.zone is Zone.SOURCE:
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


def head_commit(root: Path) -> str | None:
    """The checked-out commit, read from .git without running git (a fleet needs no git calls)."""
    from scaffolder.safe_read import read_optional

    def read(path: Path) -> str:
        text = read_optional(path, limit=1 << 16)
        if text is None:
            raise OSError(str(path))
        return text

    git = root / ".git"
    try:
        if git.is_file():  # a worktree or submodule: "gitdir: <path>"
            target = read(git).split(":", 1)[1].strip()
            git = (root / target).resolve()
        head = read(git / "HEAD").strip()
    except (OSError, IndexError):
        return None
    if not head.startswith("ref:"):
        return head or None
    ref = head[4:].strip()
    common = git
    commondir = git / "commondir"
    try:
        if commondir.is_file():
            common = (git / read(commondir).strip()).resolve()
        for base in (git, common):
            ref_file = base / ref
            if ref_file.is_file():
                return read(ref_file).strip() or None
        packed = read(common / "packed-refs") if (common / "packed-refs").is_file() else ""
    except OSError:
        return None
    if packed:
        for line in packed.splitlines():
            if line.endswith(" " + ref):
                return line.split()[0]
    return None


__all__ = ["scan", "head_commit", "PurePosixPath"]

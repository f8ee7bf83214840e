"""One file of the walk: its zone, and the parser its name and place call for (Python,
notebooks, YAML of every kind, TOML, JSON, Dockerfiles, shell scripts, text)."""

from __future__ import annotations

import os
import re

from scaffolder.assess import (
    detect_cdk,
    detect_dvc,
    parse_ci_github,
    parse_ci_gitlab,
    parse_ci_jenkins,
    parse_ci_providers,
    parse_databricks,
    parse_dockerfile,
    parse_infra,
    parse_json_config,
    parse_k8s,
    parse_mage,
    parse_manifests,
    parse_prefect,
    parse_terraform,
    parse_text,
    parse_toml,
    parse_toml_config,
    parse_valohai,
    practices,
)
from scaffolder.assess.config_model_uris import config_model_uris, is_config_file
from scaffolder.assess.models import Fact, Problem, Zone
from scaffolder.assess.parse_python import parse_python
from scaffolder.assess.parse_yaml import YamlSyntaxError, load_yaml_documents
from scaffolder.assess.python_sys_path import ancestor_module

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
REQUIREMENTS_SUFFIXED = re.compile(r"[\w.]+[-_]requirements\.(txt|in)$")
MODEL_CARD = re.compile(r"model[_-]?card", re.I)
# `dockerfile` in lower case builds as well (docker build finds it on case-insensitive disks and
# by `-f`)
DOCKERFILE = re.compile(r"^([Dd]ockerfile|Containerfile)(\.[\w.-]+)?$|\.(dockerfile|Dockerfile)$")


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
        name.startswith("test_")
        or name.endswith("_test.py")
        or name in ("conftest.py", "test.py", "tests.py")
    ):
        # `test.py`/`tests.py` (Django's, or a script CI runs with `python test.py`) hold tests
        return Zone.TESTS
    if name.endswith(".ipynb"):
        return Zone.NOTEBOOK
    return Zone.SOURCE


def _read(path: str) -> bytes | None:
    """A regular file's bytes, or None (missing, not a regular file, over MAX_BYTES)."""
    from scaffolder.safe_read import UnsafeFileError, read_bytes

    try:
        return read_bytes(path, limit=MAX_BYTES)
    except (OSError, UnsafeFileError):
        return None


MODEL_WEIGHTS = (".pth", ".pt", ".h5", ".keras", ".pkl", ".joblib", ".onnx", ".safetensors")
# what a tokenizer's `save_pretrained` writes beside its `tokenizer_config.json`
SAVED_TOKENIZER = {"tokenizer.json", "special_tokens_map.json", "vocab.txt", "merges.txt"}


def _beside_model_weights(full: str) -> bool:
    """A JSON file in a folder of model weights (`artifacts/config.json` beside
    `model_state_dict.pth`) or of a saved tokenizer (`tokenizer_config.json` beside
    `tokenizer.json` and `special_tokens_map.json`) is the saved model's own configuration,
    written with it: an output of training, not a parameter file it reads."""
    try:
        names = [n.lower() for n in os.listdir(os.path.dirname(full))]
    except OSError:
        return False
    return any(n.endswith(MODEL_WEIGHTS) for n in names) or len(SAVED_TOKENIZER & set(names)) >= 2


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
            ancestor_module=lambda m: ancestor_module(full, parts, m),
        )
        facts.extend(found + parse_databricks.notebook_runtime(data, path, zone, found))
        problems.extend(trouble)
        return
    if zone is Zone.SOURCE and is_config_file(name, suffix):
        data = _read(full)
        if data and b"models:/" in data:
            facts.extend(config_model_uris(data.decode("utf-8", "replace"), path, zone))
    # (dvc.lock is YAML by another suffix: the data and outputs each stage ran on, pinned)
    if (suffix in (".yml", ".yaml") and name not in LOCK_NAMES) or name == "dvc.lock":
        _yaml(full, path, zone, facts, problems)
        return
    if name == "Jenkinsfile" or name.startswith("Jenkinsfile.") or name.endswith(".jenkinsfile"):
        text = _text(full)
        if text is not None:
            facts.extend(parse_ci_jenkins.jenkinsfile(text, path, Zone.SOURCE))
        return
    if "jenkins" in name.lower() and suffix not in (".md", ".rst", ".sh", ".json", ".xml"):
        # a declarative Jenkins pipeline kept under another name (`jenkins.pipeline`), which a
        # Jenkins job's script path points at: read when its text is one
        text = _text(full)
        if text is not None and parse_ci_jenkins.JENKINS_DECLARATIVE.match(text):
            facts.extend(parse_ci_jenkins.jenkinsfile(text, path, Zone.SOURCE))
            return
    if suffix == ".groovy":  # a Jenkins pipeline by another name, a shared library's steps
        text = _text(full)
        if text is not None:
            facts.extend(parse_ci_jenkins.groovy(text, path))
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
    if suffix == ".ts" and not name.endswith(".d.ts") and zone is Zone.SOURCE:
        # a CDK app in TypeScript (`lib/*-stack.ts`): read only when it imports SageMaker's
        # constructs
        data = _read(full) or b""
        if b"aws-sagemaker" in data:
            text = data.decode("utf-8", "replace")
            facts.extend(detect_cdk.typescript_cdk_facts(text, path, zone))
        return
    if suffix == ".tf":
        text = _text(full)
        if text is not None:
            facts.extend(parse_terraform.terraform_facts(text, path, zone))
        return
    if suffix == ".tfvars" or name.endswith((".tfvars.example", ".tfvars.sample")):
        # an environment's variables, also as the example a team copies (`envs/dev.tfvars.example`)
        text = _text(full)
        if text is not None:
            facts.extend(parse_terraform.tfvars_facts(text, path, zone))
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
    if parse_toml_config.is_config_toml(path):
        text = _text(full)
        if text is not None:
            facts.extend(parse_toml_config.config_toml_facts(text, path, zone))
        return
    # requirements*.txt, *-requirements.txt (`dev-requirements.txt`, `docker_requirements.txt`),
    # and the files of a requirements/ directory that one includes with -r
    if suffix in (".txt", ".in") and (
        name.startswith("requirements")
        or REQUIREMENTS_SUFFIXED.match(name)
        or path.rsplit("/", 2)[-2:-1] == ["requirements"]
    ):
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
        and suffix in (".md", ".rst", ".txt", ".org", ".adoc", "")
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
            and (job := parse_databricks.databricks_job_json(text, path, zone))
        ):
            facts.extend(job)  # a Databricks Jobs API spec (`databricks jobs create --json-file`)
        elif (parse_json_config.is_config_json(parts) or "template" in lowered) and not (
            _beside_model_weights(full)
        ):
            text = _text(full)
            if text is not None and ("template" not in lowered or "AWSTemplate" in text):
                found, trouble = parse_json_config.json_facts(text, path, zone)
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
    is_github = parse_ci_github.is_github_workflow(path)
    is_gitlab = gitlab or parse_ci_gitlab.is_gitlab_ci(path)
    named_ci = path.rsplit("/", 1)[-1].lower().startswith(
        ("buildspec", "bitbucket-pipelines", "azure-pipelines", "cloudbuild")
    ) or path.startswith((".circleci/", ".pipelines/", ".azuredevops/", ".azure-pipelines/"))
    named_ci = named_ci or path in (".travis.yml", ".travis.yaml")  # Travis reads the root's
    category = "ci" if (is_github or is_gitlab or named_ci) else "yaml"
    if is_github or is_gitlab or named_ci:
        zone = Zone.SOURCE
    if "{{" in text or "{%" in text:
        # A Jinja/Helm template is not YAML until rendered; say so instead of failing on it.
        try:
            docs = load_yaml_documents(text)
        except YamlSyntaxError:
            facts.append(Fact(kind="yaml.template", path=path, zone=zone))
            facts.extend(parse_k8s.template_resources(text, path, zone))
            facts.extend(parse_json_config.template_envs(text, path, zone))
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
            facts.extend(parse_ci_github.github_workflow(doc, path))
    elif is_gitlab:
        for doc in docs:
            facts.extend(parse_ci_gitlab.gitlab_ci(doc, path, templates))
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
        if path.rsplit("/", 1)[-1] in parse_valohai.NAMES:
            for doc in docs:
                facts.extend(parse_valohai.valohai_facts(doc, path, zone))
        if path.rsplit("/", 1)[-1] in ("metadata.yaml", "triggers.yaml"):
            for doc in docs:
                facts.extend(parse_mage.mage_facts(doc, path, zone))
        if path.rsplit("/", 1)[-1] in ("dvc.yaml", "dvc.yml"):
            for doc in docs:
                facts.extend(detect_dvc.dvc_artifacts(doc, path, zone))
        for doc in docs:
            facts.extend(parse_prefect.deployment_facts(doc, path, zone))
        facts.extend(
            f.model_copy(update={"zone": zone}) if f.zone != zone else f
            for f in parse_manifests.manifest_facts(docs, path, zone)
        )

"""The answers a project is made from: parsing, validation and the typed model."""

from __future__ import annotations

import keyword
import re
import sys
import unicodedata
from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from scaffolder.choices import (
    CI_PROVIDERS,
    DATA_VERSIONING,
    ENV_MANAGERS,
    FEATURE_STORES,
    FROM_LEVEL,
    ORCHESTRATORS,
    PYTHON_VERSIONS,
)
from scaffolder.errors import InvalidAnswerError, MissingAnswerError

# Kept in step with the validators in templates/copier.yml (a test checks they agree).
PROJECT_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9._-]{0,99}$")
PACKAGE_NAME_RE = re.compile(r"^[a-z_][a-z0-9_]*$")
# The org-choice questions: strict enough that an answer is always safe inside YAML and shell.
ORG_CHOICE_RES = {
    "default_branch": re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$"),
    "ci_runner": re.compile(r"^([A-Za-z0-9._-]+( *, *[A-Za-z0-9._-]+)*)?$"),
    "container_registry": re.compile(
        r"^([a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?(/[a-z0-9]([a-z0-9._-]*[a-z0-9])?)*)?$"
    ),
    "base_image": re.compile(r"^([a-z0-9][a-z0-9._/:-]*(@sha256:[a-f0-9]{64})?)?$"),
    # A DVC remote URL (s3://bucket/prefix, gs://, azure://, ssh://host/path, https://...):
    # no blanks, quotes, '#', ';' or backslashes, so it stands bare in .dvc/config (INI).
    "data_remote": re.compile(r"^([a-z][a-z0-9+]*://[A-Za-z0-9._~:/@%+=,-]+)?$"),
}
# Longer import names push generated import lines past the formatter's line length.
MAX_PACKAGE_NAME = 32

# A package with one of these names would shadow a library the generated project imports.
RESERVED_PACKAGES = frozenset(
    {
        "airflow", "kfp", "mlflow", "great_expectations", "sklearn", "pandas", "numpy",
        "scipy", "joblib", "yaml", "pytest", "prometheus_client", "fastapi", "pydantic",
        "tests", "src", "dags", "pipelines",
    }
)  # fmt: skip

Orchestrator = Literal["airflow", "kubeflow", "both"]
CIProvider = Literal["github", "gitlab"]
PythonVersion = Literal["3.10", "3.11", "3.12", "3.13", "3.14"]
DataVersioning = Literal["dvc", "none"]
FeatureStore = Literal["feast", "none"]
EnvManager = Literal["uv", "pip"]


class Answers(BaseModel):
    """Every answer a render needs; questions skipped at a level (orchestrator and ci at
    level 0) are None.

    Answers to an org overlay's own questions are kept as extra fields (plain values only).
    """

    model_config = ConfigDict(extra="allow")

    project_name: str
    package_name: str
    description: str
    author: str
    level: int
    orchestrator: Orchestrator | None = None
    ci: CIProvider | None = None
    python_version: PythonVersion
    # From level 1: raw data under DVC (`dvc`), or not versioned by the project (`none`).
    # None below level 1; a state file from before the question renders with its default.
    data_versioning: DataVersioning | None = None
    # From level 2: a Feast feature store in features/ (`feast`), or none (`none`, the default
    # while Feast's pins clash with the project's: it runs in its own environment).
    # None below level 2; a state file from before the question renders with its default.
    feature_store: FeatureStore | None = None
    # Adopting around a team's package: no churn example; the infrastructure goes into the
    # team's package folder (`src/NAME` or `NAME`) and calls their functions. Never asked.
    example: bool = True
    package_dir: str | None = None
    # Adopting: the make targets the team's Makefile already had (space-separated); the
    # template's own of those names are rendered as `mlops-NAME`, so both stay. Never asked.
    team_targets: str = ""
    # Adopting a repository that already is a DVC repository (.dvc/): its DVC set-up stays the
    # team's, and the template renders none of its own (.dvc/, .dvcignore, dvc.yaml). Never asked.
    team_dvc: bool = False
    # Common org choices (defaults keep projects made before they existed valid).
    default_branch: str = "main"
    ci_runner: str = ""
    container_registry: str = ""
    base_image: str = ""
    # The DVC remote (`data_versioning: dvc`): empty for the folder `dvc-storage/` in the project.
    data_remote: str = ""
    # What `make setup` installs with: uv (on PATH, else put into the venv by pip) or pip.
    # A state file from before the question gets uv (`make setup ENV_MANAGER=pip` keeps pip).
    env_manager: EnvManager = "uv"

    @model_validator(mode="after")
    def _extra_answers_are_plain(self) -> Answers:
        for key, value in (self.model_extra or {}).items():
            if not re.match(r"^[a-z_][a-z0-9_]*$", key):
                raise ValueError(f"answer name {key!r} is not a lowercase identifier")
            if not isinstance(value, str | int | float | bool | type(None)):
                raise ValueError(f"answer {key!r} is not a plain value")
        return self

    @field_validator(
        "project_name", "package_name", "description", "author", "default_branch", "ci_runner",
        "container_registry", "base_image", "data_remote",
    )  # fmt: skip
    @classmethod
    def _acceptable(cls, value: str, info) -> str:
        # Answers come from flags, prompts and the state file: all pass the same checks.
        problem = answer_problem(info.field_name, value)
        if problem:
            raise ValueError(problem)
        return value


def derive_package_name(project_name: str) -> str:
    """The import name copier's default gives: lowercase, '-' and '.' become '_'."""
    return project_name.lower().replace("-", "_").replace(".", "_")


def check_project_name(name: str) -> None:
    """Refuse names that are not a plain folder name or give no usable package name."""
    if not PROJECT_NAME_RE.match(name):
        raise InvalidAnswerError(
            f"project name {name!r} is not valid; use letters, digits, '-', '_' or '.', "
            "starting with a letter (a plain name, not a path)"
        )


def check_package_name(name: str) -> None:
    """Refuse package names Python cannot import or that would shadow another module."""
    if not PACKAGE_NAME_RE.match(name):
        raise InvalidAnswerError(
            f"package name {name!r} is not a valid Python identifier; "
            "pass --data package_name=NAME with lowercase letters, digits and '_'"
        )
    if len(name) > MAX_PACKAGE_NAME:
        raise InvalidAnswerError(
            f"package name {name!r} is longer than {MAX_PACKAGE_NAME} characters; "
            "pass --data package_name=NAME with a shorter one"
        )
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        raise InvalidAnswerError(
            f"package name {name!r} is a Python keyword; choose another NAME or "
            "pass --data package_name=NAME"
        )
    if name in sys.stdlib_module_names or name in RESERVED_PACKAGES:
        raise InvalidAnswerError(
            f"package name {name!r} would shadow the module of the same name; choose another "
            "NAME or pass --data package_name=NAME"
        )


# No one-line answer may hold controls (newline, tab, NUL, ESC...), line or paragraph
# separators, or surrogates (bytes that were not UTF-8). Bidi overrides reorder how code
# reads ("trojan source"), so they are refused too.
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


# Answers with a fixed form; every other string answer is free text (one line, stripped).
_NOT_FREE_TEXT = {
    "project_name", "package_name", "orchestrator", "ci", "python_version", "level",
    "example", "package_dir", "team_targets", "team_dvc", "default_branch", "ci_runner",
    "container_registry", "base_image",
    "data_versioning", "data_remote", "env_manager", "feature_store",
}  # fmt: skip
# Answers the tool sets (adopt), never asked.
NOT_ASKED = {"example", "package_dir", "team_targets", "team_dvc"}
# Asked at a prompt, but with a default good for scripts: a run without a terminal takes it.
OPTIONAL = {"data_versioning", "env_manager", "feature_store"}


def check_one_line(key: str, value: str) -> None:
    """Refuse a free-text answer that is not one line of plain text."""
    for ch in value:
        category = unicodedata.category(ch)
        if ch in "\n\r" or category in ("Zl", "Zp"):
            what = "a line break"
        elif category == "Cs":
            raise InvalidAnswerError(
                f"{key} is not valid UTF-8 text; give it as UTF-8 (check the terminal's encoding)"
            )
        elif category == "Cc" or ch in _BIDI_CONTROLS:
            what = f"the control character U+{ord(ch):04X}"
        else:
            continue
        raise InvalidAnswerError(
            f"{key} contains {what}; answers are one line of text: give it without one"
        )


_ORG_CHOICE_FORMS = {
    "default_branch": "a plain branch name: letters, digits, '.', '_', '-' and '/'",
    "ci_runner": "runner labels of letters, digits, '.', '_' and '-', separated by commas",
    "container_registry": "a registry host with an optional port and path, e.g. "
    "registry.example.com/ml",
    "base_image": "an image reference such as registry.example.com/python:3.11-slim",
    "data_remote": "a DVC remote URL such as s3://bucket/prefix (no blanks or quotes), or "
    "empty for the folder dvc-storage/ in the project",
}


def check_org_choice(key: str, value: str) -> None:
    """The org-choice answers have fixed forms, so they are safe bare in YAML and shell."""
    bad_branch = key == "default_branch" and (".." in value or value.endswith(("/", ".lock")))
    if not ORG_CHOICE_RES[key].match(value) or bad_branch:
        raise InvalidAnswerError(f"{key} {value!r} is not valid; use {_ORG_CHOICE_FORMS[key]}")


def answer_problem(key: str, value: object) -> str | None:
    """Why `value` is not acceptable for question `key`; None when it is. The one place the
    flags, --data, copier's prompt validators and the state file all check answers."""
    if not isinstance(value, str):
        return None
    try:
        check_one_line(key, value)
        if key == "project_name":
            check_project_name(value)
        elif key == "package_name":
            check_package_name(value)
        elif key in ORG_CHOICE_RES:
            check_org_choice(key, value)
    except InvalidAnswerError as exc:
        return str(exc)
    return None


def parse_data(pairs: list[str]) -> dict[str, str]:
    """Turn repeated `--data KEY=VALUE` options into a dict, refusing malformed ones.

    Whether KEY is a question depends on the overlays (`Catalog.check_known`)."""
    data: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InvalidAnswerError(
                f"--data {pair!r} is not KEY=VALUE; write e.g. --data author=ML"
            )
        if not re.match(r"^[a-z_][a-z0-9_]*$", key):
            known = ", ".join(Answers.model_fields)
            raise InvalidAnswerError(f"--data key {key!r} is not a question; known keys: {known}")
        data[key] = value
    return data


def check_given(given: dict[str, object]) -> dict[str, object]:
    """Validate and convert the answers given on the command line, before anything renders."""
    checked = dict(given)
    for key, value in checked.items():
        if isinstance(value, str):
            check_one_line(key, value)
            if key not in _NOT_FREE_TEXT:
                checked[key] = value.strip()  # surrounding blanks mean nothing in one line
    if "project_name" in checked:
        check_project_name(str(checked["project_name"]))
    if "package_name" in checked:
        check_package_name(str(checked["package_name"]))
    elif "project_name" in checked:
        check_package_name(derive_package_name(str(checked["project_name"])))
    if "level" in checked:
        try:
            checked["level"] = int(str(checked["level"]))
        except ValueError:
            raise InvalidAnswerError(f"level {checked['level']!r} is not a number") from None
    for key in ORG_CHOICE_RES:
        if key in checked:
            check_org_choice(key, str(checked[key]))
    for key, allowed in (
        ("orchestrator", ORCHESTRATORS),
        ("ci", CI_PROVIDERS),
        ("python_version", PYTHON_VERSIONS),
        ("data_versioning", DATA_VERSIONING),
        ("feature_store", FEATURE_STORES),
        ("env_manager", ENV_MANAGERS),
    ):
        if key in checked and checked[key] not in allowed:
            raise InvalidAnswerError(f"{key} {checked[key]!r} is not one of {', '.join(allowed)}")
    if isinstance(checked.get("example"), str):
        flag = str(checked["example"]).lower()
        if flag not in ("true", "false", "yes", "no", "1", "0"):
            raise InvalidAnswerError(f"example {checked['example']!r} is not true or false")
        checked["example"] = flag in ("true", "yes", "1")
    if isinstance(checked.get("team_dvc"), str):
        checked["team_dvc"] = str(checked["team_dvc"]).lower() in ("true", "yes", "1")
    if checked.get("example") is False and int(checked.get("level", 0)) >= 3:  # type: ignore[call-overload]
        raise InvalidAnswerError(
            "level 3 builds on the example code for now (monitoring, canary, governance): "
            "around your own package the templates go up to level 2; `mlops-scaffold upgrade "
            "--to 2` applies their updates"
        )
    if not re.fullmatch(r"[A-Za-z0-9_. -]*", str(checked.get("team_targets", ""))):
        raise InvalidAnswerError("team_targets must be make target names separated by spaces")
    if checked.get("package_dir") is not None:
        name = str(
            checked.get("package_name") or derive_package_name(str(checked.get("project_name")))
        )
        if checked["package_dir"] not in (f"src/{name}", name):
            raise InvalidAnswerError(
                f"package_dir {checked['package_dir']!r} must be src/{name} or {name}"
            )
    return checked


def require_answers(given: dict[str, object], *, defaults: bool, interactive: bool) -> None:
    """Without --defaults and without a terminal to ask on, every question must be answered."""
    if defaults or interactive:
        return
    missing = missing_answers(given)
    if missing:
        raise MissingAnswerError(
            f"no terminal to ask for {', '.join(missing)} (level {given.get('level', 0)}); pass "
            "--defaults or give them with --data KEY=VALUE"
        )


def missing_answers(given: dict[str, object]) -> list[str]:
    """Questions that would need a prompt: not given, and asked at the given level."""
    level = int(given.get("level", 0))  # type: ignore[call-overload]
    return [
        name
        for name in Answers.model_fields
        if name not in given
        and name not in NOT_ASKED
        and level >= FROM_LEVEL.get(name, 0)
        and name not in ORG_CHOICE_RES  # optional: empty means the provider's default
        and name not in OPTIONAL
    ]

"""The project state file `.mlops-scaffold.yml`: typed model, load with clear errors, dump."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from scaffolder.answers import Answers
from scaffolder.errors import StateFileError

STATE_FILE = ".mlops-scaffold.yml"
BASE_BRANCH = "mlops-scaffold/base"
SCHEMA_VERSION = 1

_HEADER = (
    "# Written by mlops-scaffold; do not edit by hand. It records how this project was made\n"
    "# so that `mlops-scaffold upgrade` can render the next level with the same answers.\n"
)


class OverlaySource(BaseModel):
    """An org overlay laid over the built-in layers: where it came from and what was used."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    source: str  # a folder's absolute path, or a git URL / repository path
    version: str | None = None  # the version its manifest declares
    ref: str | None = None  # the tag or branch asked for (None: a folder, or the default branch)
    commit: str | None = None  # the exact commit rendered (None for a folder)


class ProjectState(BaseModel):
    """Everything the tool needs to know about a project it made."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1] = SCHEMA_VERSION
    tool_version: str
    template_version: str
    base_branch: str = BASE_BRANCH
    answers: Answers
    overlays: list[OverlaySource] = Field(default_factory=list)
    migrations: list[str] = Field(default_factory=list)

    @property
    def level(self) -> int:
        return self.answers.level


def _yaml():
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False
    return yaml


def dump_state(state: ProjectState) -> str:
    """The file's text: a header comment, then the fields in model order."""
    buffer = io.StringIO()
    _yaml().dump(state.model_dump(mode="json"), buffer)
    return _HEADER + buffer.getvalue()


def write_state(project: Path, state: ProjectState) -> Path:
    path = project / STATE_FILE
    path.write_text(dump_state(state), encoding="utf-8")
    return path


def load_state(project: Path) -> ProjectState:
    """Read and validate the state file; a damaged one names the field at fault."""
    from ruamel.yaml.error import YAMLError

    from scaffolder.safe_read import UnsafeFileError, read_bytes

    path = project / STATE_FILE
    missing = StateFileError(
        f"{path} not found; this project was not made by mlops-scaffold "
        "(run `mlops-scaffold adopt` to bring it in)"
    )
    if not path.exists() and not path.is_symlink():
        raise missing
    try:
        # A regular file inside the project, size-capped: never /dev/zero or a FIFO.
        raw = _yaml().load(read_bytes(path, root=project, limit=1 << 20).decode("utf-8"))
    except FileNotFoundError:
        raise missing from None
    except UnsafeFileError as exc:
        raise StateFileError(f"{exc}; restore it with `git checkout -- {STATE_FILE}`") from None
    except OSError as exc:
        raise StateFileError(f"{path} cannot be read: {exc.strerror or exc}") from exc
    except (YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise StateFileError(
            f"{path} is not valid YAML{where}; restore it with `git checkout -- {STATE_FILE}`"
        ) from exc
    if not isinstance(raw, dict):
        raise StateFileError(f"{path} does not hold a mapping; restore it from git history")
    schema = raw.get("schema_version")
    if isinstance(schema, int) and not isinstance(schema, bool) and schema > SCHEMA_VERSION:
        raise StateFileError(
            f"{path} field 'schema_version' is {schema}: it was written by a newer "
            "mlops-scaffold; upgrade the tool (pip install -U mlops-scaffold)"
        )
    try:
        return ProjectState.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise StateFileError(
            f"{path} is damaged: field '{field}': {first['msg']}; "
            f"restore it with `git checkout -- {STATE_FILE}`"
        ) from exc


def version_key(version: str) -> tuple[int, ...] | None:
    """The numeric release part of a version ('1.2.0rc1' -> (1, 2, 0)); None if there is none."""
    match = re.match(r"^v?(\d+(?:\.\d+)*)", version.strip())
    return tuple(int(part) for part in match.group(1).split(".")) if match else None


def check_usable(
    state: ProjectState, path: Path, *, tool_version: str, template_version: str, levels: list[int]
) -> None:
    """Refuse a state file this tool cannot act on safely, naming the field and the way out."""
    restore = (
        f"restore it with `git log -p -- {STATE_FILE}` and `git checkout <commit> -- {STATE_FILE}`"
    )
    for field, recorded, ours in (
        ("tool_version", state.tool_version, tool_version),
        ("template_version", state.template_version, template_version),
    ):
        key = version_key(recorded)
        if key is None:
            raise StateFileError(
                f"{path} is damaged: field '{field}': {recorded!r} is not a version; {restore}"
            )
        if key > (version_key(ours) or ()):
            raise StateFileError(
                f"{path} field '{field}' is {recorded}, newer than this mlops-scaffold's {ours}: "
                "the project was made by a newer mlops-scaffold; upgrade the tool "
                "(pip install -U mlops-scaffold)"
            )
    if state.level not in levels:
        raise StateFileError(
            f"{path} is damaged: field 'answers.level' is {state.level}, not a level this "
            f"mlops-scaffold has ({', '.join(map(str, levels))}); {restore}"
        )

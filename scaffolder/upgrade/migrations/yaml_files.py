"""Round-trip YAML for migrations: a rewrite keeps the team's comments, order and layout."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any


def round_trip():
    from ruamel.yaml import YAML

    yaml = YAML()  # round-trip mode: comments and key order survive
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap the team's long lines
    yaml.indent(mapping=2, sequence=4, offset=2)
    # Keep `key: null` as written rather than ruamel's bare `key:`.
    yaml.representer.add_representer(
        type(None), lambda rep, _: rep.represent_scalar("tag:yaml.org,2002:null", "null")
    )
    return yaml


def load(path: Path) -> Any:
    """The file's data, or None when it is missing or does not parse (e.g. left in conflict)."""
    from ruamel.yaml.error import YAMLError

    if not path.is_file():
        return None
    try:
        return round_trip().load(path.read_text(encoding="utf-8"))
    except (YAMLError, UnicodeDecodeError):
        return None


def dump(path: Path, data: Any) -> None:
    """Write `data` back, ending with exactly one newline (a removed section's blank line
    would otherwise linger at the end)."""
    buffer = io.StringIO()
    round_trip().dump(data, buffer)
    path.write_text(buffer.getvalue().rstrip("\n") + "\n", encoding="utf-8")

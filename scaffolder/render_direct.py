"""The built-in templates rendered straight with Jinja: the tree copier makes, without copier.

copier renders every template an overlay brings (an organisation's templates may use any of
its features). The built-in templates use a small part of copier: questions of type str, int
or bool with defaults, `when`, choices and validators; `_exclude` patterns; Jinja in file and
folder names; `.jinja` files rendered, the others copied. Importing copier alone takes 0.4 s
of CPU here, more than the whole of `ccds --no-input` (issue 24 asks `new --level 3` to take no
longer than that), and its per-file bookkeeping (a template-repository probe, a conflict check,
a render context per file and path part) is the rest of its cost.

This module does what copier does for those features, in copier's order and with copier's
rules (cast, choice check, validator; the same Jinja environment, extensions and exclusion
matcher), and nothing else: a questions file or question using anything more raises
`Unsupported`, and the caller renders with copier. tests/test_render_direct.py renders every
combination of the built-in answers both ways and requires the same files, bytes, modes and
answers.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path
from typing import Any

SETTINGS = {"_subdirectory", "_templates_suffix", "_min_copier_version", "_jinja_extensions",
            "_exclude"}  # fmt: skip
FIELDS = {"type", "help", "default", "when", "choices", "validator"}
_YAML_FALSE = {"n", "no", "f", "false", "off", "~", "null", "none"}
_YAML_TRUE = {"y", "yes", "t", "true", "on"}


class Unsupported(Exception):
    """The template uses a copier feature this renderer does not have; copier renders it."""


def _to_bool(value: Any) -> bool:
    """copier's cast_to_bool: a number, a YAML boolean or null word, else Python's bool."""
    try:
        return bool(float(value))
    except (TypeError, ValueError):
        pass
    if isinstance(value, str):
        lower = value.strip().lower()
        if not lower or lower in _YAML_FALSE:
            return False
        if lower in _YAML_TRUE:
            return True
    return bool(value)


def _to_str(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return value.decode()
    raise ValueError(f"Could not convert {value} to string")


CASTS = {"str": _to_str, "int": int, "bool": _to_bool}


def load_config(questions_file: Path) -> dict[str, Any]:
    """copier.yml, checked to hold only what this renderer implements."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    config = yaml.load(questions_file.read_text(encoding="utf-8"), Loader=loader)
    for key, spec in config.items():
        if key.startswith("_"):
            if key not in SETTINGS:
                raise Unsupported(key)
        elif not isinstance(spec, dict) or set(spec) - FIELDS or spec.get("type") not in CASTS:
            raise Unsupported(key)
    return config


def environment(root: Path, extensions: list[str]):
    """The Jinja environment copier makes for a template at `root` with these extensions
    (copier's own yield tag left out: no built-in template uses it, and a template that did
    would fail to compile here, not render differently)."""
    from jinja2 import FileSystemLoader
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(
        loader=FileSystemLoader([str(root.resolve())]),
        extensions=["jinja2_ansible_filters.AnsibleCoreFiltersExtension", *extensions],
        keep_trailing_newline=True,  # copier's default
    )


def _render_value(env, value: Any, context: dict[str, Any]) -> Any:
    if not isinstance(value, str):
        return value
    return env.from_string(value).render(context)


def _parse(name: str, spec: dict[str, Any], value: Any, env, context) -> Any:
    """Cast `value` to the question's type; when it has choices, it must be one of them."""
    if value is None:
        raise ValueError(f'Invalid answer "None" to question "{name}" of type "{spec["type"]}"')
    cast = CASTS[spec["type"]]
    answer = cast(value)
    choices = spec.get("choices")
    if not choices:
        return answer
    pairs = list(choices.items()) if isinstance(choices, dict) else [(c, c) for c in choices]
    valid = [cast(_render_value(env, choice, context)) for _, choice in pairs]
    if answer not in valid:
        raise ValueError(f"Invalid choice for '{name}': {answer!r} is not in {valid}")
    return answer


def _validate(name: str, spec: dict[str, Any], answer: Any, env, context) -> None:
    validator = spec.get("validator", "")
    try:
        problem = _render_value(env, validator, {**context, name: answer}).strip()
    except Exception as exc:  # noqa: BLE001 - copier reports any failure as the message
        problem = str(exc)
    if problem:
        raise ValueError(f"Validation error for question '{name}': {problem}")


def answers(config: dict[str, Any], given: dict[str, Any], env) -> tuple[dict, set[str]]:
    """Every question's answer (given, else its default) and the names hidden by `when`, as
    copier's non-interactive run computes them: in order, each question seeing the answers
    before it; a given answer is cast, checked against the choices and validated; a default
    likewise, except that a hidden question's default is not validated."""
    import datetime
    import secrets

    user: dict[str, Any] = {}
    hidden: set[str] = set()
    base = {"now": datetime.datetime.now, "make_secret": lambda: secrets.token_hex(64)}
    for name, spec in config.items():
        if name.startswith("_"):
            continue
        context = {**base, **given, **user}
        shown = _to_bool(_render_value(env, spec.get("when", True), context))
        if not shown:
            hidden.add(name)
        if name in given:
            answer = _parse(name, spec, given[name], env, context)
            _validate(name, spec, answer, env, context)
        elif "default" in spec:
            answer = _parse(name, spec, _render_value(env, spec["default"], context), env, context)
            if shown:
                _validate(name, spec, answer, env, context)
        elif shown:
            raise ValueError(f'Question "{name}" is required')
        else:
            continue
        user[name] = answer
    return user, hidden


def _matcher(config: dict[str, Any], env, context: dict[str, Any]):
    """copier's exclusion matcher: each `_exclude` entry rendered, split into lines, matched
    as gitignore patterns (with `!` re-inclusion) against the rendered relative path."""
    from pathspec import PathSpec
    from pathspec import __version__ as pathspec_version

    lines = []
    for pattern in config.get("_exclude", ()):
        rendered = env.from_string(pattern).render(context)
        lines += [unicodedata.normalize("NFD", line) for line in re.split(r"\r\n|\r|\n", rendered)]
    style = "gitignore" if int(pathspec_version.split(".")[0]) >= 1 else "gitwildmatch"
    return PathSpec.from_lines(style, lines).match_file


def _scan(folder: str):
    """Entries depth first, each folder before its contents, in the file system's order (as
    copier walks: a later source rendering to the same path overwrites an earlier one)."""
    for entry in os.scandir(folder):
        yield entry
        if entry.is_dir(follow_symlinks=True):
            yield from _scan(entry.path)


def render_tree(root: Path, config: dict[str, Any], env, context: dict[str, Any], dest: Path):
    """Render `root`/_subdirectory into `dest` (a new, empty folder)."""
    suffix = config.get("_templates_suffix", ".jinja")
    tree = root / config.get("_subdirectory", "")
    excluded = _matcher(config, env, context)
    dest_root = dest.resolve()
    parts_cache: dict[str, str] = {}

    def render_part(part: str) -> str:
        if part not in parts_cache:
            parts_cache[part] = env.from_string(part).render(context)
        return parts_cache[part]

    for entry in _scan(str(tree)):
        if entry.is_symlink():
            raise Unsupported(entry.path)  # copier follows or refuses it; we never ship one
        source = Path(entry.path)
        relative = source.relative_to(tree)
        is_template = relative.name.endswith(suffix)
        if not is_template and (tree / f"{relative}{suffix}").exists():
            continue  # its .jinja sibling renders to this path
        if is_template:
            relative = relative.with_suffix("")
        rendered = [render_part(part) for part in relative.parts]
        if not all(rendered):
            continue  # a part that renders empty drops the path
        target_relative = Path(*rendered)
        if not is_template and (root / f"{target_relative}{suffix}").exists():
            continue  # copier's check, against the template root (never true for our layout)
        target = dest_root / target_relative
        if not target.resolve().is_relative_to(dest_root):
            raise ValueError(f"{relative} renders outside the project: {target_relative}")
        if excluded(str(target_relative)):
            continue
        if entry.is_dir(follow_symlinks=True):
            target.mkdir(parents=True, exist_ok=True)
            continue
        if is_template:
            name = source.relative_to(root).as_posix()
            content = env.get_template(name).render(context).encode()
        else:
            content = source.read_bytes()
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink():
            target.unlink()
        target.write_bytes(content)
        mode = source.stat().st_mode
        if target.stat().st_mode != mode:
            target.chmod(mode)

"""A Poetry project's own dependency tables (`[tool.poetry.dependencies]`, the legacy
`[tool.poetry.dev-dependencies]` and `[tool.poetry.group.NAME.dependencies]`), read as PEP 508
requirements: Poetry's `^` and `~` constraints become the ranges they stand for. An entry
without a version (a path, a git URL) or with alternatives (`||`, a list) is skipped."""

from __future__ import annotations

import re

from packaging.version import InvalidVersion, Version

_PEP440 = re.compile(r"(===|==|!=|~=|>=|<=|>|<)\s*\S+")


def _bump(release: tuple[int, ...], index: int) -> str:
    kept = list(release[: index + 1])
    kept[-1] += 1
    return ".".join(map(str, kept))


def _one(constraint: str) -> list[str] | None:
    text = constraint.strip()
    if text in ("", "*"):
        return []
    if _PEP440.fullmatch(text):
        return [text.replace(" ", "")]
    operator, number = (text[0], text[1:].strip()) if text[0] in "^~" else ("", text)
    try:
        release = Version(number.removesuffix(".*")).release
    except InvalidVersion:
        return None
    if not operator:
        return [f"=={number}"]
    if operator == "~":  # ~1 means >=1,<2; ~1.2 and ~1.2.3 mean <1.3
        return [f">={number}", f"<{_bump(release, 0 if len(release) == 1 else 1)}"]
    # ^: up to the next change of the leftmost non-zero part (^0.0 means <0.1)
    first = next((i for i, part in enumerate(release) if part), len(release) - 1)
    return [f">={number}", f"<{_bump(release, first)}"]


def poetry_specifier(value: object) -> str | None:
    """`^2.0` -> `>=2.0,<3`; `{version = "~1.5", extras = [...]}` -> `>=1.5,<1.6`; None for an
    entry this cannot read as one range."""
    if isinstance(value, dict):
        value = value.get("version")
    if not isinstance(value, str) or "||" in value or "|" in value:
        return None
    parts: list[str] = []
    for constraint in re.split(r",|\s+(?=[<>=!^~])", value.strip()):
        one = _one(constraint)
        if one is None:
            return None
        parts += one
    return ",".join(parts)


def poetry_tables(pyproject: dict) -> list[tuple[str, str, str]]:
    """(requirement, what the team wrote, its table) for every entry of Poetry's tables."""
    tool = pyproject.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    if not isinstance(poetry, dict):
        return []
    tables = [("tool.poetry.dependencies", poetry.get("dependencies")),
              ("tool.poetry.dev-dependencies", poetry.get("dev-dependencies"))]  # fmt: skip
    groups = poetry.get("group")
    for name, group in groups.items() if isinstance(groups, dict) else []:
        if isinstance(group, dict):
            tables.append((f"tool.poetry.group.{name}.dependencies", group.get("dependencies")))
    found = []
    for table, entries in tables:
        for name, value in entries.items() if isinstance(entries, dict) else []:
            spec = poetry_specifier(value)
            if name.lower() == "python" or spec is None:
                continue
            written = value if isinstance(value, str) else (value or {}).get("version")
            found.append((f"{name}{spec}", f'{name} = "{written}"', table))
    return found

"""Release versions of template sources: ordering, changelogs, and supported tool versions."""

from __future__ import annotations

import re
from pathlib import Path

_PART_RE = re.compile(r"(\d+)|([A-Za-z]+)")
_VERSION_TAG_RE = re.compile(r"^v?\d+(\.\d+)*$")
_SECTION_RE = re.compile(r"^##\s+\[?v?([0-9][^\]\s]*)\]?")


def version_key(version: str) -> tuple:
    """A sort key: `v2` < `2.0.1` < `10`; numbers compare as numbers, a leading `v` is ignored."""
    text = version.strip().removeprefix("v")
    key = []
    for number, word in _PART_RE.findall(text):
        # A pre-release word (`1.0rc1`) sorts before the plain release (`1.0`).
        key.append((1, int(number), "") if number else (0, 0, word))
    key.append((0, 0, "~"))
    return tuple(key)


def is_release_tag(tag: str) -> bool:
    """Tags that name releases: `1`, `1.2.0`, `v3`, `v1.4`."""
    return bool(_VERSION_TAG_RE.match(tag))


def newest(versions: list[str]) -> str | None:
    return max(versions, key=version_key) if versions else None


def is_newer(candidate: str, than: str) -> bool:
    return version_key(candidate) > version_key(than)


def releases_between(versions: list[str], old: str, new: str) -> list[str]:
    """The versions after `old` up to and including `new`, oldest first."""
    low, high = version_key(old), version_key(new)
    return sorted((v for v in versions if low < version_key(v) <= high), key=version_key)


def changelog_sections(text: str) -> dict[str, str]:
    """`## 1.2.0` (or `## [v1.2.0] - date`) headed sections of a Markdown changelog."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        match = _SECTION_RE.match(line)
        if match:
            current = sections.setdefault(match.group(1), [])
        elif line.startswith("## "):
            current = None
        elif current is not None:
            current.append(line)
    return {version: "\n".join(lines).strip() for version, lines in sections.items()}


def changes_since(changelog: Path, old: str, new: str) -> list[tuple[str, str]]:
    """(version, notes) for every release after `old` up to `new`, read from `changelog`."""
    if not changelog.is_file() or old == new:
        return []
    sections = changelog_sections(changelog.read_text(encoding="utf-8"))
    return [(v, sections[v]) for v in releases_between(list(sections), old, new)]


def supports(spec: str, version: str) -> bool:
    """Whether `version` meets `spec`, comma-separated `>=X`, `>X`, `<=X`, `<X`, `==X`, `!=X`."""
    ops = {
        ">=": lambda a, b: a >= b,
        "<=": lambda a, b: a <= b,
        "==": lambda a, b: a == b,
        "!=": lambda a, b: a != b,
        ">": lambda a, b: a > b,
        "<": lambda a, b: a < b,
    }
    have = version_key(version)
    for clause in (c.strip() for c in spec.split(",")):
        if not clause:
            continue
        for op in (">=", "<=", "==", "!=", ">", "<"):
            if clause.startswith(op):
                if not ops[op](have, version_key(clause[len(op) :])):
                    return False
                break
        else:
            if have != version_key(clause):
                return False
    return True


def valid_spec(spec: str) -> bool:
    clause_re = re.compile(r"^(>=|<=|==|!=|>|<)?\s*v?\d+(\.\d+)*$")
    return all(clause_re.match(c.strip()) for c in spec.split(",") if c.strip()) and bool(
        spec.strip()
    )

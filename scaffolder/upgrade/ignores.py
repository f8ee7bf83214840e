"""Ignore rules the template brings must not hide what the team tracks.

A template rule such as `/data/` merged into a repository that tracks `data/hour.csv` would
make git silently skip every new file there. After the merge, each rule the template added
is checked against the files the team tracks; a rule that matches one is dropped from the
merged `.gitignore`, and the tool says so."""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import PurePosixPath

IGNORE_FILE = ".gitignore"


@dataclass(frozen=True)
class DroppedRule:
    rule: str
    tracked: str  # one tracked path the rule would have matched


def _pattern_matches(pattern: str, path: str) -> bool:
    """Git's ignore semantics for the shapes templates use (no negation, no `**`)."""
    dir_only = pattern.endswith("/")
    pattern = pattern.rstrip("/")
    anchored = "/" in pattern
    pattern = pattern.lstrip("/")
    parts = PurePosixPath(path).parts
    # Candidates: every leading directory of the path, and the path itself unless dir-only.
    for i in range(1, len(parts) + 1):
        if dir_only and i == len(parts):
            break
        candidate = "/".join(parts[:i]) if anchored else parts[i - 1]
        if fnmatchcase(candidate, pattern):
            return True
    return False


def rules(text: str) -> list[str]:
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith(("#", "!"))]


def guard(merged: str, ours: str, tracked: set[str]) -> tuple[str, list[DroppedRule]]:
    """`merged` without the rules it gained over `ours` that match a tracked path."""
    have = set(rules(ours))
    dropped: list[DroppedRule] = []
    for rule in rules(merged):
        if rule in have:
            continue
        hit = next((p for p in sorted(tracked) if _pattern_matches(rule, p)), None)
        if hit is not None:
            dropped.append(DroppedRule(rule, hit))
    if not dropped:
        return merged, []
    gone = {d.rule for d in dropped}
    kept = [line for line in merged.splitlines(keepends=True) if line.strip() not in gone]
    return "".join(kept), dropped


def describe(dropped: list[DroppedRule]) -> str:
    return "; ".join(
        f"left out ignore rule {d.rule} because you track {d.tracked}" for d in dropped
    )

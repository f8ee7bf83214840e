"""The business context of a project's model card (`docs/business_context.md`, level 1 and up):
which of its required sections the team has not filled yet.

A section is unfilled while it is missing, empty, or still holds a line starting with `TODO`
(the placeholders the templates render). `check` reports them as `business-context-unfilled`.
"""

from __future__ import annotations

import re
from pathlib import Path

PATH = "docs/business_context.md"
SECTIONS = ("Business goal", "KPIs", "Owners", "Model risk evaluation")
_HEADING = re.compile(r"^##\s+(.+?)\s*#*\s*$")


def _sections(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        match = _HEADING.match(line)
        if match:
            current = found.setdefault(match.group(1).strip().lower(), [])
        elif current is not None:
            current.append(line.strip())
    return found


def unfilled_sections(text: str) -> list[str]:
    """The required sections of `text` that are missing, empty or hold a `TODO` line."""
    found = _sections(text)
    unfilled = []
    for name in SECTIONS:
        lines = [
            line for line in found.get(name.lower(), [])
            if line and not (line.startswith("<!--") and line.endswith("-->"))
        ]  # fmt: skip
        if not lines or any(line.lstrip("-*> ").upper().startswith("TODO") for line in lines):
            unfilled.append(name)
    return unfilled


def problem_message(repo: Path, level: int) -> str | None:
    """The one line `check` reports for `repo`'s business context, or None when it is filled."""
    from scaffolder.safe_read import UnsafeFileError, read_text

    try:
        text = read_text(repo / PATH, root=repo, what="the business context")
    except FileNotFoundError:
        return (
            f"{PATH} is missing: the model card's business goal, KPIs, owners and model risk "
            f"evaluation are not written; run `mlops-scaffold upgrade --to {level}` to get "
            f"the file with its placeholders, then fill it"
        )
    except UnsafeFileError as exc:
        return str(exc)
    unfilled = unfilled_sections(text)
    if not unfilled:
        return None
    return (
        f"{PATH}: {', '.join(unfilled)} still unfilled (a TODO placeholder, or empty); write "
        "them, they go into the model card"
    )

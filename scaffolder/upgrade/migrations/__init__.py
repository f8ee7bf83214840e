"""Migrations: what a template diff cannot express, as small Python modules.

Each module defines MIGRATION. `pre` migrations run on the user's tree before the merge
(moves), `post` ones after it (rewrites). Ids are recorded in the state file and never re-run.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from scaffolder.state import ProjectState


@dataclass(frozen=True)
class Migration:
    id: str
    from_level: int  # runs on the step from_level -> from_level + 1
    stage: Literal["pre", "post"]
    summary: str
    # The files (relative to the project) the migration reads and writes: only these are
    # materialised for it, so a migration never needs a checkout of the whole project.
    paths: Callable[[ProjectState], list[str]]
    # True when there is nothing to do in `tree` (already applied, or not applicable).
    is_applied: Callable[[Path, ProjectState], bool]
    apply: Callable[[Path, ProjectState], None]


def all_migrations() -> list[Migration]:
    """Every migration shipped with the tool, in id order."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("m"):
            module = importlib.import_module(f"{__name__}.{info.name}")
            found.append(module.MIGRATION)
    return sorted(found, key=lambda m: m.id)


def for_step(from_level: int, stage: str, done: list[str]) -> list[Migration]:
    """The migrations of one level step and stage that are not recorded as done."""
    return [
        m for m in all_migrations()
        if m.from_level == from_level and m.stage == stage and m.id not in done
    ]  # fmt: skip

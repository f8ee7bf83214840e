"""Migrations: what a template diff cannot express, as small Python modules.

Each module defines MIGRATION. `pre` migrations run on the user's tree before the merge
(moves), `post` ones after it (rewrites). Ids are recorded in the state file and never re-run.

A migration belongs to a level step (`from_level` -> `from_level + 1`), or, when it names a
`release`, to a template or overlay release: it then runs on the first upgrade (of any kind)
that renders that release. A project made by (or given an overlay at) a release that already
has the migration records it as done, since its files never had the old shape. Org overlays
ship migrations with the same interface in their `migrations/` folder.
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
    release: str | None = None
    # For a migration that tells the team's edits from the pristine render they started from:
    # called instead of `apply` with the base branch's copies of `paths` (a second folder),
    # returning notes for the user (what was kept where).
    apply_with_base: Callable[[Path, Path, ProjectState], list[str]] | None = None
    # It moves the churn example's own files: a project adopted around the team's package
    # (answer example: false) never has them, so it is neither listed nor run there.
    example_only: bool = False


def all_migrations() -> list[Migration]:
    """Every migration shipped with the tool, in id order."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("m"):
            module = importlib.import_module(f"{__name__}.{info.name}")
            found.append(module.MIGRATION)
    return sorted(found, key=lambda m: m.id)


def _with_overlays(catalog) -> list[Migration]:
    found = all_migrations()
    for overlay in catalog.overlays if catalog is not None else ():
        found += overlay.migrations()
    return found


def for_step(
    from_level: int, stage: str, done: list[str], catalog=None, *, example: bool = True
) -> list[Migration]:
    """The migrations of one level step and stage that are not recorded as done (without
    the example's own when the project has no example code)."""
    return [
        m for m in _with_overlays(catalog)
        if m.release is None and m.from_level == from_level and m.stage == stage
        and m.id not in done and (example or not m.example_only)
    ]  # fmt: skip


def _release_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else 0 for part in version.split("."))


def release_ids(catalog, overlay_names: set[str] | None = None) -> list[str]:
    """The ids of every release migration of the catalog's sources (or only of the overlays
    named): recorded as done when a source first renders into a project. A built-in migration
    counts only when the built-in templates rendered are its release or newer."""
    if overlay_names is None:
        rendered = _release_key(getattr(catalog, "version", None) or "0")
        found = [
            m for m in all_migrations()
            if m.release is not None and _release_key(m.release) <= rendered
        ]  # fmt: skip
        for overlay in catalog.overlays if catalog is not None else ():
            found += [m for m in overlay.migrations() if m.release is not None]
    else:
        found = [
            m for o in catalog.overlays if o.name in overlay_names
            for m in o.migrations() if m.release is not None
        ]  # fmt: skip
    return [m.id for m in found]


def for_release(stage: str, done: list[str], catalog) -> list[Migration]:
    """Release migrations of the catalog's sources, of one stage, not recorded as done."""
    return [
        m for m in _with_overlays(catalog)
        if m.release is not None and m.stage == stage and m.id not in done
    ]  # fmt: skip

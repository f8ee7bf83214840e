"""`mlops-scaffold new`: render a level into a fresh git repository, all or nothing."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from scaffolder import __version__, gitops
from scaffolder.answers import Answers, check_given, require_answers
from scaffolder.catalog import Catalog, builtin_catalog
from scaffolder.errors import InvalidAnswerError, TargetExistsError
from scaffolder.render import render
from scaffolder.state import BASE_BRANCH, ProjectState, write_state

USER_BRANCH = "main"


@dataclass
class NewRequest:
    """What the user asked for; `given` holds answers from flags and --data."""

    name: str
    output_dir: Path
    given: dict[str, object] = field(default_factory=dict)
    defaults: bool = False
    interactive: bool = False


@dataclass
class NewResult:
    path: Path
    answers: Answers
    base_commit: str


def _check_target(target: Path) -> None:
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise TargetExistsError(
            f"{target} exists and is not a folder; choose another NAME or --output-dir"
        )
    if target.is_dir() and any(target.iterdir()):
        raise TargetExistsError(
            f"{target} exists and is not empty; choose another NAME or --output-dir"
        )


def create_project(request: NewRequest, catalog: Catalog | None = None) -> NewResult:
    """Render, commit on the base branch, branch `main` off it, then move into place."""
    catalog = catalog or builtin_catalog()
    given = check_given({**request.given, "project_name": request.name})
    levels = catalog.levels()
    if request.interactive and "level" not in given:
        from scaffolder.prompts import ask_level

        given["level"] = ask_level(levels)
    level = int(given.get("level", 0))  # type: ignore[call-overload]
    if level not in levels:
        raise InvalidAnswerError(
            f"level {level} is not available; choose one of {', '.join(map(str, levels))}"
        )
    require_answers(given, defaults=request.defaults, interactive=request.interactive)

    output_dir = request.output_dir.resolve()
    target = output_dir / request.name
    _check_target(target)

    # The outermost folder this call creates: removed again if anything fails.
    created = next((p for p in reversed([output_dir, *output_dir.parents]) if not p.exists()), None)
    output_dir.mkdir(parents=True, exist_ok=True)
    # Staged beside the target so the final move is a rename on one filesystem.
    staging = Path(tempfile.mkdtemp(prefix=f".{request.name}.mlops-scaffold-", dir=output_dir))
    try:
        tree = staging / request.name
        answers = render(catalog, given, tree, interactive=request.interactive)
        state = ProjectState(
            tool_version=__version__,
            template_version=catalog.version,
            base_branch=BASE_BRANCH,
            answers=answers,
        )
        write_state(tree, state)
        gitops.init_repo(tree, BASE_BRANCH)
        base_commit = gitops.commit_all(
            tree,
            f"mlops-scaffold: render level {answers.level} template {catalog.version}\n\n"
            f"Pristine render on {BASE_BRANCH}; `mlops-scaffold upgrade` merges later "
            "renders from this branch.",
        )
        gitops.branch_off(tree, USER_BRANCH, BASE_BRANCH)
        _check_target(target)  # it may have appeared while we rendered
        if target.is_dir():
            target.rmdir()
        os.replace(tree, target)
    except BaseException:
        if created is not None:
            shutil.rmtree(created, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return NewResult(path=target, answers=answers, base_commit=base_commit)

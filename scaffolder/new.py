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
from scaffolder.choices import LEVEL_NAMES
from scaffolder.errors import InvalidAnswerError, TargetExistsError
from scaffolder.progress import Progress, silent
from scaffolder.render import render
from scaffolder.state import BASE_BRANCH, STATE_FILE, ProjectState, write_state
from scaffolder.upgrade.migrations import release_ids

USER_BRANCH = "main"


@dataclass
class NewRequest:
    """What the user asked for; `given` holds answers from flags and --data."""

    name: str
    output_dir: Path
    given: dict[str, object] = field(default_factory=dict)
    defaults: bool = False
    interactive: bool = False
    progress: Progress = silent
    overlays: list[str] = field(default_factory=list)  # SOURCE[@REF], applied in order


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


def _check_output_dir(output_dir: Path) -> None:
    """--output-dir must be a folder, or a path whose existing part is a writable folder."""
    existing = output_dir
    while not existing.exists() and not existing.is_symlink():
        existing = existing.parent
    if not existing.is_dir():
        what = (
            f"{existing} is a file"
            if existing == output_dir
            else (f"{existing} is a file, so {output_dir} cannot be a folder")
        )
        raise TargetExistsError(f"{what}; choose another --output-dir")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise TargetExistsError(
            f"{existing} is not writable; choose another --output-dir or fix its permissions"
        )


def create_project(request: NewRequest, catalog: Catalog | None = None) -> NewResult:
    """Render, commit on the base branch, branch `main` off it, then move into place."""
    catalog = catalog or builtin_catalog()
    if request.overlays:
        from scaffolder.overlay import resolve

        catalog = catalog.with_overlays([resolve(spec) for spec in request.overlays])
    catalog.check_known(request.given)
    named = request.given.get("project_name")
    if named is not None and named != request.name:
        raise InvalidAnswerError(
            f"--data project_name={named!r} disagrees with NAME {request.name!r}; the project "
            "name is NAME: drop the --data or change NAME"
        )
    given = check_given({**request.given, "project_name": request.name})
    levels = catalog.levels()

    def check_level() -> int:
        level = int(given.get("level", 0))  # type: ignore[call-overload]
        if level not in levels:
            raise InvalidAnswerError(
                f"level {level} is not available; choose one of {', '.join(map(str, levels))}"
            )
        return level

    catalog.check_level(check_level())  # before asking anything, as is the target folder
    output_dir = request.output_dir.resolve()
    target = output_dir / request.name
    _check_output_dir(output_dir)
    _check_target(target)
    if request.interactive:
        # The org choices (runner labels, registry, base image, branch) are the platform
        # team's: set by an overlay's defaults or --data, never asked of each project.
        # An overlay's own questions are asked too, and its defaults are the ones offered.
        from scaffolder.answers import ORG_CHOICE_RES
        from scaffolder.prompts import ask_questions, load_questions
        from scaffolder.render import questions_file_with_overlays

        with tempfile.TemporaryDirectory(prefix="mlops-scaffold-questions-") as folder:
            questions_file = questions_file_with_overlays(catalog, Path(folder))
            overlays = {n for o in catalog.overlays for n in (*o.manifest.questions,
                                                                *o.manifest.defaults)}  # fmt: skip
            questions = [q for q in load_questions(questions_file, overlays)
                         if q.name not in ORG_CHOICE_RES]  # fmt: skip
        given = check_given(ask_questions(questions, given, levels))
    level = check_level()
    catalog.check_level(level)
    require_answers(given, defaults=request.defaults, interactive=request.interactive)

    # The outermost folder this call creates: removed again if anything fails.
    created = next((p for p in reversed([output_dir, *output_dir.parents]) if not p.exists()), None)
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
        # Staged beside the target so the final move is a rename on one filesystem.
        _remove_stale_staging(output_dir)
        staging = Path(tempfile.mkdtemp(
            prefix=f".{request.name}{STAGING_MARK}{os.getpid()}-", dir=output_dir
        ))  # fmt: skip
    except OSError as exc:
        if created is not None:
            shutil.rmtree(created, ignore_errors=True)
        raise TargetExistsError(
            f"cannot create the project in {output_dir}: {exc.strerror or exc}; choose another "
            "--output-dir"
        ) from None
    try:
        tree = staging / request.name
        request.progress(f"Rendering level {level} into {_shown(target)}")
        answers = render(catalog, given, tree)
        state = ProjectState(
            tool_version=__version__,
            template_version=catalog.version,
            base_branch=BASE_BRANCH,
            answers=answers,
            overlays=catalog.overlay_records(),
            # Release migrations are for files of older releases; this project has none.
            migrations=release_ids(catalog),
        )
        write_state(tree, state)
        request.progress(f"Committing the render on branch {BASE_BRANCH}")
        base_commit = gitops.first_commit(
            tree,
            f"mlops-scaffold: render level {answers.level} {catalog.describe()}\n\n"
            f"Pristine render on {BASE_BRANCH}; `mlops-scaffold upgrade` merges later "
            "renders from this branch.",
            BASE_BRANCH,
            answers.default_branch or USER_BRANCH,
        )
        _check_target(target)  # it may have appeared while we rendered
        if target.is_dir():
            target.rmdir()
        os.replace(tree, target)
    except OSError as exc:  # writing the state file, the final move: name the place
        if created is not None:
            shutil.rmtree(created, ignore_errors=True)
        where = exc.filename or output_dir
        raise TargetExistsError(
            f"writing {where} failed: {exc.strerror or exc}; nothing was created (free space "
            "or fix permissions there and try again)"
        ) from None
    except BaseException:
        if created is not None:
            shutil.rmtree(created, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return NewResult(path=target, answers=answers, base_commit=base_commit)


STAGING_MARK = ".mlops-scaffold-"  # `.NAME.mlops-scaffold-PID-XXXX`: a `new` at work


def _remove_stale_staging(output_dir: Path) -> None:
    """Remove staging folders that a killed `new` (SIGKILL: no cleanup ran) left behind: the
    process named in the folder's name is gone. A running `new`'s folder stays."""
    import re

    pattern = re.compile(r"^\..+" + re.escape(STAGING_MARK) + r"(\d+)-[A-Za-z0-9_]+$")
    try:
        entries = list(os.scandir(output_dir))
    except OSError:
        return
    for entry in entries:
        match = pattern.match(entry.name)
        if not match or not entry.is_dir(follow_symlinks=False):
            continue
        if _alive(int(match.group(1))):
            continue
        shutil.rmtree(entry.path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def _shown(path: Path) -> Path:
    """The path as the user would type it: relative to the current folder when inside it."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def _setup_summary(answers: Answers) -> tuple[str, str]:
    """What `make setup` installs at this level, and roughly how long a first install takes
    (level 1 installs about 200 distributions). With uv a level-3 install took 20-25 s cold on a
    busy 2-core machine, 47-76 s where it compiles bytecode (benchmarks/bench_setup.py); pip
    takes minutes."""
    libs = ["pandas", "scikit-learn"]
    uv = answers.env_manager == "uv"
    minutes = "under a minute" if uv else "a minute or two"
    if answers.level >= 1:
        libs.append("MLflow")
        if answers.orchestrator in ("airflow", "both"):
            libs.append("Airflow")
        if answers.orchestrator in ("kubeflow", "both"):
            libs.append("kfp")
        minutes = "about a minute" if uv else "several minutes"
    if answers.level >= 2:
        libs += ["Great Expectations", "FastAPI"]
    return ", ".join(libs) + ", pytest and ruff", minutes


def closing_message(result: NewResult) -> str:
    """What was made, the next commands, and what the team must keep for later upgrades."""
    answers = result.answers
    detail = f"level {answers.level} ({LEVEL_NAMES.get(answers.level, '')})"
    if answers.orchestrator:
        detail += f", orchestrator {answers.orchestrator}"
    if answers.ci:  # level 0 generates no CI, so it has no provider to announce
        detail += f", CI {answers.ci}"
    shown = _shown(result.path)
    libs, minutes = _setup_summary(answers)
    train = (
        "the training pipeline on sample data; registers a model in ./mlflow.db"
        if answers.level >= 1
        else "trains on sample data; saves models/model.joblib"
    )
    runtime = ""
    if answers.level >= 1:
        runtime = (
            "  (make setup installs mlops-scaffold-runtime, the platform's library, from your "
            "package index: PIP_EXTRA_INDEX_URL=URL make setup; or from a folder of its wheels, "
            "`make wheels` in a mlops-scaffold checkout: PIP_FIND_LINKS=DIR make setup)\n"
        )
    return (
        f"Created {shown}: {detail}.\n\n"
        f"Next:\n"
        f"  cd {shown}\n"
        f"  make setup   # .venv with the project, {libs} ({minutes} the first time)\n"
        f"{runtime}"
        f"  make test    # the unit tests, in seconds\n"
        f"  make train   # {train}\n\n"
        f"Keep the branch {BASE_BRANCH} and the file {STATE_FILE} (commit it, never edit it): "
        f"`mlops-scaffold upgrade` merges the next level into your work through them. "
        f"README.md explains the rest."
    )

"""`mlops-scaffold adopt`: bring a repository the tool did not make under its management.

The chosen level is rendered with answers inferred from the repo, committed as the root of a
new base branch, and merged with --allow-unrelated-histories: files both sides have conflict
once, in the open, and nothing of the user's is overwritten.
"""

from __future__ import annotations

from pathlib import Path

from scaffolder import git_merge, gitops
from scaffolder.answers import (
    check_given,
    check_package_name,
    check_project_name,
    derive_package_name,
    require_answers,
)
from scaffolder.catalog import Catalog, builtin_catalog
from scaffolder.errors import InvalidAnswerError
from scaffolder.state import BASE_BRANCH, STATE_FILE
from scaffolder.upgrade import abort
from scaffolder.upgrade.apply import UpgradeRefused, UpgradeResult, apply_step
from scaffolder.upgrade.infer import infer_answers, team_packages
from scaffolder.upgrade.plan import StepPlan, merge_plan, render_commit
from scaffolder.upgrade.preflight import Context, check_folder, check_git_lock, check_work_tree

__all__ = ["adopt", "infer_answers", "plan_adoption"]


def _around_team_package(
    repo: Path, answers: dict[str, object], given: dict[str, object]
) -> dict[str, object]:
    """With a package of the team's own, render the infrastructure around it and no example
    code (unless `example` is asked for); several packages need the one to use named."""
    packages = dict(team_packages(repo))
    chosen = given.get("package_name")
    if chosen in packages:
        answers["package_dir"] = packages[str(chosen)]
    elif chosen is None and len(packages) > 1:
        raise InvalidAnswerError(
            f"{repo} holds several packages ({', '.join(sorted(packages))}); name the one the "
            "pipeline should call with --data package_name=NAME"
        )
    if given.get("example"):  # --with-example: the churn example, beside the team's code
        answers.pop("package_dir", None)
        name = str(answers.get("package_name") or "")
        if name in packages:
            raise InvalidAnswerError(
                f"the example's package src/{name} would shadow your {packages[name]}/; "
                "pass --data package_name=OTHER for the example"
            )
        answers["example"] = True
    elif "package_dir" in answers:
        answers.setdefault("example", False)
    return answers


def team_targets(repo: Path) -> list[str]:
    """The targets of the team's Makefile that the template defines too."""
    from scaffolder.safe_read import read_optional
    from scaffolder.upgrade.team_targets import shared

    path = repo / "Makefile"
    return shared(read_optional(path, root=repo) if path.is_file() else None)


def inferred_level(repo: Path, catalog: Catalog) -> int:
    """The level `assess` measures in the repo, capped at the highest level there is a template
    for: adopting at it adds only what the repo lacks at that level."""
    from scaffolder.assess.run import assess_repo

    return min(assess_repo(repo).level, max(catalog.levels()))


def _leftover_base(repo: Path, base: str) -> bool:
    """A base branch left by an adoption that was backed out (`git merge --abort`): the tool's
    root-commit render, with its state file, that no commit of the user's contains."""
    parents = gitops.run_git(repo, "rev-list", "--parents", "-n", "1", base).split()
    return (
        len(parents) == 1
        and gitops.file_text(repo, base, STATE_FILE) is not None
        and not gitops.is_ancestor(repo, base, "HEAD")
    )


def _preflight(path: Path) -> tuple[Path, str, str, str | None]:
    check_folder(path)
    if not gitops.is_repo(path):
        raise UpgradeRefused(
            f"{path} is not a git repository; run `git init` and commit your files first"
        )
    repo = gitops.toplevel(path)
    stopped = abort.ours_in_progress(repo)
    if stopped is not None:
        raise UpgradeRefused(abort.stopped_merge_message(repo, stopped))
    halfway = abort.stopped_while_writing(repo)
    if halfway is not None:
        raise UpgradeRefused(abort.stopped_while_writing_message(repo, halfway))
    if (repo / STATE_FILE).exists():
        raise UpgradeRefused(
            f"{repo} is already managed by mlops-scaffold; use `mlops-scaffold upgrade`"
        )
    head = gitops.rev_parse(repo, "HEAD")
    if head is None:
        raise UpgradeRefused(f"{repo} has no commits yet; commit your files first")
    check_git_lock(repo, "adopt")
    git_merge.remove_merge_leftovers(repo)  # of an earlier run killed while git merged
    branch = check_work_tree(repo)
    stale = gitops.rev_parse(repo, f"refs/heads/{BASE_BRANCH}")
    if stale is not None and not _leftover_base(repo, stale):
        raise UpgradeRefused(
            f"branch {BASE_BRANCH} already exists in {repo} and is not the tool's; rename or "
            f"delete it (`git branch -D {BASE_BRANCH}`) and run adopt again"
        )
    # A leftover from a backed-out adoption is replaced (the ref moves only if still there).
    return repo, branch, head, stale


def plan_adoption(
    path: Path,
    level: int | None,
    given: dict[str, object],
    *,
    defaults: bool,
    interactive: bool,
    catalog: Catalog | None = None,
    overlays: list[str] | None = None,
    dry_run: bool = False,
) -> tuple[Context, StepPlan]:
    """Infer, render and plan the merge; nothing in the repo changes. A dry run never asks:
    questions without an answer take their defaults and are listed in the plan's
    `would_ask`."""
    catalog = catalog or builtin_catalog()
    repo, branch, head, stale = _preflight(path)
    if overlays:
        from scaffolder.overlay import resolve

        catalog = catalog.with_overlays([resolve(spec) for spec in overlays])
    catalog.check_known(given)
    answers = _around_team_package(repo, {**infer_answers(repo), **given}, given)
    answers.setdefault("package_name", derive_package_name(str(answers["project_name"])))
    if kept := team_targets(repo):
        answers.setdefault("team_targets", " ".join(kept))
    if (repo / ".dvc").is_dir() and not (repo / ".dvc").is_symlink():
        # A DVC repository already: keep its set-up (remote, cache, dvc.yaml), add none of ours.
        answers.setdefault("team_dvc", True)
        answers.setdefault("data_versioning", "dvc")
    try:
        check_project_name(str(answers["project_name"]))
        check_package_name(str(answers["package_name"]))
    except InvalidAnswerError as exc:
        raise InvalidAnswerError(f"{exc} (inferred from {repo}; override with --data)") from None
    target = inferred_level(repo, catalog) if level is None else level
    if target not in catalog.levels():
        raise InvalidAnswerError(
            f"level {target} is not available; choose one of {catalog.levels()}"
        )
    if answers.get("example") is False and target >= 3:
        raise InvalidAnswerError(
            f"around your package {answers.get('package_dir')}/ the templates go up to level 2 "
            f"for now (level {target} builds on the example code); run adopt with --level 2"
        )
    answers = check_given({**answers, "level": target})
    asked: list[str] = []
    if dry_run and not defaults:
        from scaffolder.answers import missing_answers

        asked = missing_answers(answers)
        defaults, interactive = True, False
    require_answers(answers, defaults=defaults, interactive=interactive)
    state_after, base_after = render_commit(
        repo, None, answers, None, catalog, interactive=interactive
    )
    # What cannot work is refused before the repository changes (the render is an object only).
    from scaffolder.upgrade.team_env import check_environment

    notes = check_environment(
        repo,
        gitops.file_text(repo, base_after, "pyproject.toml"),
        str(state_after.answers.python_version),
    )
    plan = merge_plan(repo, head, None, base_after, state_after, target)
    plan.warnings = notes
    plan.would_ask = {name: getattr(state_after.answers, name, None) for name in asked}
    ctx = Context(
        repo=repo, state=state_after, branch=branch, head=head, base=None, stale_base=stale,
        command="adopt",
    )  # fmt: skip
    return ctx, plan


def adopt(
    path: Path,
    level: int | None,
    given: dict[str, object],
    *,
    defaults: bool,
    interactive: bool,
    catalog: Catalog | None = None,
    overlays: list[str] | None = None,
) -> UpgradeResult:
    ctx, plan = plan_adoption(
        path, level, given, defaults=defaults, interactive=interactive, catalog=catalog,
        overlays=overlays,
    )  # fmt: skip
    # Until the adoption is finished (or committed, after conflicts) `adopt --abort` goes back.
    from scaffolder.upgrade import land

    # Ctrl-C waits while refs and files move: the adoption lands whole, then says so.
    with (
        abort.recorded(
            ctx.repo, "adopt", ctx.branch, ctx.head, ctx.state.base_branch, ctx.stale_base
        ),
        land.deferred_interrupts() as held,
    ):
        result = apply_step(ctx, plan)
    result.notes[:0] = plan.warnings
    if held.interrupted:
        result.notes.append("Ctrl-C came while the adoption was being written; it finished first")
    if not result.conflicts:
        abort.remove(ctx.repo)
    return result

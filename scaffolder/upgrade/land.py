"""Land an upgrade step: the user's branch, their files and the base branch move together or
not at all. Everything before this (renders, migrations, the merge) happens in the object
store; this is the only part that writes into the user's tree."""

from __future__ import annotations

import os
import signal
import threading
from contextlib import contextmanager
from pathlib import Path

from scaffolder import git_merge, gitops
from scaffolder.errors import GitError, ScaffoldError


class UpgradeRefused(ScaffoldError):
    """The repository is not in a state an upgrade may start from."""


class UpgradeFailed(ScaffoldError):
    """Writing the step into the user's tree failed; it was rolled back."""


class UpgradeInterrupted(ScaffoldError):
    """Ctrl-C arrived while a step was landing; it finished first, and the run stopped there."""


def check_paths_free(repo: Path, head: str, writes: list[str], level: int) -> None:
    """Refuse, before anything moves, when writing `writes` would overwrite a file git does
    not track (ignored ones too), or put a file where a folder or a file is in the way."""
    tracked = gitops.tracked_files(repo, head)
    tracked_dirs = {str(Path(p).parent) for p in tracked}
    ignored = gitops.ignored_paths(repo, [p for p in writes if (repo / p).exists()])
    for path in writes:
        target = repo / path
        for parent in Path(path).parents:
            if str(parent) != "." and ((repo / parent).is_file() or (repo / parent).is_symlink()):
                what = "a tracked file" if str(parent) in tracked else "an untracked file"
                raise UpgradeRefused(
                    f"{parent} is {what} and level {level} puts a folder there "
                    f"(for {path}); move it aside first"
                )
        if path in tracked or not (target.exists() or target.is_symlink()):
            continue
        if target.is_dir() and not target.is_symlink():
            owner = "a tracked folder" if _holds_tracked(path, tracked_dirs) else "a folder"
            raise UpgradeRefused(
                f"{path} is {owner} and level {level} puts a file there; rename or move the "
                "folder first"
            )
        why = "ignored by your git ignore rules" if path in ignored else "untracked"
        raise UpgradeRefused(
            f"{path} is {why} and level {level} would overwrite it; commit, move or delete it first"
        )


def _holds_tracked(path: str, tracked_dirs: set[str]) -> bool:
    return any(d == path or d.startswith(path + "/") for d in tracked_dirs)


def check_writable(repo: Path, writes: list[str]) -> None:
    """Refuse when a folder the step writes into cannot be written (read-only, not ours)."""
    for path in writes:
        folder = (repo / path).parent
        while not folder.exists() and folder != repo:
            folder = folder.parent
        if not os.access(folder, os.W_OK | os.X_OK):
            raise UpgradeRefused(
                f"{folder} is not writable and the upgrade writes {path}; fix its permissions "
                "and run the upgrade again (nothing was changed)"
            )


class _Deferred:
    interrupted = False


@contextmanager
def deferred_interrupts():
    """Hold Ctrl-C while refs and files move; the caller checks `.interrupted` afterwards."""
    state = _Deferred()
    if threading.current_thread() is not threading.main_thread():
        yield state
        return

    def hold(signum, frame):
        state.interrupted = True

    previous = signal.signal(signal.SIGINT, hold)
    try:
        yield state
    finally:
        signal.signal(signal.SIGINT, previous)


def _failure(what: str, exc: BaseException, level: int, command: str) -> UpgradeFailed:
    reason = str(exc).rstrip(".")
    return UpgradeFailed(
        f"writing level {level} into your files failed ({reason}); {what}: your branch, its "
        "files and the base branch are as they were; fix the cause (disk space, permissions) "
        f"and run `mlops-scaffold {command}` again"
    )


def _undone_on_failure(
    repo: Path, head: str, writes: list[str], level: int, what, step, command: str = "upgrade"
):
    """Run `step`; on any failure put the branch and files back. With `what`, git and file
    errors become one line saying what happened to the half-done work; else they pass as is."""
    try:
        return step()
    except (GitError, OSError) as exc:
        _undo(repo, head, writes)
        if what is None:
            raise
        raise _failure(what, exc, level, command) from exc
    except BaseException:
        _undo(repo, head, writes)
        raise


def land_clean(
    repo: Path,
    head: str,
    final: str,
    writes: list[str],
    move_base,
    level: int,
    command: str = "upgrade",
) -> None:
    """Fast-forward the user's branch and files to `final`, then move the base branch; undo the
    fast-forward when the base cannot move. A failed write is undone path by path."""
    _undone_on_failure(
        repo, head, writes, level, "it was undone", lambda: gitops.fast_forward(repo, final),
        command,
    )  # fmt: skip
    _undone_on_failure(repo, head, writes, level, None, move_base, command)


def land_conflicted(
    repo: Path,
    head: str,
    migrated: str,
    writes: list[str],
    merge,
    move_base,
    level: int,
    command: str = "upgrade",
) -> list[str]:
    """Fast-forward to the pre-merge migrations, merge in the user's tree (conflicts stay for
    the user), then move the base branch. Any failure puts the branch and files back."""

    def migrate_and_merge() -> list[str]:
        if migrated != head:
            gitops.fast_forward(repo, migrated)
        return merge()

    conflicts = _undone_on_failure(
        repo, head, writes, level, "the merge was backed out", migrate_and_merge, command
    )
    _undone_on_failure(repo, head, writes, level, None, move_base, command)
    return conflicts


def _undo(repo: Path, head: str, writes: list[str]) -> None:
    """Back to `head`: abort a merge in progress, move the branch back, and restore exactly the
    paths the step writes (check_paths_free made sure none of them held an untracked file)."""
    if gitops.operation_in_progress(repo) == "merge":
        git_merge.merge_abort(repo)
    if gitops.rev_parse(repo, "HEAD") != head:
        gitops.move_branch(repo, head)
    gitops.restore_paths(repo, writes)

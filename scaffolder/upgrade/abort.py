"""`adopt --abort` / `upgrade --abort`: the way back to where a run started.

Before a run moves anything it writes a record under the repository's git folder (the branch
and commit it started from, the base branch's commit, the index as a tree). Before each ref
moves, the record first learns the commits the run is about to set (written ahead, so a run
killed at any moment leaves a record that knows them). A run that finishes removes the record;
one that stops with conflicts, is interrupted or killed keeps it, and `--abort` puts branch,
base branch, index and files back, then removes it. Edits made since the run that the
restore would discard are kept in a commit first (`refs/mlops-scaffold/aborted`).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

from scaffolder import git_merge, gitops
from scaffolder.errors import ScaffoldError

RECORD = "mlops-scaffold/ABORT"
SAVED_REF = "refs/mlops-scaffold/aborted"


class AbortRefused(ScaffoldError):
    """There is nothing to abort, or aborting would drop work made after the run."""


@dataclass
class Record:
    command: str  # adopt | upgrade
    branch: str
    head: str  # the branch's commit when the run started
    base_branch: str
    base: str | None  # the base branch's commit then (None: it did not exist)
    index_tree: str
    tips: list[str] = field(default_factory=list)  # commits the run set (or was about to)
    bases: list[str] = field(default_factory=list)  # renders the base branch was moved to
    left_tree: str | None = None  # the work tree as a conflicted run left it

    def commits(self) -> set[str]:
        return {self.head, *self.tips}


@lru_cache(maxsize=64)
def _path(repo: Path) -> Path:
    """Where the record lives (per worktree); asked of git once per repository and process."""
    return Path(gitops.git_path(repo, RECORD))


def load(repo: Path) -> Record | None:
    """The record of an unfinished run, or None (also for an unreadable one: never guess)."""
    try:
        data = json.loads(_path(repo).read_text(encoding="utf-8"))
        return Record(**data)
    except (OSError, ValueError, TypeError):
        return None


def _save(repo: Path, record: Record) -> None:
    path = _path(repo)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(asdict(record), indent=1), encoding="utf-8")
    with tmp.open("rb") as f:
        os.fsync(f.fileno())
    tmp.replace(path)  # atomic: a reader sees the old record or the new one


def remove(repo: Path) -> None:
    """Forget the record: the run finished, or was concluded or aborted."""
    path = _path(repo)
    path.unlink(missing_ok=True)
    with suppress(OSError):
        path.parent.rmdir()  # only when empty


def is_live(repo: Path, record: Record) -> bool:
    """The repo is still where the run (or its interruption) left it: same branch, and its
    commit is the start or one the run set. Commits of the user's on top conclude the run."""
    return (
        gitops.current_branch(repo) == record.branch
        and gitops.rev_parse(repo, "HEAD") in record.commits()
    )


def ours_in_progress(repo: Path) -> Record | None:
    """The record, when the merge in progress is the one a run of the tool left."""
    record = load(repo)
    if record is None or gitops.operation_in_progress(repo) != "merge":
        return None
    if gitops.rev_parse(repo, "MERGE_HEAD") in record.bases and is_live(repo, record):
        return record
    return None


def stopped_merge_message(repo: Path, record: Record) -> str:
    return (
        f"mlops-scaffold {record.command} stopped with conflicts in {repo}; resolve them, "
        "`git add` and `git commit`, then run `mlops-scaffold upgrade --continue`, or go back "
        f"to where it started with `mlops-scaffold {record.command} --abort`"
    )


def stopped_while_writing(repo: Path) -> Record | None:
    """The record, when a run was killed while git wrote its files: git's index lock is left,
    or a file the run was about to write differs from the commit the branch is on. (Committing
    or stashing such a tree would keep half of a level; `--abort` puts it back.)"""
    record = load(repo)
    if (
        record is None
        or not record.tips
        or gitops.operation_in_progress(repo)
        or not is_live(repo, record)
    ):
        return None
    if Path(gitops.git_path(repo, "index.lock")).exists():
        return record
    if gitops.status_porcelain(repo):
        return record
    tip = gitops.rev_parse(repo, "HEAD") or ""
    written: set[str] = set()
    for commit in record.tips:
        written |= set(gitops.diff_name_status(repo, tip, commit))
    untracked = written - gitops.tracked_files(repo, tip)
    if any((repo / path).exists() or (repo / path).is_symlink() for path in untracked):
        return record
    return None


def stopped_while_writing_message(repo: Path, record: Record) -> str:
    return (
        f"mlops-scaffold {record.command} was stopped while it wrote its files in {repo} "
        f"(killed, or the machine went down); `mlops-scaffold {record.command} --abort` puts "
        f"your branch, files and base branch back as they were, then run `mlops-scaffold "
        f"{record.command}` again"
    )


def _untouched(repo: Path, record: Record) -> bool:
    base = gitops.rev_parse(repo, f"refs/heads/{record.base_branch}")
    return (
        gitops.operation_in_progress(repo) is None
        and gitops.rev_parse(repo, "HEAD") == record.head
        and base == record.base
        and gitops.write_tree(repo) == record.index_tree
    )


@contextmanager
def recorded(repo: Path, command: str, branch: str, head: str, base_branch: str,
             base: str | None):  # fmt: skip
    """Keep a record while the body runs. An existing record that is still live (a run that
    was interrupted and is being run again) is kept, so `--abort` goes back to the very start.
    A failure that left everything as it was drops the record; any other outcome keeps it
    until the caller calls `remove` (a finished run)."""
    git_merge.remove_merge_leftovers(repo)  # of an earlier run killed while git merged
    record = load(repo)
    if record is None or not is_live(repo, record) or gitops.operation_in_progress(repo):
        record = Record(
            command=command, branch=branch, head=head, base_branch=base_branch, base=base,
            index_tree=gitops.write_tree(repo),
        )  # fmt: skip
        _save(repo, record)
    try:
        yield record
    except BaseException:
        if _untouched(repo, record):
            remove(repo)
        raise


def expect(repo: Path, *, tip: str, base: str) -> None:
    """Before the run moves the branch to `tip` and the base branch to `base`: note both."""
    record = load(repo)
    if record is None:
        return
    if tip not in record.tips:
        record.tips.append(tip)
    if base not in record.bases:
        record.bases.append(base)
    _save(repo, record)


def note_left(repo: Path) -> None:
    """After a conflicted merge: remember the work tree as the tool left it, so `--abort` can
    tell the user's later edits apart (and keep them)."""
    record = load(repo)
    if record is not None:
        record.left_tree = _work_tree(repo)
        _save(repo, record)


def _work_tree(repo: Path) -> str:
    """The tracked files as they are on disk (conflicted ones too), as a tree object."""
    with tempfile.TemporaryDirectory(prefix="mlops-scaffold-abort-") as tmp:
        index = Path(tmp) / "index"
        shutil.copyfile(gitops.git_path(repo, "index"), index)
        env = {"GIT_INDEX_FILE": str(index)}
        gitops.run_git(repo, "add", "--update", "--", ".", env=env)
        return gitops.run_git(repo, "write-tree", env=env).strip()


@dataclass
class Aborted:
    command: str
    branch: str
    head: str
    base_branch: str
    base: str | None
    saved: str | None  # the commit holding edits the restore replaced


def abort_run(path: Path) -> Aborted:
    """Put branch, base branch, index and files back to where the recorded run started."""
    from scaffolder.upgrade.preflight import check_folder

    check_folder(path)
    if not gitops.is_repo(path):
        raise AbortRefused(f"{path} is not a git repository; pass the project's folder")
    repo = gitops.toplevel(path)
    record = load(repo)
    if record is None:
        # A run killed before it changed anything may have left git's merge temporaries.
        removed = git_merge.remove_merge_leftovers(repo)
        what = (f"removed the {len(removed)} `.merge_file_*` file(s) a killed git left, "
                "nothing else was changed" if removed else "nothing was changed")  # fmt: skip
        raise AbortRefused(
            f"no unfinished mlops-scaffold run to abort in {repo} ({what}); "
            "`git status` shows where the repository is"
        )
    from scaffolder.upgrade.preflight import check_git_lock

    check_git_lock(repo, f"{record.command} --abort")
    _check_abortable(repo, record)
    git_merge.remove_merge_leftovers(repo)  # git's, of a run killed while it merged
    saved = _save_edits(repo, record)
    _restore(repo, record)
    remove(repo)
    return Aborted(record.command, record.branch, record.head, record.base_branch,
                   record.base, saved)  # fmt: skip


def _check_abortable(repo: Path, record: Record) -> None:
    branch = gitops.current_branch(repo)
    if branch != record.branch:
        where = f"branch {branch}" if branch else "a detached HEAD"
        raise AbortRefused(
            f"the mlops-scaffold {record.command} ran on branch {record.branch} and {where} is "
            f"checked out; `git checkout {record.branch}` and run `mlops-scaffold "
            f"{record.command} --abort` again"
        )
    operation = gitops.operation_in_progress(repo)
    merging = gitops.rev_parse(repo, "MERGE_HEAD") if operation == "merge" else None
    if operation and merging not in record.bases:
        raise AbortRefused(
            f"a {operation} of your own is in progress in {repo}; finish it or `git {operation} "
            f"--abort` it, then run `mlops-scaffold {record.command} --abort` again"
        )
    tip = gitops.rev_parse(repo, "HEAD")
    if tip not in record.commits():
        remove(repo)  # the user's commit concluded the run: nothing is left to abort
        raise AbortRefused(_concluded_advice(repo, record, branch or "", tip or ""))


def _concluded_advice(repo: Path, record: Record, branch: str, tip: str) -> str:
    """What to run to undo a run that commits of the user's concluded: never a command that
    drops a commit made since (no `reset` past a commit of theirs)."""
    undo_base = (
        f"`git branch -f {record.base_branch} {record.base[:12]}`"
        if record.base
        else f"`git branch -D {record.base_branch}`"
    )
    merged = [b for b in record.bases if gitops.is_ancestor(repo, b, tip)]
    if not merged:  # the merge was backed out (`git merge --abort`), then work went on
        return (
            f"the mlops-scaffold {record.command}'s merge is not on {branch} (it was backed "
            f"out) and commit {tip[:12]} came after, so there is nothing to abort there; "
            f"{undo_base} puts the base branch back"
        )
    merge = _merge_commit(repo, record, tip)
    if merge == tip:  # the user's merge commit is the tip: undoing it drops nothing else
        how = f"`git reset --keep {record.head[:12]}`"
    elif merge is not None:
        how = f"`git revert -m 1 {merge[:12]}` (it keeps the commits made since)"
    else:
        how = f"revert the merge of {record.base_branch} (`git log --merges`)"
    return (
        f"the mlops-scaffold {record.command} was concluded by commit {tip[:12]} on "
        f"{branch}, so there is nothing to abort; to undo it anyway, {how} and {undo_base}"
    )


def _merge_commit(repo: Path, record: Record, tip: str) -> str | None:
    """The commit on `tip`'s first-parent line that merged one of the run's renders."""
    lines = gitops.run_git(
        repo, "rev-list", "--first-parent", "--parents", f"{tip}", f"^{record.head}", "--"
    ).splitlines()
    bases = set(record.bases)
    for line in lines:
        commit, *parents = line.split()
        if any(p in bases for p in parents[1:]):
            return commit
    return None


def _save_edits(repo: Path, record: Record) -> str | None:
    """Keep, in a commit, the tracked files as they are now when the restore would replace
    edits made after the run (the run's own output is not saved: it can be made again)."""
    now = _work_tree(repo)
    tip = gitops.rev_parse(repo, "HEAD")
    left = record.left_tree if gitops.operation_in_progress(repo) else gitops.tree_of(repo, tip)
    if now in (left, gitops.tree_of(repo, record.head)):
        return None
    # An earlier save stays reachable through this one (a second parent): `git gc` never
    # deletes a save, however many runs were aborted.
    earlier = gitops.rev_parse(repo, SAVED_REF)
    saved = gitops.commit_tree_object(
        repo, now, [tip] + ([earlier] if earlier and earlier != tip else []),
        f"mlops-scaffold: files before `{record.command} --abort`",
    )  # fmt: skip
    gitops.run_git(repo, "update-ref", "-m", "mlops-scaffold --abort", SAVED_REF, saved)
    return saved


def _restore(repo: Path, record: Record) -> None:
    written = set()
    for tip in record.tips:
        written |= set(gitops.diff_name_status(repo, record.head, tip))
    gitops.run_git(repo, "reset", "--hard", "--quiet", record.head)
    if gitops.write_tree(repo) != record.index_tree:
        gitops.run_git(repo, "read-tree", record.index_tree)
    _remove_half_written(repo, record, written)
    ref = f"refs/heads/{record.base_branch}"
    if record.base is None:
        if gitops.rev_parse(repo, ref) is not None:
            gitops.run_git(repo, "update-ref", "-m", "mlops-scaffold --abort", "-d", ref)
    else:
        gitops.run_git(repo, "update-ref", "-m", "mlops-scaffold --abort", ref, record.base)


def _remove_half_written(repo: Path, record: Record, paths: set[str]) -> None:
    """A run killed while git wrote its files leaves some of them untracked: delete those
    that hold what the run wrote, whole or cut short (git writes a file in place, so a kill
    can leave its first bytes only); anything else is the user's and stays."""
    tracked = gitops.tracked_files(repo, record.head)
    for path in sorted(paths - tracked):
        target = repo / path
        if not target.is_file() or target.is_symlink():
            continue
        if _written_by_the_run(repo, record, path):
            target.unlink()
            for parent in Path(path).parents:
                folder = repo / parent
                if folder == repo or any(folder.iterdir()):
                    break
                folder.rmdir()


def _written_by_the_run(repo: Path, record: Record, path: str) -> bool:
    blob = gitops.hash_file(repo, path)
    ours = {gitops.blob_at(repo, tip, path) for tip in record.tips} - {None}
    if blob in ours:
        return True
    on_disk = (repo / path).read_bytes()
    return any(gitops.blob_bytes(repo, b).startswith(on_disk) for b in ours if b)

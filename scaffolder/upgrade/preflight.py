"""Before an upgrade changes anything: the repository must be one it may work on (a clean work
tree on a branch, a usable state file, the tool's base branch), and the levels to step through.
Every refusal is one line naming what to do."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scaffolder import __version__, gitops
from scaffolder.catalog import Catalog, builtin_catalog
from scaffolder.state import BASE_BRANCH, STATE_FILE, ProjectState, check_usable, load_state
from scaffolder.upgrade import abort
from scaffolder.upgrade.land import UpgradeRefused


@dataclass
class Context:
    repo: Path
    state: ProjectState
    branch: str
    head: str
    base: str | None  # None while adopting: no base branch yet
    stale_base: str | None = None  # adopting: a backed-out adoption's base branch, replaced
    command: str = "upgrade"  # the command the user ran (named in messages)


def check_folder(path: Path) -> None:
    """PATH must be an existing folder (a clear line rather than git's complaint)."""
    if not path.exists():
        raise UpgradeRefused(f"{path} does not exist; pass the project's folder")
    if not path.is_dir():
        raise UpgradeRefused(f"{path} is not a folder; pass the project's folder")


def preflight(path: Path, catalog: Catalog | None = None) -> Context:
    """Refuse anything an upgrade could harm: one clear reason, nothing changed."""
    check_folder(path)
    if not gitops.is_repo(path):
        raise UpgradeRefused(
            f"{path} is not a git repository; run `mlops-scaffold adopt` there first"
        )
    repo = gitops.toplevel(path)
    # Before the state file is read: a killed run may have half-written it.
    halfway = abort.stopped_while_writing(repo)
    if halfway is not None:
        raise UpgradeRefused(abort.stopped_while_writing_message(repo, halfway))
    state = load_state(repo)
    catalog = catalog or builtin_catalog()
    check_usable(
        state, repo / STATE_FILE, tool_version=__version__, template_version=catalog.version,
        levels=catalog.levels(),
    )  # fmt: skip
    check_git_lock(repo, "upgrade")
    branch = check_work_tree(repo)
    _check_base_branch(repo, state.base_branch, branch)
    base = gitops.rev_parse(repo, f"refs/heads/{state.base_branch}")
    if base is None:
        raise UpgradeRefused(_missing_base(repo, state.base_branch))
    if not gitops.subject(repo, base).startswith("mlops-scaffold: "):
        raise UpgradeRefused(
            f"base_branch in {STATE_FILE} names {state.base_branch}, whose last commit is not "
            "one of mlops-scaffold's renders: the tool would move your branch; set it back to "
            f"{BASE_BRANCH} (see `git log -p -- {STATE_FILE}`)"
        )
    head = gitops.rev_parse(repo, "HEAD")
    assert head is not None
    return Context(repo=repo, state=state, branch=branch, head=head, base=base)


def _missing_base(repo: Path, base_branch: str) -> str:
    """The base branch is gone (a fresh clone, a deleted branch): name the command that brings
    it back, from a remote or from the render this branch last took in."""
    remote = gitops.run_git(
        repo, "for-each-ref", "--format=%(refname:short)", f"refs/remotes/*/{base_branch}"
    ).split()
    if remote:
        return (
            f"branch {base_branch} is missing in {repo}; re-create it with `git branch "
            f"{base_branch} {remote[0]}`"
        )
    render = _last_render(repo)
    if render is None:
        return (
            f"branch {base_branch} is missing in {repo} and this branch holds none of the "
            f"tool's renders; fetch it from where the project was made (`git fetch REMOTE "
            f"{base_branch}:{base_branch}`)"
        )
    return (
        f"branch {base_branch} is missing in {repo}; re-create it at the render this branch last "
        f"took in: `git branch {base_branch} {render[:12]}`"
    )


def _last_render(repo: Path) -> str | None:
    """Along the first parents of HEAD: the render last merged (a tool merge's second parent),
    or the render the branch started from (`new`)."""
    log = gitops.run_git(repo, "log", "--first-parent", "--format=%H %P%x09%s", "HEAD")
    for line in log.splitlines():
        ids, _, subject = line.partition("\t")
        commits = ids.split()
        if subject.startswith("mlops-scaffold: render level"):
            return commits[0]
        merged = subject.startswith(("mlops-scaffold: adopt", "mlops-scaffold: upgrade"))
        if len(commits) == 3 and merged:
            return commits[2]
    return None


def _check_base_branch(repo: Path, base_branch: str, branch: str) -> None:
    if base_branch == branch:
        raise UpgradeRefused(
            f"base_branch in {STATE_FILE} is {base_branch!r}, the branch you are on; it must "
            f"name the tool's own branch ({BASE_BRANCH}): set it back (see `git log -p -- "
            f"{STATE_FILE}`)"
        )
    if not gitops.is_branch_name(repo, base_branch):
        raise UpgradeRefused(
            f"base_branch in {STATE_FILE} is {base_branch!r}, not a valid branch name; set it "
            f"back to {BASE_BRANCH}"
        )


def check_git_lock(repo: Path, command: str) -> None:
    """Refuse, naming it, the index lock a git killed mid-write leaves (git's own message
    would not say that a stopped run left it)."""
    import shlex

    lock = Path(gitops.git_path(repo, "index.lock"))
    if lock.exists():
        raise UpgradeRefused(
            f"{lock} is left by a git command that was stopped (killed or Ctrl-C); if no git "
            f"command is running in {repo}, delete it (`rm {shlex.quote(str(lock))}`) and run "
            f"`mlops-scaffold {command}` again"
        )


def check_work_tree(repo: Path) -> str:
    """Refuse a merge/rebase in progress, a detached HEAD or uncommitted changes; return the
    checked-out branch. (Untracked files are fine unless the merge would write over them.)"""
    operation = gitops.operation_in_progress(repo)
    if operation:
        ours = abort.ours_in_progress(repo)
        if ours is not None:
            raise UpgradeRefused(abort.stopped_merge_message(repo, ours))
        raise UpgradeRefused(
            f"a {operation} is in progress in {repo}; finish it (commit) or abort it "
            f"(`git {operation} --abort`) first"
        )
    branch = gitops.current_branch(repo)
    if branch is None:
        raise UpgradeRefused(f"HEAD is detached in {repo}; check out your branch first")
    dirty = [line[3:] for line in gitops.status_porcelain(repo) if not line.startswith("??")]
    if dirty:
        more = " and more" if len(dirty) > 1 else ""
        raise UpgradeRefused(
            f"{repo} has uncommitted changes ({dirty[0]}{more}); commit or stash them first"
        )
    return branch


def target_levels(current: int, to: int | None, catalog: Catalog) -> list[int]:
    """The levels to step through: one at a time, or the current one for a template update."""
    highest = max(catalog.levels())
    # With no target, the next level; at the highest level, template updates for it.
    target = min(current + 1, highest) if to is None else to
    if target not in catalog.levels():
        levels = ", ".join(map(str, catalog.levels()))
        raise UpgradeRefused(f"level {target} does not exist; the levels are {levels}")
    if target < current:
        raise UpgradeRefused(
            f"the project is at level {current}; downgrading to {target} is not supported"
        )
    if target == current:
        return [current]
    return list(range(current + 1, target + 1))

"""The few git operations the tool needs: refs, commits, the index and files. Merges are in
`git_merge`, clones and pushes in `git_remote`; nothing else in the package runs git."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from scaffolder.errors import GitError

# Used only when git has no identity configured, so a fresh machine can still scaffold.
FALLBACK_NAME = "mlops-scaffold"
FALLBACK_EMAIL = "mlops-scaffold@localhost"


def git_executable() -> str:
    git = shutil.which("git")
    if git is None:
        raise GitError("git is not installed or not on PATH; install git and try again")
    return git


def run_git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """Run one git command in `repo` and return its stdout; failures become GitError."""
    full_env = {**os.environ, **(env or {})}
    try:
        result = subprocess.run(
            [git_executable(), *args],
            cwd=repo,
            env=full_env,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError as exc:  # the folder is missing or not a folder
        raise GitError(f"cannot run git in {repo}: {exc.strerror or exc}") from None
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        reason = detail[-1] if detail else f"exit code {result.returncode}"
        raise GitError(f"git {args[0]} failed in {repo}: {reason}")
    return result.stdout


def identity_env(repo: Path) -> dict[str, str]:
    """Author/committer variables to add when git has no identity of its own."""
    probe = subprocess.run(
        [git_executable(), "var", "GIT_COMMITTER_IDENT"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode == 0:
        return {}
    return {
        "GIT_AUTHOR_NAME": FALLBACK_NAME,
        "GIT_AUTHOR_EMAIL": FALLBACK_EMAIL,
        "GIT_COMMITTER_NAME": FALLBACK_NAME,
        "GIT_COMMITTER_EMAIL": FALLBACK_EMAIL,
    }


def init_repo(repo: Path, branch: str) -> None:
    """Make `repo` a git repository whose first branch is `branch`."""
    run_git(repo, "init", "--quiet", f"--initial-branch={branch}")


def first_commit(repo: Path, message: str, base_branch: str, user_branch: str) -> str:
    """Make `repo` a repository whose first commit, on `base_branch`, holds every file of the
    work tree; check out `user_branch` starting from it; return the commit's sha.

    Every file, whatever .git/info/exclude, core.excludesFile or a global ignore file say:
    the tool's commits hold exactly what it rendered. Four git processes, `new`'s whole cost
    in git: the identity is probed only when the commit needs one, and no `git maintenance`
    runs after a repository's first commit.
    """
    run_git(repo, "init", "--quiet", f"--initial-branch={base_branch}")
    run_git(repo, "add", "--all", "--force")
    # Tool commits are never signed: a signing prompt would hang a non-interactive run.
    commit = ["-c", "commit.gpgsign=false", "-c", "maintenance.auto=false", "-c", "gc.auto=0",
              "commit", "--quiet", "--no-verify", "-m", message]  # fmt: skip
    try:
        run_git(repo, *commit)
    except GitError:
        fallback = identity_env(repo)
        if not fallback:  # git has an identity: the failure was something else
            raise
        run_git(repo, *commit, env=fallback)
    run_git(repo, "checkout", "--quiet", "-b", user_branch)
    # The repository was made just now, so its new branch is a loose ref file, unless git is
    # configured for reftable: then ask git.
    loose = repo / ".git" / "refs" / "heads" / base_branch
    sha = loose.read_text(encoding="ascii").strip() if loose.is_file() else ""
    return sha if len(sha) in (40, 64) else run_git(repo, "rev-parse", base_branch).strip()


def rev_parse(repo: Path, rev: str) -> str | None:
    """The commit sha `rev` names, or None when it names nothing."""
    try:
        return run_git(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").strip()
    except GitError:
        return None


def current_branch(repo: Path) -> str | None:
    """The checked-out branch's short name; None on a detached HEAD."""
    try:
        return run_git(repo, "symbolic-ref", "--quiet", "--short", "HEAD").strip()
    except GitError:
        return None


def subject(repo: Path, rev: str) -> str:
    """The first line of a commit's message."""
    return run_git(repo, "log", "-1", "--format=%s", rev, "--").strip()


def is_branch_name(repo: Path, name: str) -> bool:
    result = subprocess.run(
        [git_executable(), "check-ref-format", "--branch", name],
        cwd=repo, capture_output=True, check=False,
    )  # fmt: skip
    return result.returncode == 0 and not name.startswith("-")


def is_repo(repo: Path) -> bool:
    try:
        return run_git(repo, "rev-parse", "--is-inside-work-tree").strip() == "true"
    except GitError:
        return False


def toplevel(repo: Path) -> Path:
    return Path(run_git(repo, "rev-parse", "--show-toplevel").strip())


def operation_in_progress(repo: Path) -> str | None:
    """The name of an unfinished merge, rebase, cherry-pick or revert, if any."""
    git_dir = Path(run_git(repo, "rev-parse", "--absolute-git-dir").strip())
    markers = {
        "MERGE_HEAD": "merge",
        "rebase-merge": "rebase",
        "rebase-apply": "rebase",
        "CHERRY_PICK_HEAD": "cherry-pick",
        "REVERT_HEAD": "revert",
    }
    for marker, name in markers.items():
        if (git_dir / marker).exists():
            return name
    return None


def status_porcelain(repo: Path) -> list[str]:
    """`git status --porcelain` lines of tracked files only: untracked files are not looked
    for, so git reads no ignore file (a FIFO named .gitignore would make it wait forever)."""
    out = run_git(repo, "status", "--porcelain", "-z", "--untracked-files=no")
    return [line for line in out.split("\0") if line]


def commit_tree_from_dir(
    repo: Path, source: Path, parents: list[str], message: str, root_commit: bool = False
) -> str:
    """Commit the files of `source` (not the repo's work tree) as a new commit object.

    No ref, index or work-tree file of `repo` changes: a throwaway index is used.
    """
    import tempfile

    with tempfile.TemporaryDirectory(prefix="mlops-scaffold-index-") as tmp:
        env = {"GIT_INDEX_FILE": str(Path(tmp) / "index"), "GIT_WORK_TREE": str(source)}
        # --force: the user's ignore rules (info/exclude, core.excludesFile, global) must not
        # drop a rendered file from the render commit.
        run_git(repo, "--work-tree", str(source), "add", "--all", "--force", ".", env=env)
        tree = run_git(repo, "write-tree", env=env).strip()
    args = ["commit-tree", tree, "-m", message]
    for parent in [] if root_commit else parents:
        args += ["-p", parent]
    return run_git(repo, *args, env=identity_env(repo)).strip()


def tree_of(repo: Path, rev: str) -> str:
    return run_git(repo, "rev-parse", f"{rev}^{{tree}}").strip()


def update_ref(repo: Path, ref: str, new: str, old: str | None, reason: str) -> None:
    """Move `ref` to `new`, only if it still points at `old` (None: must not exist yet)."""
    run_git(repo, "update-ref", "-m", reason, ref, new, old or "0" * 40)


def unmerged_paths(repo: Path) -> list[str]:
    out = run_git(repo, "diff", "--name-only", "--diff-filter=U", "-z")
    return sorted({p for p in out.split("\0") if p})


def fast_forward(repo: Path, commit: str) -> None:
    """Move the checked-out branch and its files forward to `commit` (a descendant of HEAD)."""
    run_git(repo, "merge", "--ff-only", "--quiet", commit)


def diff_name_status(repo: Path, old: str, new: str) -> dict[str, str]:
    """{path: status letter} from old to new; renames count as delete + add."""
    out = run_git(repo, "diff", "--name-status", "--no-renames", "-z", old, new)
    parts = [p for p in out.split("\0") if p]
    return {parts[i + 1]: parts[i][0] for i in range(0, len(parts), 2)}


def diff(repo: Path, old: str, new: str, paths: list[str] | None = None) -> str:
    return run_git(repo, "diff", old, new, "--", *(paths or []))


def merge_base(repo: Path, a: str, b: str) -> str | None:
    try:
        return run_git(repo, "merge-base", a, b).strip()
    except GitError:
        return None


def is_ancestor(repo: Path, ancestor: str, descendant: str) -> bool:
    result = subprocess.run(
        [git_executable(), "merge-base", "--is-ancestor", ancestor, descendant],
        cwd=repo, capture_output=True, check=False,
    )  # fmt: skip
    return result.returncode == 0


def tracked_files(repo: Path, rev: str = "HEAD") -> set[str]:
    out = run_git(repo, "ls-tree", "-r", "-z", "--name-only", rev)
    return {p for p in out.split("\0") if p}


def add_paths(repo: Path, *paths: str) -> None:
    run_git(repo, "add", "--force", "--", *paths)


def move_branch(repo: Path, commit: str) -> None:
    """Point the checked-out branch (and the index) at `commit`, leaving files as they are."""
    run_git(repo, "reset", "--mixed", "--quiet", commit)


def restore_paths(repo: Path, paths: list[str]) -> None:
    """Index entries and files of `paths` back to HEAD; those HEAD lacks are deleted (used only
    to undo the tool's own failed write of exactly these paths)."""
    if not paths:
        return
    run_git(repo, "--literal-pathspecs", "reset", "--quiet", "HEAD", "--", *paths)
    in_head = tracked_files_matching(repo, "HEAD", paths)
    if in_head:
        run_git(repo, "--literal-pathspecs", "checkout", "HEAD", "--", *in_head)
    for path in sorted(set(paths) - set(in_head)):
        target = repo / path
        if target.is_file() or target.is_symlink():
            target.unlink()
        for parent in Path(path).parents:  # folders the write created, if now empty
            folder = repo / parent
            if folder == repo or not folder.is_dir() or any(folder.iterdir()):
                break
            folder.rmdir()


def ignored_paths(repo: Path, paths: list[str]) -> set[str]:
    """Which of `paths` git's ignore rules (all sources) match."""
    if not paths:
        return set()
    result = subprocess.run(
        [git_executable(), "check-ignore", "--no-index", "-z", "--stdin"],
        cwd=repo, input="\0".join(paths), capture_output=True, text=True, check=False,
    )  # fmt: skip
    return {p for p in result.stdout.split("\0") if p}


def commit_tree_object(repo: Path, tree: str, parents: list[str], message: str) -> str:
    """A commit object for `tree` with no ref pointing at it (used by dry runs)."""
    args = ["commit-tree", tree, "-m", message]
    for parent in parents:
        args += ["-p", parent]
    return run_git(repo, *args, env=identity_env(repo)).strip()


def read_files(repo: Path, commit: str, paths: list[str], dest: Path) -> None:
    """Write the listed files of `commit` (those it has) under `dest`."""
    present = tracked_files_matching(repo, commit, paths)
    for path in present:
        blob = subprocess.run(
            [git_executable(), "cat-file", "blob", f"{commit}:{path}"],
            cwd=repo, capture_output=True, check=True,
        ).stdout  # fmt: skip
        target = dest / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blob)


def tracked_files_matching(repo: Path, commit: str, paths: list[str]) -> list[str]:
    if not paths:
        return []
    out = run_git(
        repo, "--literal-pathspecs", "ls-tree", "-r", "-z", "--name-only", commit, "--", *paths
    )
    return [p for p in out.split("\0") if p]


def commit_files(
    repo: Path, start: str, files: dict[str, bytes | None], parents: list[str], message: str
) -> str:
    """A commit object: the tree of `start` with `files` replaced (None deletes), nothing else
    touched; no ref, index or work-tree file changes."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="mlops-scaffold-index-") as tmp:
        env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        run_git(repo, "read-tree", start, env=env)
        for path, content in files.items():
            if content is None:
                run_git(repo, "update-index", "--force-remove", "--", path, env=env)
                continue
            blob = subprocess.run(
                [git_executable(), "hash-object", "-w", "--stdin"],
                cwd=repo, input=content, capture_output=True, check=True,
            ).stdout.decode().strip()  # fmt: skip
            run_git(repo, "update-index", "--add", "--cacheinfo", f"100644,{blob},{path}", env=env)
        tree = run_git(repo, "write-tree", env=env).strip()
    return commit_tree_object(repo, tree, parents, message)


def file_text(repo: Path, rev: str, path: str) -> str | None:
    """The text of `path` in `rev` (a commit or tree); None when it has no such file."""
    result = subprocess.run(
        [git_executable(), "cat-file", "blob", f"{rev}:{path}"],
        cwd=repo, capture_output=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        return None
    return result.stdout.decode("utf-8", "surrogateescape")


def git_path(repo: Path, name: str) -> str:
    """The absolute path of `name` inside the git folder (per worktree, like HEAD)."""
    path = Path(run_git(repo, "rev-parse", "--git-path", name).strip())
    return str(path if path.is_absolute() else repo / path)


def write_tree(repo: Path) -> str | None:
    """The index as a tree object; None while it holds unmerged entries."""
    try:
        return run_git(repo, "write-tree").strip()
    except GitError:
        return None


def hash_file(repo: Path, path: str) -> str:
    """The blob id the file at `path` would have (filters applied), without storing it."""
    return run_git(repo, "hash-object", "--", path).strip()


def blob_at(repo: Path, rev: str, path: str) -> str | None:
    """The blob id of `path` in `rev`, or None."""
    try:
        return run_git(repo, "rev-parse", "--verify", "--quiet", f"{rev}:{path}").strip()
    except GitError:
        return None


def blob_bytes(repo: Path, blob: str) -> bytes:
    """The content of a blob, byte for byte."""
    result = subprocess.run(
        [git_executable(), "cat-file", "blob", blob], cwd=repo, capture_output=True, check=False
    )
    if result.returncode != 0:
        raise GitError(f"git cat-file failed in {repo}: {result.stderr.decode().strip()}")
    return result.stdout


def first_author(repo: Path) -> str | None:
    """The author name of the repository's first commit, if there is one."""
    try:
        out = run_git(repo, "log", "--reverse", "--format=%an", "--max-parents=0", "HEAD")
    except GitError:
        return None
    names = [line.strip() for line in out.splitlines() if line.strip()]
    return names[0] if names else None

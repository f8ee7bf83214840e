"""The few git operations the tool needs. Nothing else in the package runs git."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from scaffolder.errors import GitError

# Used only when git has no identity configured, so a fresh machine can still scaffold.
FALLBACK_NAME = "mlops-scaffold"
FALLBACK_EMAIL = "mlops-scaffold@localhost"


def _git_executable() -> str:
    git = shutil.which("git")
    if git is None:
        raise GitError("git is not installed or not on PATH; install git and try again")
    return git


def run_git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """Run one git command in `repo` and return its stdout; failures become GitError."""
    full_env = {**os.environ, **(env or {})}
    try:
        result = subprocess.run(
            [_git_executable(), *args],
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
        [_git_executable(), "var", "GIT_COMMITTER_IDENT"],
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
        [_git_executable(), "check-ref-format", "--branch", name],
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


def merge_tree(
    repo: Path,
    ours: str,
    theirs: str,
    *,
    allow_unrelated: bool = False,
    theirs_label: str | None = None,
    env: dict[str, str] | None = None,
) -> tuple[str, list[tuple[str, str]]]:
    """A merge computed in the object store alone: (result tree, [(path, conflict kind)]).

    With `theirs_label`, known files merge by their structure (see `structured_merge_args`).
    """
    args = [*(structured_merge_args(theirs_label, adopting=allow_unrelated)
              if theirs_label else []),
            "merge-tree", "--write-tree", "-z", "--name-only"]  # fmt: skip
    if allow_unrelated:
        args.append("--allow-unrelated-histories")
    full_env = {**os.environ, **(env or {})}
    result = subprocess.run(
        [_git_executable(), *args, ours, theirs], cwd=repo, env=full_env,
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode not in (0, 1):
        raise GitError(f"git merge-tree failed in {repo}: {result.stderr.strip()}")
    # Output: tree NUL, conflicted paths NUL-separated, NUL, then messages:
    # <count> NUL <path>... NUL <kind> NUL <message> NUL
    head, _, messages = result.stdout.partition("\0\0")
    tree = head.split("\0")[0]
    conflicts: list[tuple[str, str]] = []
    fields = messages.split("\0")
    i = 0
    while i < len(fields) and fields[i].isdigit():
        count = int(fields[i])
        paths = fields[i + 1 : i + 1 + count]
        kind = fields[i + 1 + count]
        i += count + 3
        if kind.startswith("CONFLICT"):
            conflicts += [(p, kind) for p in paths]
    return tree, conflicts


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
        [_git_executable(), "merge-base", "--is-ancestor", ancestor, descendant],
        cwd=repo, capture_output=True, check=False,
    )  # fmt: skip
    return result.returncode == 0


def tracked_files(repo: Path, rev: str = "HEAD") -> set[str]:
    out = run_git(repo, "ls-tree", "-r", "-z", "--name-only", rev)
    return {p for p in out.split("\0") if p}


def merge_no_commit(
    repo: Path,
    commit: str,
    *,
    allow_unrelated: bool = False,
    theirs_label: str | None = None,
    env: dict[str, str] | None = None,
) -> list[str]:
    """Merge `commit` into the index and work tree but stop before committing.

    Returns the paths left in conflict (empty when the merge went through cleanly). With
    `theirs_label`, known files merge by their structure (see `structured_merge_args`).
    """
    args = [*(structured_merge_args(theirs_label, adopting=allow_unrelated)
              if theirs_label else []),
            "merge", "--no-ff", "--no-commit", "--quiet"]  # fmt: skip
    if allow_unrelated:
        args.append("--allow-unrelated-histories")
    result = subprocess.run(
        [_git_executable(), *args, commit], cwd=repo,
        env={**os.environ, **identity_env(repo), **(env or {})},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    conflicts = unmerged_paths(repo)
    if result.returncode != 0 and not conflicts:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise GitError(f"git merge failed in {repo}: {detail[-1] if detail else result.returncode}")
    return conflicts


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


def merge_abort(repo: Path) -> None:
    run_git(repo, "merge", "--abort")


def ignored_paths(repo: Path, paths: list[str]) -> set[str]:
    """Which of `paths` git's ignore rules (all sources) match."""
    if not paths:
        return set()
    result = subprocess.run(
        [_git_executable(), "check-ignore", "--no-index", "-z", "--stdin"],
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
            [_git_executable(), "cat-file", "blob", f"{commit}:{path}"],
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
                [_git_executable(), "hash-object", "-w", "--stdin"],
                cwd=repo, input=content, capture_output=True, check=True,
            ).stdout.decode().strip()  # fmt: skip
            run_git(repo, "update-index", "--add", "--cacheinfo", f"100644,{blob},{path}", env=env)
        tree = run_git(repo, "write-tree", env=env).strip()
    return commit_tree_object(repo, tree, parents, message)


def merge_file(
    base: str, ours: str, theirs: str, *, labels: tuple[str, str, str], marker_size: int = 7
) -> tuple[str, int]:
    """Git's three-way line merge of three texts: (result with markers, number of conflicts)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="mlops-scaffold-merge-") as tmp:
        paths = []
        for name, text in (("ours", ours), ("base", base), ("theirs", theirs)):
            path = Path(tmp) / name
            path.write_bytes(text.encode("utf-8", "surrogateescape"))
            paths.append(str(path))
        result = subprocess.run(
            [_git_executable(), "merge-file", "-p", f"--marker-size={marker_size}",
             "-L", labels[0], "-L", labels[1], "-L", labels[2], *paths],
            cwd=tmp, capture_output=True, check=False,
        )  # fmt: skip
    if result.returncode < 0 or result.returncode > 127:
        raise GitError(f"git merge-file failed: {result.stderr.decode(errors='replace').strip()}")
    return result.stdout.decode("utf-8", "surrogateescape"), result.returncode


def remove_merge_leftovers(repo: Path) -> list[str]:
    """Delete the `.merge_file_XXXXXX` files git leaves at the top of the work tree when it is
    killed (SIGKILL) while a merge driver runs: untracked, git's own naming, regular files.
    Returns their names."""
    import re

    pattern = re.compile(r"^\.merge_file_[A-Za-z0-9]{6}$")
    try:
        names = [e.name for e in os.scandir(repo)
                 if pattern.match(e.name) and e.is_file(follow_symlinks=False)]  # fmt: skip
    except OSError:
        return []
    if not names:
        return []
    tracked = set(run_git(repo, "ls-files", "-z", "--", *names).split("\0"))
    removed = [n for n in names if n not in tracked]
    for name in removed:
        (repo / name).unlink(missing_ok=True)
    return removed


# The tool's own merges (merge-tree and the in-tree merge on conflict) run structure-aware
# merges as a git merge driver, configured for that one command only: nothing is written to
# the project's config, and a plain `git merge` there keeps git's line merge.
MERGE_DRIVER = "mlops-scaffold"


def structured_merge_args(theirs_label: str, *, adopting: bool = False) -> list[str]:
    """`-c` options that make one git command merge known files by their structure (with
    `adopting`: where the histories share nothing, the team's version of an entry both
    define stays)."""
    import shlex
    import sys

    # Adopting, every file goes through the driver: one both sides have keeps the team's.
    name = "gitattributes-adopt" if adopting else "gitattributes"
    attributes = Path(__file__).resolve().parent / "merge" / name
    command = " ".join([
        shlex.quote(sys.executable), "-m", "scaffolder.merge", "%O", "%A", "%B", "%P",
        "--marker-size", "%L", "--theirs-label", shlex.quote(theirs_label),
        *(["--adopting"] if adopting else []),
    ])  # fmt: skip
    return [
        "-c", f"core.attributesFile={attributes}",
        "-c", f"merge.{MERGE_DRIVER}.name=mlops-scaffold structure-aware merge",
        "-c", f"merge.{MERGE_DRIVER}.driver={command}",
    ]  # fmt: skip


def file_text(repo: Path, rev: str, path: str) -> str | None:
    """The text of `path` in `rev` (a commit or tree); None when it has no such file."""
    result = subprocess.run(
        [_git_executable(), "cat-file", "blob", f"{rev}:{path}"],
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
        [_git_executable(), "cat-file", "blob", blob], cwd=repo, capture_output=True, check=False
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


# Overlay sources: a bare clone per source in the tool's cache, fetched before each use.


def mirror(source: str, dest: Path) -> None:
    """Clone `source` bare into `dest`, or fetch every branch and tag into an existing one."""
    if (dest / "HEAD").is_file():
        run_git(
            dest, "fetch", "--quiet", "--prune", "--force", "--tags", "origin",
            "+refs/heads/*:refs/heads/*",
        )  # fmt: skip
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    _check_source(source)
    run_git(dest.parent, "clone", "--quiet", "--bare", "--", source, str(dest))


def tags(repo: Path) -> list[str]:
    return [t for t in run_git(repo, "tag", "--list").splitlines() if t]


def archive(repo: Path, commit: str) -> bytes:
    """The files of `commit` as a tar archive."""
    result = subprocess.run(
        [_git_executable(), "archive", "--format=tar", commit],
        cwd=repo, capture_output=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise GitError(f"git archive failed in {repo}: {result.stderr.decode().strip()}")
    return result.stdout


def _check_source(source: str) -> None:
    """A repository to clone is never an option (`--upload-pack=...` runs a command)."""
    if source.startswith("-"):
        raise GitError(f"{source!r} starts with '-', so git would read it as an option; refused")


def clone(source: str, dest: Path, branches: list[str]) -> None:
    """Clone `source` into `dest` and make local branches of `branches` that it has."""
    _check_source(source)
    run_git(dest.parent, "clone", "--quiet", "--", source, str(dest))
    for branch in branches:
        if rev_parse(dest, f"refs/remotes/origin/{branch}") and not rev_parse(
            dest, f"refs/heads/{branch}"
        ):
            run_git(dest, "branch", "--quiet", branch, f"origin/{branch}")


def push(repo: Path, remote: str, refs: list[str]) -> None:
    run_git(repo, "push", "--quiet", remote, *refs)

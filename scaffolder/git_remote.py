"""Git across repositories: overlay sources (a bare clone per source in the tool's cache,
fetched before each use) and fleet clones and pushes."""

from __future__ import annotations

import subprocess
from pathlib import Path

from scaffolder.errors import GitError
from scaffolder.gitops import git_executable, rev_parse, run_git


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
        [git_executable(), "archive", "--format=tar", commit],
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

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
    result = subprocess.run(
        [_git_executable(), *args],
        cwd=repo,
        env=full_env,
        capture_output=True,
        text=True,
        check=False,
    )
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


def commit_all(repo: Path, message: str) -> str:
    """Stage every file in the work tree and commit; return the new commit's sha."""
    run_git(repo, "add", "--all")
    # Tool commits are never signed: a signing prompt would hang a non-interactive run.
    run_git(
        repo,
        "-c", "commit.gpgsign=false",
        "commit", "--quiet", "--no-verify", "-m", message,
        env=identity_env(repo),
    )  # fmt: skip
    return run_git(repo, "rev-parse", "HEAD").strip()


def branch_off(repo: Path, new_branch: str, start: str) -> None:
    """Create `new_branch` at `start` and check it out."""
    run_git(repo, "checkout", "--quiet", "-b", new_branch, start)

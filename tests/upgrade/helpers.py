"""Building blocks for upgrade tests: projects made by `new`, user commits, repo snapshots."""

from __future__ import annotations

import subprocess
from pathlib import Path

from scaffolder.new import NewRequest, create_project

USER = ["-c", "user.name=Dev", "-c", "user.email=dev@example.org", "-c", "commit.gpgsign=false"]


def git(repo: Path, *args: str, check: bool = True) -> str:
    result = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)}: {result.stderr}")
    return result.stdout


def new_project(tmp_path: Path, name: str = "churn", level: int = 0, **given) -> Path:
    request = NewRequest(
        name=name, output_dir=tmp_path, given={"level": level, **given}, defaults=True
    )
    return create_project(request).path


def commit(repo: Path, message: str = "user change") -> None:
    git(repo, "add", "--all")
    git(repo, *USER, "commit", "--quiet", "--allow-empty", "-m", message)


def snapshot(repo: Path) -> dict[str, object]:
    """Everything an upgrade must leave alone when it refuses or is interrupted."""
    files = {
        str(p.relative_to(repo)): p.read_bytes()
        for p in repo.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(repo).parts
    }
    return {
        "refs": git(repo, "for-each-ref", "--format=%(refname) %(objectname)"),
        "head": git(repo, "symbolic-ref", "-q", "HEAD", check=False),
        "status": git(repo, "status", "--porcelain"),
        "index": git(repo, "ls-files", "-s"),
        "files": files,
    }

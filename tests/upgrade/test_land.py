"""Landing a step: the user's ignore rules never drop a rendered file, nothing of the user's is
overwritten, and a write that fails midway leaves branch, files and base branch as they were."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from scaffolder import git_merge, gitops
from scaffolder.errors import GitError, ScaffoldError
from scaffolder.state import STATE_FILE
from scaffolder.upgrade.apply import UpgradeRequest, upgrade

from .helpers import commit, git, new_project, snapshot

PATTERNS = "Dockerfile\n*.yml\n*.yaml\n*.md\n"


def _on_disk(repo: Path) -> set[str]:
    return {
        str(p.relative_to(repo))
        for p in repo.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(repo).parts
    }


def _committed(repo: Path, rev: str) -> set[str]:
    return set(git(repo, "ls-tree", "-r", "-z", "--name-only", rev).split("\0")) - {""}


def _global_excludes_file(home: Path, repo: Path | None) -> None:
    (home / "ignore").write_text(PATTERNS)
    git(home, "config", "--global", "core.excludesFile", str(home / "ignore"))


def _xdg_ignore(home: Path, repo: Path | None) -> None:
    (home / ".config/git").mkdir(parents=True, exist_ok=True)
    (home / ".config/git/ignore").write_text(PATTERNS)


def _repo_excludes_file(home: Path, repo: Path | None) -> None:
    (home / "repo-ignore").write_text(PATTERNS)
    git(repo, "config", "core.excludesFile", str(home / "repo-ignore"))


def _info_exclude(home: Path, repo: Path | None) -> None:
    with (repo / ".git/info/exclude").open("a") as f:
        f.write(PATTERNS)


def _init_template(home: Path, repo: Path | None) -> None:
    """A global init.templateDir puts an info/exclude into every new repository."""
    (home / "tmpl/info").mkdir(parents=True, exist_ok=True)
    (home / "tmpl/info/exclude").write_text(PATTERNS)
    git(home, "config", "--global", "init.templateDir", str(home / "tmpl"))


GLOBAL_SOURCES = [_global_excludes_file, _xdg_ignore, _init_template]
REPO_SOURCES = [_info_exclude, _repo_excludes_file, _global_excludes_file, _xdg_ignore]


@pytest.mark.parametrize("source", GLOBAL_SOURCES, ids=lambda f: f.__name__.strip("_"))
def test_new_commits_every_rendered_file_whatever_the_ignore_rules(
    tmp_path, isolated_git, monkeypatch, source
):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(isolated_git / ".config"))
    source(isolated_git, None)
    repo = new_project(tmp_path, level=1)
    assert {STATE_FILE, "Dockerfile", "README.md"} <= _on_disk(repo)
    assert _committed(repo, "mlops-scaffold/base") == _on_disk(repo)
    assert git(repo, "status", "--porcelain") == ""


@pytest.mark.parametrize("source", REPO_SOURCES, ids=lambda f: f.__name__.strip("_"))
def test_upgrade_commits_every_rendered_file_whatever_the_ignore_rules(
    tmp_path, isolated_git, monkeypatch, source
):
    repo = new_project(tmp_path, level=0)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(isolated_git / ".config"))
    source(isolated_git, repo)
    assert upgrade(UpgradeRequest(path=repo, defaults=True)).level == 1
    for rev in ("HEAD", "mlops-scaffold/base"):
        committed = _committed(repo, rev)
        assert {"Dockerfile", "config/pipeline.yaml", ".github/workflows/ci.yml"} <= committed
    assert _committed(repo, "HEAD") == _on_disk(repo)


@pytest.mark.parametrize("source", REPO_SOURCES, ids=lambda f: f.__name__.strip("_"))
def test_upgrade_refuses_to_overwrite_an_ignored_file(tmp_path, isolated_git, monkeypatch, source):
    repo = new_project(tmp_path, level=0)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(isolated_git / ".config"))
    source(isolated_git, repo)
    (repo / "Dockerfile").write_text("FROM mine\n")
    before = snapshot(repo)
    with pytest.raises(ScaffoldError, match="^Dockerfile is ignored by your git ignore rules"):
        upgrade(UpgradeRequest(path=repo, defaults=True))
    assert snapshot(repo) == before


def test_a_tracked_folder_where_a_file_goes_is_named_as_such(tmp_path):
    repo = new_project(tmp_path, level=0)
    (repo / "Dockerfile").mkdir()
    (repo / "Dockerfile/notes.txt").write_text("ours\n")
    commit(repo)
    before = snapshot(repo)
    with pytest.raises(ScaffoldError, match="^Dockerfile is a tracked folder and level 1 puts"):
        upgrade(UpgradeRequest(path=repo, defaults=True))
    assert snapshot(repo) == before


def test_a_file_where_a_folder_goes_is_refused(tmp_path):
    repo = new_project(tmp_path, level=0)
    (repo / "config").write_text("an untracked file named like the level-1 folder\n")
    before = snapshot(repo)
    with pytest.raises(ScaffoldError, match="^config is an untracked file and level 1 puts"):
        upgrade(UpgradeRequest(path=repo, defaults=True))
    assert snapshot(repo) == before


def _edited_project(tmp_path: Path) -> Path:
    repo = new_project(tmp_path, level=0)
    model = repo / "src/churn/model.py"
    model.write_text(model.read_text().replace('"C": 1.0', '"C": 0.5'))
    commit(repo)
    return repo


def _half_write(commit_of, since=lambda repo, target: "HEAD"):
    """A stand-in for git that writes part of the files it would write (those changed from
    `since` to the target), then fails like a full disk."""

    def fail(repo: Path, target: str, *args, **kwargs):
        target = commit_of(target)
        changed = sorted(gitops.diff_name_status(repo, since(repo, target), target))
        gitops.read_files(repo, target, changed[: len(changed) // 2], repo)
        raise GitError(f"git merge failed in {repo}: error: unable to write {changed[-1]}: "
                       "No space left on device")  # fmt: skip

    return fail


def test_a_write_failing_midway_changes_nothing(tmp_path, monkeypatch):
    repo = _edited_project(tmp_path)
    before = snapshot(repo)
    monkeypatch.setattr(gitops, "fast_forward", _half_write(lambda c: c))
    with pytest.raises(ScaffoldError) as info:
        upgrade(UpgradeRequest(path=repo, defaults=True))
    message = str(info.value)
    assert "No space left on device" in message and "as they were" in message
    assert "run `mlops-scaffold upgrade` again" in message and "\n" not in message
    assert snapshot(repo) == before
    monkeypatch.undo()
    assert upgrade(UpgradeRequest(path=repo, defaults=True)).level == 1


def test_a_merge_failing_midway_changes_nothing(tmp_path, monkeypatch):
    repo = _edited_project(tmp_path)
    readme = repo / "README.md"
    readme.write_text("# our own readme\n")  # the level-1 README conflicts with this
    commit(repo)
    before = snapshot(repo)

    def fail(repo_: Path, incoming: str, **kwargs):
        # Like a real merge, it writes only files the incoming side changed since the merge
        # base: never one only the user changed (src/churn/model.py).
        _half_write(lambda c: c, since=lambda r, t: gitops.merge_base(r, "HEAD", t))(
            repo_, incoming
        )

    monkeypatch.setattr(git_merge, "merge_no_commit", fail)
    with pytest.raises(ScaffoldError, match="merge was backed out: your branch, its files"):
        upgrade(UpgradeRequest(path=repo, defaults=True))
    assert snapshot(repo) == before


def test_base_branch_does_not_move_when_the_users_branch_does_not(tmp_path, monkeypatch):
    repo = _edited_project(tmp_path)
    before = snapshot(repo)

    def refuse(*args, **kwargs):
        raise GitError("git merge failed: error: Your local changes would be overwritten")

    monkeypatch.setattr(gitops, "fast_forward", refuse)
    with pytest.raises(ScaffoldError):
        upgrade(UpgradeRequest(path=repo, defaults=True))
    assert snapshot(repo)["refs"] == before["refs"]


def _as_another_user(cmd: list[str]) -> list[str]:
    """Root ignores folder permissions; run as nobody then (setpriv is in util-linux)."""
    if os.geteuid() != 0:
        return cmd
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]


def test_a_read_only_folder_is_refused_before_anything_moves(isolated_git):
    """For real: a folder the upgrade writes into is read-only."""
    git(isolated_git, "config", "--global", "--add", "safe.directory", "*")  # ours, as root
    work = Path(tempfile.mkdtemp(prefix="mlops-ro-", dir="/tmp"))
    try:
        repo = new_project(work, level=0)
        if os.geteuid() == 0:
            subprocess.run(["chown", "-R", "65534:65534", str(work)], check=True)
        os.chmod(work, 0o755)
        (repo / "src/churn").chmod(0o555)  # level 1 adds src/churn/config.py and more
        before = snapshot(repo)
        env = {**os.environ, "HOME": str(work), "GIT_CONFIG_GLOBAL": "/dev/null"}
        result = subprocess.run(
            _as_another_user([sys.executable, "-m", "scaffolder", "upgrade", str(repo),
                              "--defaults"]),
            capture_output=True, text=True, env=env, cwd=work,
        )  # fmt: skip
        assert result.returncode == 1, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "src/churn" in lines[0] and "not writable" in lines[0], lines
        assert snapshot(repo) == before
    finally:
        subprocess.run(["chmod", "-R", "u+w", str(work)], check=False)
        shutil.rmtree(work, ignore_errors=True)

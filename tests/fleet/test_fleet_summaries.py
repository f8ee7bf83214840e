"""Honest fleet summaries: Ctrl-C says what was changed, a repository stuck mid-merge is not
current, and `--jobs` never forks more workers than there are repositories."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.upgrade.helpers import USER, commit, git, new_project


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        home = tmp_path_factory.mktemp("home-fleet-summaries")
        mp.setenv("HOME", str(home))
        mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
        mp.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
        return new_project(tmp_path_factory.mktemp("summaries"), level=0)


def _fleet(made: Path, tmp_path: Path, names: list[str]) -> Path:
    fleet = tmp_path / "fleet"
    for name in names:
        shutil.copytree(made, fleet / name, symlinks=True)
    return fleet


def test_a_repository_stuck_mid_merge_is_not_current(made, run_cli, tmp_path):
    fleet = _fleet(made, tmp_path, ["ok", "stuck"])
    repo = fleet / "stuck"
    git(repo, "checkout", "--quiet", "-b", "side")
    (repo / "README.md").write_text("side\n")
    commit(repo)
    git(repo, "checkout", "--quiet", "main")
    (repo / "README.md").write_text("main\n")
    commit(repo)
    git(repo, *USER, "merge", "side", check=False)
    result = run_cli("fleet", "status", "--dir", fleet)
    rows = {Path(r["repo"]).name: r for r in map(json.loads, result.stdout.splitlines())}
    assert rows["stuck"]["dry_run"]["outcome"] == "refused"
    assert "1 current" in result.stderr, result.stderr
    assert "1 not checked" in result.stderr, result.stderr


def test_jobs_is_capped_at_the_number_of_repositories(made, run_cli, tmp_path, monkeypatch):
    from concurrent import futures

    from scaffolder.fleet import status

    seen = []
    real = futures.ProcessPoolExecutor

    def pool(*args, **kwargs):
        seen.append(kwargs.get("max_workers"))
        return real(*args, **kwargs)

    monkeypatch.setattr(status, "ProcessPoolExecutor", pool)
    fleet = _fleet(made, tmp_path, ["a", "b"])
    result = run_cli("fleet", "status", "--dir", fleet, "--jobs", "24")
    assert result.exit_code == 0, result.stderr
    assert seen == [2]
    assert status.worker_count(24, 2) == 2 and status.worker_count(None, 1) == 1


def test_ctrl_c_during_fleet_upgrade_says_what_was_changed(made, run_cli, tmp_path, monkeypatch):
    from scaffolder.fleet import upgrade

    fleet = _fleet(made, tmp_path, ["a", "b", "c"])

    def interrupted(entries, branch, **kwargs):
        yield {"repo": entries[0], "outcome": "prepared", "branch": branch}
        yield {"repo": entries[1], "outcome": "up-to-date"}
        raise KeyboardInterrupt

    monkeypatch.setattr(upgrade, "fleet_upgrade", interrupted)
    result = run_cli("fleet", "upgrade", "--dir", fleet, "--branch", "up")
    assert result.exit_code == 1
    [line] = result.stderr.strip().splitlines()
    assert "nothing was changed" not in line
    assert "interrupted after 2 of 3 repositories" in line, line
    assert f"branch up was prepared in 1: {fleet / 'a'}" in line, line
    assert "1 were not finished" in line, line

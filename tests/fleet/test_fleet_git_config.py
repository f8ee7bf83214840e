"""`fleet --dir` runs git in checkouts the teams can write to: a checkout's own `.git/config`
(hooks, core.fsmonitor, drivers, helpers, includes) must not make the fleet job run a program
of the repository's (scaffolder.git_guard)."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from scaffolder import git_guard
from tests.fleet.fleet_repos import build_kind
from tests.upgrade.helpers import git, snapshot

HOOKS = ("pre-commit", "commit-msg", "post-commit", "post-checkout", "post-merge",
         "reference-transaction", "post-index-change", "pre-auto-gc", "post-rewrite", "pre-push")  # fmt: skip


def _script(path: Path, marker: Path, name: str) -> None:
    path.write_text(f"#!/bin/sh\necho {name} >> {marker}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


@pytest.fixture
def guarded_snapshot():
    """The test's own git calls must not run the hostile programs either."""

    def take(repo: Path):
        git_guard.guard(True)
        try:
            return snapshot(repo)
        finally:
            git_guard.guard(False)

    return take


def _old_project(tmp_path: Path) -> Path:
    """A project a release behind: `fleet upgrade` commits, checks out and merges in it."""
    return build_kind("old-template", tmp_path / "fleet", "")


def test_hooks_and_fsmonitor_of_a_checkout_do_not_run(run_cli, tmp_path, guarded_snapshot):
    marker = tmp_path / "ran.txt"
    repo = _old_project(tmp_path)
    team_hooks = tmp_path / "team-hooks"
    team_hooks.mkdir()
    for name in HOOKS:
        _script(repo / ".git" / "hooks" / name, marker, name)
        _script(team_hooks / name, marker, f"hooksPath {name}")
    _script(tmp_path / "fsmonitor.sh", marker, "fsmonitor")
    git(repo, "config", "core.hooksPath", str(team_hooks))
    git(repo, "config", "core.fsmonitor", str(tmp_path / "fsmonitor.sh"))
    before = guarded_snapshot(repo)
    environment = dict(os.environ)

    status = run_cli("fleet", "status", "--dir", tmp_path / "fleet")
    assert not marker.exists(), marker.read_text()
    [row] = [json.loads(line) for line in status.stdout.splitlines()]
    assert row["error"] is None and row["dry_run"]["outcome"] == "clean", row
    assert guarded_snapshot(repo) == before

    upgrade = run_cli("fleet", "upgrade", "--dir", tmp_path / "fleet", "--branch", "up")
    assert not marker.exists(), marker.read_text()
    [row] = [json.loads(line) for line in upgrade.stdout.splitlines()]
    assert row["outcome"] == "prepared", row
    assert dict(os.environ) == environment  # the guard is off again after the run


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("core.sshCommand", "sh -c 'echo ssh >> {marker}' #"),
        ("filter.lint.clean", "sh -c 'echo clean >> {marker}; cat'"),
        ("diff.lint.textconv", "sh -c 'echo textconv >> {marker}; cat'"),
        ("merge.ours.driver", "sh -c 'echo merge >> {marker}'"),
        ("credential.helper", "!sh -c 'echo credential >> {marker}'"),
        ("remote.origin.receivepack", "sh -c 'echo receivepack >> {marker}'"),
        ("include.path", "{tmp}/team.gitconfig"),
        ("core.worktree", "{tmp}/elsewhere"),
        # with TLS checks off, a proxy of the team's would read the platform's push token
        ("http.sslVerify", "false"),
        ("http.https://github.com/.proxy", "http://127.0.0.1:9"),
        ("url.file:///elsewhere/.insteadOf", "https://git.example.com/"),
    ],
)
def test_a_checkout_whose_config_names_a_program_is_refused_in_one_line(
    run_cli, tmp_path, guarded_snapshot, key, value
):
    marker = tmp_path / "ran.txt"
    repo = _old_project(tmp_path)
    (tmp_path / "team.gitconfig").write_text(f"[core]\n\tsshCommand = touch {marker}\n")
    (repo / ".git" / "info" / "attributes").write_text("* filter=lint diff=lint merge=ours\n")
    before = guarded_snapshot(repo)  # before the setting: the test's own git would run it
    git(repo, "config", key, value.format(marker=marker, tmp=tmp_path))
    section, _, rest = key.partition(".")
    middle, _, name = rest.rpartition(".")  # git lowercases section and name, not the middle
    shown = ".".join(p for p in (section.lower(), middle, name.lower()) if p)

    status = run_cli("fleet", "status", "--dir", tmp_path / "fleet")
    [row] = [json.loads(line) for line in status.stdout.splitlines()]
    assert "own git config sets " in row["error"] and shown in row["error"]
    assert "which would make git run a program of the repository's" in row["error"]
    upgrade = run_cli("fleet", "upgrade", "--dir", tmp_path / "fleet", "--branch", "up")
    assert upgrade.exit_code == 1
    [row] = [json.loads(line) for line in upgrade.stdout.splitlines()]
    assert row["outcome"] == "refused" and shown in row["reason"]
    assert "--repos-file" in row["reason"]
    assert not marker.exists(), marker.read_text()
    git(repo, "config", "--unset", key)
    assert guarded_snapshot(repo) == before


@pytest.mark.parametrize("how", ["gitdir-file", "inside-another"])
def test_a_checkout_that_leads_git_to_another_repository_is_refused(run_cli, tmp_path, how):
    """A `.git` file pointing at another repository (one the platform can write), or a folder
    inside another repository's work tree: the fleet job would commit and push there."""
    platform = build_kind("old-template", tmp_path / "platform", "")
    before = snapshot(platform)
    fleet = tmp_path / "fleet"
    if how == "gitdir-file":
        team = fleet / "team"  # the platform's files, so the job would find a project
        shutil.copytree(platform, team, ignore=shutil.ignore_patterns(".git"))
        (team / ".git").write_text(f"gitdir: {platform / '.git'}\n")
        expected = "'s .git leads to"
    else:
        fleet = platform / "checkouts"
        (fleet / "team").mkdir(parents=True)
        expected = f"is inside the repository {platform}"
    status = run_cli("fleet", "status", "--dir", fleet)
    [row] = [json.loads(line) for line in status.stdout.splitlines()]
    assert expected in row["error"], row
    upgrade = run_cli("fleet", "upgrade", "--dir", fleet, "--branch", "up")
    [row] = [json.loads(line) for line in upgrade.stdout.splitlines()]
    assert row["outcome"] == "refused" and expected in row["reason"], row
    if how == "inside-another":
        (fleet / "team").rmdir()
        fleet.rmdir()
    assert snapshot(platform) == before

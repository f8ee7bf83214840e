"""`fleet status` and `fleet upgrade` over a fleet with every kind of repository."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.fleet.fleet_repos import build_fleet
from tests.upgrade.helpers import USER, git, snapshot


def _expect_status(row: dict, kind: str) -> None:
    name = row["repo"]
    if kind in ("damaged-state", "not-a-repo"):
        expected = "is not valid YAML" if kind == "damaged-state" else "is not a git repository"
        assert row["error"] and expected in row["error"], name
        return
    assert row["error"] is None, (name, row["error"])
    codes = sorted(p["code"] for p in row["problems"])
    outcome = row["dry_run"]["outcome"]
    if kind in ("current-0", "current-1"):
        level = int(kind[-1])
        assert (row["declared_level"], row["assessed_level"]) == (level, level), name
        assert (codes, row["upgrade_due"], outcome) == ([], False, "up-to-date"), name
    elif kind == "acme-v1":
        [acme] = row["overlays"]
        assert (acme["name"], acme["version"], acme["newest"], acme["behind"]) == (
            "acme", "1", "v2", 1)  # fmt: skip
        assert (codes, row["upgrade_due"], outcome) == (["overlay-behind"], True, "clean"), name
        assert "acme 2" in row["dry_run"]["releases"]
        # An overlay's migrations are code: a status names them and runs none.
        assert row["dry_run"]["migrations"] == []
        assert row["dry_run"]["overlay_migrations_not_run"] == [
            "acme:m0001_lint_skip_into_acme_folder.py"
        ]
    elif kind == "acme-v1-conflict":
        assert (codes, row["upgrade_due"], outcome) == (["overlay-behind"], True, "conflicts")
        assert row["dry_run"]["conflicts"] == ["CODEOWNERS"], name
    elif kind == "old-template":  # 0.1.0, five releases behind (1.0.0 ... 2.2.0)
        assert row["template"]["version"] == "0.1.0" and row["template"]["behind"] == 5
        assert (codes, row["upgrade_due"], outcome) == (["template-behind"], True, "clean")
    elif kind == "below-level":
        assert (row["declared_level"], row["assessed_level"]) == (1, 0), name
        assert (codes, row["upgrade_due"]) == (["below-level"], False), name
    elif kind == "dirty":
        assert outcome == "refused" and "uncommitted changes" in row["dry_run"]["reason"]
    else:
        raise AssertionError(kind)


UPGRADE_OUTCOME = {
    "current-0": "up-to-date", "current-1": "up-to-date", "below-level": "up-to-date",
    "acme-v1": "prepared", "old-template": "prepared", "acme-v1-conflict": "conflicts",
    "dirty": "refused", "damaged-state": "refused", "not-a-repo": "refused",
}  # fmt: skip


def allow_acme(tmp_path: Path) -> Path:
    """The platform's fleet config: acme, pinned at its release 2."""
    from tests.overlays.acme import tag_commit

    overlay = tmp_path / "acme-overlay"
    config = tmp_path / "fleet-config.yml"
    config.write_text(
        f"overlays:\n  - name: acme\n    source: file://{overlay}\n"
        f"    commit: {tag_commit(overlay, 'v2')}\n"
    )
    return config


def run_fleet(run_cli, tmp_path: Path, count: int) -> float:
    fleet, kinds = build_fleet(tmp_path, count)
    config = allow_acme(tmp_path)
    before = {name: snapshot(fleet / name) for name, kind in kinds.items() if kind != "not-a-repo"}

    start = time.perf_counter()
    report = tmp_path / "fleet.md"
    status = run_cli("fleet", "status", "--dir", fleet, "--jobs", "2", "--report", report,
                     "--config", config)  # fmt: skip
    elapsed = time.perf_counter() - start
    assert status.exit_code == 1, status.stderr  # two repositories cannot be read
    rows = [json.loads(line) for line in status.stdout.splitlines()]
    assert [Path(r["repo"]).name for r in rows] == sorted(kinds)
    for row in rows:
        _expect_status(row, kinds[Path(row["repo"]).name])
    due = sum(1 for k in kinds.values() if k in ("acme-v1", "acme-v1-conflict", "old-template"))
    assert f"{len(kinds)} repositories:" in status.stderr and f"{due} upgrade due" in status.stderr
    assert report.read_text().startswith("# Fleet status")
    assert all(snapshot(fleet / name) == snap for name, snap in before.items())

    branch = "mlops-scaffold/upgrade-2026-12"
    upgraded = run_cli("fleet", "upgrade", "--dir", fleet, "--branch", branch, "--jobs", "2",
                       "--config", config)  # fmt: skip
    assert upgraded.exit_code == 1, upgraded.stderr  # some were refused
    rows = [json.loads(line) for line in upgraded.stdout.splitlines()]
    for row in rows:
        kind = kinds[Path(row["repo"]).name]
        assert row["outcome"] == UPGRADE_OUTCOME[kind], (row, kind)
        repo = Path(row["repo"])
        if kind == "acme-v1":
            owners = git(repo, "show", f"{branch}:CODEOWNERS")
            assert "@acme/ml-reviewers" in owners
            assert "Team note." in git(repo, "show", f"{branch}:README.md")
        if kind == "acme-v1-conflict":  # prepared with git's markers, for the team to resolve
            assert row["conflicts"] == ["CODEOWNERS"] and "upgrade --continue" in row["next"]
            assert "<<<<<<< " in git(repo, "show", f"{branch}:CODEOWNERS")
            assert "CODEOWNERS" in git(repo, "log", "-1", "--format=%B", branch)
        elif row["outcome"] != "prepared" and kind != "not-a-repo":
            assert git(repo, "branch", "--list", branch) == ""
    # The teams' branches, indexes and files are exactly as they were.
    for name, snap in before.items():
        after = snapshot(fleet / name)
        assert after["files"] == snap["files"] and after["status"] == snap["status"], name
        assert after["index"] == snap["index"] and after["head"] == snap["head"], name
        main_before = [r for r in snap["refs"].splitlines() if r.startswith("refs/heads/main ")]
        main_after = [r for r in after["refs"].splitlines() if r.startswith("refs/heads/main ")]
        assert main_before == main_after, name
    # The team resolves the conflicted branch in review and finishes the upgrade on it.
    (conflicted,) = [fleet / n for n, k in kinds.items() if k == "acme-v1-conflict"][:1]
    git(conflicted, "checkout", "--quiet", branch)
    owners = conflicted / "CODEOWNERS"
    owners.write_text("".join(
        line for line in owners.read_text().splitlines(keepends=True)
        if not line.startswith(("<<<<<<< ", "=======", ">>>>>>> "))
    ))  # fmt: skip
    git(conflicted, *USER, "commit", "--quiet", "-am", "Resolve the upgrade's conflicts")
    finished = run_cli("upgrade", conflicted, "--continue")
    assert finished.exit_code == 0, finished.stderr
    assert git(conflicted, "status", "--porcelain") == ""
    assert "version: '2'" in (conflicted / ".mlops-scaffold.yml").read_text()
    git(conflicted, "checkout", "--quiet", "main")
    again = run_cli("fleet", "upgrade", "--dir", fleet, "--branch", branch, "--config", config)
    assert all(
        json.loads(line)["outcome"] in ("refused", "up-to-date", "conflicts")
        for line in again.stdout.splitlines()
    )
    return elapsed


def test_fleet_status_and_upgrade_give_the_right_row_for_each_kind(run_cli, tmp_path):
    run_fleet(run_cli, tmp_path, count=9)


@pytest.mark.e2e
def test_fleet_of_54_repositories(run_cli, tmp_path):
    """The issue's proof: ≥ 50 repositories of mixed levels and releases."""
    elapsed = run_fleet(run_cli, tmp_path, count=54)
    print(f"fleet status over 54 repositories: {elapsed:.1f} s ({54 / elapsed * 60:.0f}/min)")


def test_a_bad_list_is_one_line(run_cli, tmp_path):
    missing = run_cli("fleet", "status", "--repos-file", tmp_path / "nope.txt")
    assert missing.exit_code == 1 and "repos file" in missing.stderr
    both = run_cli("fleet", "status")
    assert both.exit_code == 1 and "either --repos-file FILE or --dir FOLDER" in both.stderr
    bad = run_cli("fleet", "upgrade", "--dir", tmp_path, "--branch", "a..b")
    assert bad.exit_code == 1 and "not a plain branch name" in bad.stderr


def test_fleet_over_clone_urls_pushes_the_upgrade_branch(run_cli, tmp_path):
    """Repositories named by clone URL: cloned for the run, the branch pushed to origin."""
    from tests.fleet.fleet_repos import build_kind
    from tests.overlays.acme import acme_repo

    _, url = acme_repo(tmp_path)
    work = build_kind("acme-v1", tmp_path, url)
    origin = tmp_path / "origin.git"
    git(tmp_path, "clone", "--quiet", "--bare", str(work), str(origin))
    repos = tmp_path / "repos.txt"
    repos.write_text(f"# the fleet\nfile://{origin}\n")
    config = allow_acme(tmp_path)
    status = run_cli("fleet", "status", "--repos-file", repos, "--config", config)
    assert status.exit_code == 0, status.stderr
    [row] = [json.loads(line) for line in status.stdout.splitlines()]
    assert row["repo"] == f"file://{origin}" and row["upgrade_due"]
    assert row["dry_run"]["outcome"] == "clean"
    refused = run_cli("fleet", "upgrade", "--repos-file", repos, "--branch", "up", "--config",
                      config)  # fmt: skip
    assert refused.exit_code == 1 and "pass --push" in refused.stdout
    pushed = run_cli("fleet", "upgrade", "--repos-file", repos, "--branch", "up", "--push",
                     "--config", config)  # fmt: skip
    assert pushed.exit_code == 0, pushed.stdout + pushed.stderr
    assert json.loads(pushed.stdout)["outcome"] == "prepared"
    assert "@acme/ml-reviewers" in git(origin, "show", "up:CODEOWNERS")
    assert git(origin, "rev-parse", "main") == git(work, "rev-parse", "main")

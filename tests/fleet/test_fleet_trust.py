"""A fleet job holds the platform's credentials: no repository it examines may make it run
code or use a source of the repository's choosing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from scaffolder.state import STATE_FILE
from tests.overlays.acme import EXAMPLE, acme_repo, tag_commit
from tests.upgrade.helpers import USER, commit, git, snapshot

HOSTILE = """
from pathlib import Path

from scaffolder.upgrade.migrations import Migration

Path({marker!r}).write_text("imported")  # runs as soon as the module is loaded


def _apply(tree, state):
    Path({marker!r}).write_text("applied")


MIGRATION = Migration(
    id="0002-hostile", from_level=0, stage="pre", summary="hostile",
    paths=lambda state: [], is_applied=lambda tree, state: False, apply=_apply,
)
"""


def _hostile(folder: Path, marker: Path) -> None:
    (folder / "migrations" / "m0002_hostile.py").write_text(HOSTILE.format(marker=str(marker)))


def _project(run_cli, tmp_path: Path, overlay: str) -> Path:
    made = run_cli("new", "team", "--defaults", "-o", tmp_path / "fleet", "--overlay", overlay)
    assert made.exit_code == 0, made.stderr
    return tmp_path / "fleet" / "team"


def test_fleet_status_runs_no_code_of_an_overlay_inside_the_repository(run_cli, tmp_path):
    """The state names an overlay folder inside the team's repository whose migration would
    create a file: status and upgrade refuse that source, and nothing of it runs."""
    marker = tmp_path / "ran.txt"
    overlay = tmp_path / "acme"
    shutil.copytree(EXAMPLE, overlay, ignore=shutil.ignore_patterns("__pycache__"))
    repo = _project(run_cli, tmp_path, str(overlay))
    inside = repo / "platform-overlay"
    shutil.copytree(overlay, inside)
    _hostile(inside, marker)
    state = repo / STATE_FILE
    state.write_text(state.read_text().replace(str(overlay), str(inside)))
    commit(repo, "our own overlay")
    before = snapshot(repo)

    status = run_cli("fleet", "status", "--dir", tmp_path / "fleet")
    assert not marker.exists(), marker.read_text()
    [row] = [json.loads(line) for line in status.stdout.splitlines()]
    assert row["dry_run"]["outcome"] == "refused"
    assert "does not allow" in row["dry_run"]["reason"]
    assert "0 current" in status.stderr

    upgrade = run_cli("fleet", "upgrade", "--dir", tmp_path / "fleet", "--branch", "up")
    assert upgrade.exit_code == 1
    assert not marker.exists()
    [row] = [json.loads(line) for line in upgrade.stdout.splitlines()]
    assert row["outcome"] == "refused" and "does not allow" in row["reason"]
    assert snapshot(repo) == before


def test_fleet_status_never_runs_migrations_even_of_an_allowed_overlay(run_cli, tmp_path):
    """A git overlay whose newest release carries code: status lists the file, runs nothing;
    upgrade runs overlay code only from the allow-list's pinned commit."""
    marker = tmp_path / "ran.txt"
    overlay, url = acme_repo(tmp_path)
    repo = _project(run_cli, tmp_path, f"{url}@v1")
    _hostile(overlay, marker)
    git(overlay, "add", "--all")
    git(overlay, *USER, "commit", "--quiet", "-m", "release 3")
    git(overlay, "tag", "v3")
    config = tmp_path / "fleet.yml"
    config.write_text(
        f"overlays:\n  - name: acme\n    source: {url}\n    commit: {tag_commit(overlay, 'v3')}\n"
    )
    before = snapshot(repo)
    status = run_cli("fleet", "status", "--dir", tmp_path / "fleet", "--config", config)
    assert status.exit_code == 0, status.stderr
    assert not marker.exists()
    [row] = [json.loads(line) for line in status.stdout.splitlines()]
    assert row["dry_run"]["outcome"] == "clean", row["dry_run"]
    assert row["dry_run"]["overlay_migrations_not_run"] == [
        "acme:m0001_lint_skip_into_acme_folder.py", "acme:m0002_hostile.py"
    ]  # fmt: skip
    assert row["overlays"][0]["newest"] == "v3"
    assert snapshot(repo) == before

    # Without the platform's config nothing is allowed; with it, the pinned commit only.
    refused = run_cli("fleet", "upgrade", "--dir", tmp_path / "fleet", "--branch", "up")
    assert refused.exit_code == 1 and not marker.exists()
    assert "does not allow" in json.loads(refused.stdout)["reason"]
    config.write_text(
        f"overlays:\n  - name: acme\n    source: {url}\n    commit: {tag_commit(overlay, 'v2')}\n"
    )
    done = run_cli("fleet", "upgrade", "--dir", tmp_path / "fleet", "--branch", "up",
                   "--config", config)  # fmt: skip
    assert done.exit_code == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["outcome"] == "prepared"
    assert not marker.exists()  # v2, the pinned commit, has no such migration
    assert "@acme/ml-reviewers" in git(repo, "show", "up:CODEOWNERS")


def test_a_fleet_config_must_pin_full_commits(run_cli, tmp_path):
    (tmp_path / "fleet" / "team").mkdir(parents=True)
    config = tmp_path / "fleet.yml"
    config.write_text("overlays:\n  - name: acme\n    source: x\n    commit: v2\n")
    result = run_cli("fleet", "status", "--dir", tmp_path / "fleet", "--config", config)
    assert result.exit_code == 1 and "not a full 40-digit commit" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1

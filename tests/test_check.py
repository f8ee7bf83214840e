"""`mlops-scaffold check`, the CI gate: each problem fails it with one line."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from scaffolder.catalog import builtin_catalog as _builtin_catalog
from scaffolder.state import STATE_FILE
from tests.upgrade.helpers import commit, git, new_project

CURRENT = _builtin_catalog().version  # the templates' newest release
# Releases after 0.1.0, read from the changelog's headings (not from the code under test).
RELEASES_AFTER_0_1_0 = sum(
    1
    for line in (Path(__file__).parents[1] / "templates" / "CHANGELOG.md").read_text().splitlines()
    if re.fullmatch(r"## \d+\.\d+\.\d+", line) and line != "## 0.1.0"
)


def test_a_fresh_project_passes(run_cli, tmp_path):
    repo = new_project(tmp_path, level=1)
    result = run_cli("check", repo)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith("ok: level 1 (assessed 1)")
    data = json.loads(run_cli("check", repo, "--format", "json").stdout)
    assert data["ok"] and not data["upgrade_due"] and data["problems"] == []
    assert data["declared_level"] == data["assessed_level"] == 1


def test_below_the_declared_level(run_cli, tmp_path):
    repo = new_project(tmp_path, level=1)
    shutil.rmtree(repo / ".github")
    commit(repo, "drop CI")
    result = run_cli("check", repo)
    assert result.exit_code == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("below-level: assessed at level 0, below the declared level 1")


def test_a_project_behind_the_template_release(run_cli, tmp_path):
    repo = new_project(tmp_path, level=0)
    state = repo / STATE_FILE
    state.write_text(
        state.read_text().replace(f"template_version: {CURRENT}", "template_version: 0.1.0")
    )
    commit(repo, "made by an older release")
    result = run_cli("check", repo, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["upgrade_due"] and [p["code"] for p in data["problems"]] == ["template-behind"]
    assert data["sources"][0] == {
        "name": "mlops-scaffold", "version": "0.1.0", "newest": CURRENT, "behind": RELEASES_AFTER_0_1_0,
        "source": None, "error": None,
    }  # fmt: skip
    assert run_cli("upgrade", repo, "--to", "0").exit_code == 0
    assert run_cli("check", repo).exit_code == 0


def test_a_project_below_the_platforms_runtime_minimum(run_cli, tmp_path):
    repo = new_project(tmp_path, level=1)
    data = json.loads(run_cli("check", repo, "--format", "json").stdout)
    assert data["ok"] and data["runtime"] == data["runtime_minimum"] is not None
    # The platform released a runtime fix and requires it everywhere:
    result = run_cli("check", repo, "--runtime-min", "9.1")
    assert result.exit_code == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(
        f"runtime-behind: mlops-scaffold-runtime is pinned at {data['runtime']} in "
        "constraints.txt, below the platform's minimum 9.1;"
    )
    assert "`mlops-scaffold upgrade --to 1`" in line
    # The team raised the pin (the documented bump): the gate passes again.
    constraints = repo / "constraints.txt"
    constraints.write_text(
        constraints.read_text().replace(f"runtime=={data['runtime']}", "runtime==9.1.0")
    )
    commit(repo, "runtime 9.1.0")
    assert run_cli("check", repo, "--runtime-min", "9.1").exit_code == 0
    bad = run_cli("check", repo, "--runtime-min", "latest")
    assert bad.exit_code == 1 and bad.stderr.strip().count("\n") == 0
    assert "--runtime-min 'latest'" in bad.stderr


def test_a_damaged_state_file(run_cli, tmp_path):
    repo = new_project(tmp_path, level=0)
    state = repo / STATE_FILE
    state.write_text(state.read_text().replace("level: 0", "level: high"))
    result = run_cli("check", repo)
    assert result.exit_code == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("damaged-state:") and "field 'answers.level'" in line


def test_an_unfinished_upgrade(run_cli, tmp_path):
    repo = new_project(tmp_path, level=1)
    config = repo / "config/pipeline.yaml"
    config.write_text(config.read_text().replace("age: [18, 110]", "age: [16, 110]"))
    commit(repo, "our customers start at 16")  # level 2 removes that section: a conflict
    assert run_cli("upgrade", repo, "--to", "2", "--defaults").exit_code == 3
    result = run_cli("check", repo)
    assert result.exit_code == 1
    assert "unfinished-upgrade: an upgrade's merge is in progress" in result.stderr
    assert "(or `mlops-scaffold upgrade --abort`)" in result.stderr
    git(repo, "merge", "--abort")
    backed_out = run_cli("check", repo)
    assert backed_out.exit_code == 1
    assert "upgrade-not-merged: mlops-scaffold/base has a render" in backed_out.stderr
    # Both commands it names work from here: merging the level-2 render again, or going back.
    assert "`mlops-scaffold upgrade --to 2` to merge it" in backed_out.stderr
    assert "or `mlops-scaffold upgrade --abort` to go back" in backed_out.stderr
    assert run_cli("upgrade", repo, "--to", "2", "--defaults").exit_code == 3  # merged again
    assert run_cli("upgrade", repo, "--abort").exit_code == 0
    assert run_cli("check", repo).exit_code == 0


def test_not_a_project(run_cli, tmp_path):
    plain = run_cli("check", tmp_path)
    assert plain.exit_code == 1 and "not-a-repo:" in plain.stderr
    git(tmp_path, "init", "--quiet")
    unmanaged = run_cli("check", tmp_path)
    assert unmanaged.exit_code == 1 and "not-managed:" in unmanaged.stderr
    bad = run_cli("check", tmp_path, "--format", "yaml")
    assert bad.exit_code == 1 and "invalid choice: 'yaml'" in bad.stderr

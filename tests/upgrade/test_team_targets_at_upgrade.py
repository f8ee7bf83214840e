"""Issue 25: a make target the template gains later that a team's Makefile already defines.
A project adopted before `test-model` existed, with a `test-model` of its own (the older tool
recorded `team_targets: test`), conflicted on it in the Makefile at `upgrade --to 2`; a target
the team wrote after adopting did the same. Now the upgrade keeps the team's and renders ours
as `mlops-NAME`, and CI runs ours."""

from __future__ import annotations

from pathlib import Path

import yaml

from scaffolder.state import load_state
from scaffolder.upgrade import apply, team_targets
from scaffolder.upgrade.adopt import adopt

from .helpers import commit, git

TEAM_MAKEFILE = """.PHONY: test test-model
test:
\tpython -m pytest tests

# Our model checks
test-model:
\tpython -m pytest tests/model_checks
"""


def team_repo(root: Path) -> Path:
    repo = root / "bikes"
    (repo / "bikes").mkdir(parents=True)
    (repo / "bikes" / "__init__.py").write_text("")
    (repo / "Makefile").write_text(TEAM_MAKEFILE)
    git(root, "init", "--quiet", "-b", "main", str(repo))
    commit(repo, "our package and targets")
    return repo


def test_a_team_test_model_from_before_the_template_had_one_stays_theirs(tmp_path, monkeypatch):
    repo = team_repo(tmp_path)
    with monkeypatch.context() as older:  # the tool before test-model: not a shared name then
        names = tuple(n for n in team_targets.RENAMABLE_TARGETS if n != "test-model")
        older.setattr(team_targets, "RENAMABLE_TARGETS", names)
        adopt(repo, 1, {"orchestrator": "airflow"}, defaults=True, interactive=False)
    assert load_state(repo).answers.team_targets == "test"
    result = apply.upgrade(apply.UpgradeRequest(path=repo, to=2, defaults=True))
    assert result.conflicts == [], result.conflicts
    makefile = (repo / "Makefile").read_text()
    assert "test-model:\n\tpython -m pytest tests/model_checks\n" in makefile  # theirs
    assert "\nmlops-test-model: ## Model tests" in makefile and "\ntest-model: ##" not in makefile
    assert load_state(repo).answers.team_targets == "test test-model"
    jobs = yaml.safe_load((repo / ".github" / "workflows" / "ci.yml").read_text())["jobs"]
    assert jobs["model"]["steps"][-1]["run"] == "make mlops-test-model"


def test_a_target_the_team_wrote_after_adopting_stays_theirs(tmp_path):
    repo = team_repo(tmp_path)
    adopt(repo, 1, {"orchestrator": "airflow"}, defaults=True, interactive=False)
    makefile = repo / "Makefile"
    makefile.write_text(makefile.read_text() + "\nserve:\n\tpython -m bikes.app\n")
    commit(repo, "our own serve")
    result = apply.upgrade(apply.UpgradeRequest(path=repo, to=2, defaults=True))
    assert result.conflicts == [], result.conflicts
    text = makefile.read_text()
    assert "\nserve:\n\tpython -m bikes.app\n" in text and "\nmlops-serve: ## Serve" in text
    assert load_state(repo).answers.team_targets == "test test-model serve"

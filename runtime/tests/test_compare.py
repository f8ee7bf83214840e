"""`python -m mlops_runtime.compare FILE`: how a team's edited copy of a module that moved into the
runtime differs from the runtime's (what `mlops-scaffold upgrade` names for a kept copy)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from mlops_runtime.compare import compare, main, runtime_module


def test_runtime_module_maps_a_project_path_to_the_module_that_replaced_it():
    assert runtime_module("src/churn/monitoring/drift.py") == "mlops_runtime.monitoring.drift"
    assert runtime_module("src/churn/monitoring/drift.py.team-edit") == (
        "mlops_runtime.monitoring.drift")  # fmt: skip
    assert runtime_module("scripts/deploy.py") == "mlops_runtime.cd.deploy"
    assert runtime_module("src/churn/features.py") is None  # the team's own code


def test_compare_shows_the_teams_edit_and_main_refuses_other_files(tmp_path, capsys):
    origin = Path(importlib.util.find_spec("mlops_runtime.monitoring.drift").origin)
    copy = tmp_path / "src" / "churn" / "monitoring" / "drift.py.team-edit"
    copy.parent.mkdir(parents=True)
    copy.write_text(origin.read_text() + "TEAM_THRESHOLD = 0.3\n")
    diff = compare(copy)
    assert diff.startswith("--- mlops_runtime.monitoring.drift (runtime)")
    assert "+TEAM_THRESHOLD = 0.3" in diff and diff.count("\n+") == 2  # the +++ line and the edit
    assert main([str(copy)]) == 0 and "+TEAM_THRESHOLD = 0.3" in capsys.readouterr().out
    copy.write_text(origin.read_text())
    assert main([str(copy)]) == 0
    assert "is the same as the runtime's module" in capsys.readouterr().out
    own = tmp_path / "features.py"
    own.write_text("x = 1\n")
    assert main([str(own)]) == 1
    assert capsys.readouterr().err == f"error: {own} is not a copy of a runtime module\n"

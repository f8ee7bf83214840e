"""Issue 25: `make test-model` in a project adopted around a team's package (level 2) tests the
team's model as config/mlops.yaml connects it -- a class of their own, no scikit-learn estimator
-- and fails, naming the checks, when that model is broken; unwired, it says what to connect.
Run for real with this checkout's venv (mlflow, scikit-learn, the runtime)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from scaffolder.catalog import builtin_catalog
from scaffolder.render import render

VENV = Path(sys.executable).parent.parent

TEAM = """import pandas as pd


def load_hourly() -> pd.DataFrame:
    rows = [(h, d % 7, int(h in (7, 8, 9, 16, 17, 18))) for d in range(20) for h in range(24)]
    return pd.DataFrame(rows, columns=["hr", "weekday", "busy"])


class RushHours:
    def fit(self, features, target):
        share = target.groupby(features["hr"]).mean()
        self.busy_hours = sorted(int(h) for h in share[share > 0.5].index)
        return self

    def predict(self, features):
        return features["hr"].isin(self.busy_hours).astype(int).to_numpy()


def fit(features, target, params):
    return RushHours().fit(features, target)
"""
# A regression of theirs: the busy hours are lost, every hour is predicted quiet.
BROKEN = TEAM.replace("share[share > 0.5]", "share[share > 1.5]")


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("adopted") / "bike-demand"
    answers = {"project_name": "bike-demand", "level": 2, "example": False,
               "package_dir": "bike_demand"}  # fmt: skip
    render(builtin_catalog(), answers, dest)
    (dest / "bike_demand" / "__init__.py").write_text("")
    return dest


def make_test_model(project: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(project)}
    env.pop("MLFLOW_TRACKING_URI", None)
    env.pop("MAKEFLAGS", None)
    return subprocess.run(["make", "--no-print-directory", "test-model", f"VENV={VENV}"],
                          cwd=project, env=env, capture_output=True, text=True, check=False,
                          timeout=300)  # fmt: skip


def test_make_test_model_names_what_to_connect_before_the_wiring(project):
    unwired = make_test_model(project)
    assert unwired.returncode != 0
    assert "5 errors" in unwired.stdout, unwired.stdout
    assert (
        "connect entrypoints.load_data in config/mlops.yaml to your function (module:function)"
    ) in unwired.stdout
    assert "Traceback" not in unwired.stdout


def test_make_test_model_passes_the_teams_model_and_fails_it_broken(project):
    config = project / "config" / "mlops.yaml"
    config.write_text(
        config.read_text()
        .replace("load_data: null", "load_data: bike_demand.team:load_hourly")
        .replace("  train: null", "  train: bike_demand.team:fit")
        .replace("target: null", "target: busy")
        .replace("quality_gate: {}", "quality_gate: {accuracy: 0.9}")
    )
    team = project / "bike_demand" / "team.py"
    team.write_text(TEAM)
    passed = make_test_model(project)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "5 passed" in passed.stdout, passed.stdout
    assert not list(project.glob("mlflow.db")) and not (project / "mlruns").exists()

    team.write_text(BROKEN)
    failed = make_test_model(project)
    assert failed.returncode != 0
    assert "2 failed, 3 passed" in failed.stdout, failed.stdout
    # Each failing check is named with why: no better than always "quiet".
    found = re.search(r"AssertionError: quality_gate: accuracy (0\.\d{4}) < 0\.9\n", failed.stdout)
    assert found, failed.stdout
    assert (
        f"AssertionError: beats_baseline: accuracy {found[1]} not above the trivial baseline's "
        f"{found[1]}\n"
    ) in failed.stdout
    assert "settings = Settings(" not in failed.stdout  # short tracebacks: no fixture dumps


def test_the_target_is_listed_run_by_ci_and_a_team_target_of_that_name_stays_theirs(
    project, tmp_path
):
    import yaml

    shown = subprocess.run(["make", "--no-print-directory", "help", f"VENV={VENV}"], cwd=project,
                           capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert "  test-model " in shown and "MODEL_URI=models:/NAME@ALIAS" in shown
    jobs = yaml.safe_load((project / ".github" / "workflows" / "ci.yml").read_text())["jobs"]
    assert [s.get("run") for s in jobs["model"]["steps"]][-2:] == ["make setup", "make test-model"]
    answers = {"project_name": "bike-demand", "level": 2, "example": False, "ci": "gitlab",
               "package_dir": "bike_demand", "team_targets": "test-model"}  # fmt: skip
    render(builtin_catalog(), answers, tmp_path / "kept")
    makefile = (tmp_path / "kept" / "Makefile").read_text()
    assert "\nmlops-test-model: ## Model tests" in makefile and "\ntest-model:" not in makefile
    gitlab = yaml.safe_load((tmp_path / "kept" / ".gitlab-ci.yml").read_text())
    assert gitlab["model"]["script"] == ["make setup", "make mlops-test-model"]

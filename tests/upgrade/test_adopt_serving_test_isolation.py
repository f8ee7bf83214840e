"""Issue 25: the serving test a project adopted at level 2 receives (tests/test_mlops_serving.py)
runs beside a team's own MLflow fixture -- a session-wide tracking URI of theirs set with
mlflow.set_tracking_uri and a run left active -- uses a store of its own, writes nothing into
the team's store, and gives the team's URI back to the tests after it. Run for real with this
checkout's venv (mlflow, fastapi, the runtime)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from scaffolder.catalog import builtin_catalog
from scaffolder.render import render

VENV = Path(sys.executable).parent.parent

# A team's conftest: their store for the whole session, and a run of theirs left open.
TEAM_CONFTEST = """import mlflow
import pytest

TEAM_URI = "sqlite:///{db}"


@pytest.fixture(scope="session", autouse=True)
def team_store():
    mlflow.set_tracking_uri(TEAM_URI)
    with mlflow.start_run(run_name="team-session"):
        yield
"""
# A test of theirs that runs after the template's and counts on their store.
TEAM_TEST = """import mlflow
from mlflow.tracking import MlflowClient

from conftest import TEAM_URI


def test_our_store_is_still_ours_and_untouched():
    assert mlflow.get_tracking_uri() == TEAM_URI
    assert mlflow.active_run().info.run_name == "team-session"
    assert MlflowClient(TEAM_URI).search_registered_models() == []
"""


def test_the_serving_test_uses_a_store_of_its_own_beside_a_team_mlflow_fixture(tmp_path):
    project = tmp_path / "bike-demand"
    answers = {"project_name": "bike-demand", "level": 2, "example": False,
               "package_dir": "bike_demand"}  # fmt: skip
    render(builtin_catalog(), answers, project)
    (project / "bike_demand" / "__init__.py").write_text("")
    team_db = tmp_path / "team" / "mlflow.db"
    team_db.parent.mkdir()
    (project / "tests" / "conftest.py").write_text(TEAM_CONFTEST.format(db=team_db))
    (project / "tests" / "test_zz_team_store.py").write_text(TEAM_TEST)
    # A team's shell: none of MLflow's variables (an in-process test of ours that called
    # mlflow.set_experiment leaves MLFLOW_EXPERIMENT_ID in this worker's environment).
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    env["PYTHONPATH"] = f"{project}{os.pathsep}{project / 'tests'}"
    result = subprocess.run(
        [VENV / "bin" / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/test_mlops_serving.py", "tests/test_zz_team_store.py"],
        cwd=project, env=env, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "4 passed" in result.stdout, result.stdout  # the template's 3, then the team's
    assert not (project / "mlflow.db").exists() and not (project / "mlruns").exists()

"""Issue 25, for real: a uv-managed package (`[dependency-groups]`, a uv.lock made by the real
`uv lock` and the hashed constraints.txt `uv export` writes) adopted at level 1, then `make
setup` the default way (ENV_MANAGER=uv, a new .venv in the project), the team's own tests,
`make test`, `make train`, `make kfp-run` and `make dag-test` with no hand edit but the wiring
of config/mlops.yaml: WIRING_LINES lines; then `upgrade --to 2`, `make setup`, the level-2
`make test`, `make train`, `make serve` answering `/predict` with their model and `make
test-model` passing that registered version. uv's cache makes the install mostly local; the team's lock is installed first
with its hashes checked."""

from __future__ import annotations

import re
import sys
import time

import pytest
import tomllib

from tests.upgrade.helpers import commit, git

from .conftest import REPO, run
from .test_adopt_team_requirements import latest_version, post
from .test_adopt_uv_lock import uv_venv
from .test_level2 import serve_and_smoke

pytestmark = pytest.mark.e2e

WIRING_LINES = 3  # load_data, train, target

PYPROJECT = """\
[project]
name = "fraud-score"
version = "1.4.0"
requires-python = ">=3.11"
dependencies = ["pandas>=2.2", "scikit-learn>=1.5"]

[dependency-groups]
test = ["pytest>=8", "hypothesis>=6"]
dev = [{include-group = "test"}]

[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"
"""
MODEL = '''"""Our transactions and the model that flags fraud."""

import pandas as pd
from sklearn.linear_model import LogisticRegression


def load_transactions() -> pd.DataFrame:
    rows = [(a, h, int(a > 700 and (h < 6 or h > 22))) for a in range(0, 1000, 25)
            for h in range(24)]
    return pd.DataFrame(rows, columns=["amount", "hour", "fraud"])


def fit(features: pd.DataFrame, target: pd.Series, params: dict) -> LogisticRegression:
    return LogisticRegression(max_iter=1000).fit(features, target)
'''
TEAM_TEST = """from hypothesis import given, strategies as st

from fraud_score.model import load_transactions


@given(st.integers(min_value=0, max_value=5))
def test_rows_are_labelled(row):
    assert load_transactions().iloc[row]["fraud"] in (0, 1)
"""


def test_adopted_uv_project_sets_up_tests_and_trains(tmp_path, runtime_wheels, monkeypatch):
    uv = uv_venv() / "bin" / "uv"
    repo = tmp_path / "fraud-score"
    for path, text in {"pyproject.toml": PYPROJECT, "src/fraud_score/__init__.py": "",
                       "src/fraud_score/model.py": MODEL, "tests/test_model.py": TEAM_TEST,
                       "README.md": "# fraud-score\n"}.items():  # fmt: skip
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(text)
    git(tmp_path, "init", "--quiet", "-b", "main", str(repo))
    run([uv, "lock", "--quiet"], repo)
    run([uv, "export", "--quiet", "--frozen", "--no-emit-project", "--format",
         "requirements-txt", "-o", "constraints.txt"], repo)  # fmt: skip
    commit(repo, "the team's project, locked by uv")
    locked = {p["name"]: p["version"] for p in tomllib.loads((repo / "uv.lock").read_text())
              ["package"]}  # fmt: skip
    run([sys.executable, "-m", "scaffolder", "adopt", repo, "--level", "1", "--orchestrator",
         "both", "--defaults"], REPO)  # fmt: skip
    # uv on PATH (nothing else of that venv), the rest as a team's shell has it.
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "uv").symlink_to(uv)
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.delenv("PIP_CONSTRAINT", raising=False)
    env = {"PATH": f"{tools}:/usr/local/bin:/usr/bin:/bin"}
    setup = run(["make", "setup"], repo, env)
    assert "installing your hashed pins first (--require-hashes)" in setup.stdout
    shown = run([repo / ".venv/bin/python", "-c", "import importlib.metadata as m; print(*(m."
                 "version(n) for n in ('scikit-learn', 'pandas', 'hypothesis')))"],
                repo)  # fmt: skip
    assert shown.stdout.split() == [locked[n] for n in ("scikit-learn", "pandas", "hypothesis")]
    dateutil = locked["python-dateutil"]
    if int(dateutil.split(".")[0]) >= 3:  # the lock's pick, which MLflow's graphene excludes:
        # a pin the team never chose, left to the resolver and named
        assert f"than your lock's python-dateutil=={dateutil}" in setup.stdout, setup.stdout
    run([repo / ".venv/bin/python", "-m", "pytest", "-q", "tests/test_model.py"], repo, env)
    tested = run(["make", "test"], repo, env)
    assert " passed" in tested.stdout
    config = repo / "config" / "mlops.yaml"
    config.write_text(
        config.read_text()
        .replace("load_data: null", "load_data: fraud_score.model:load_transactions")
        .replace("  train: null", "  train: fraud_score.model:fit")
        .replace("target: null", "target: fraud")
    )
    diff = run(["git", "diff", "-U0", "config/mlops.yaml"], repo).stdout.splitlines()
    assert len([x for x in diff if x.startswith("+") and not x.startswith("+++")]) == WIRING_LINES
    trained = run(["make", "train"], repo, env)
    assert "'registered': True" in trained.stdout, trained.stdout
    # The same functions as a Kubeflow pipeline, run locally (kfp.local, no cluster).
    pipeline = run(["make", "kfp-run"], repo, env)
    assert "pipeline fraud-score-training: run success" in pipeline.stdout, pipeline.stdout
    assert re.search(r"^  register-op +success", pipeline.stdout, re.M), pipeline.stdout
    # And as an Airflow DAG, run once in-process: a third version.
    dag = run(["make", "dag-test"], repo, env)
    assert "DAG fraud_score_training: run success" in dag.stdout, dag.stdout
    assert re.search(r"^  register +success", dag.stdout, re.M), dag.stdout
    assert latest_version(repo, repo / ".venv", "fraud-score-model") == 3

    # Level 2: their hashed constraints.txt stays theirs (the tested pins are on the base
    # branch), setup installs the serving stack beside their lock, the level-2 tests pass.
    commit(repo, "wired")
    upgraded = run([sys.executable, "-m", "scaffolder", "upgrade", repo, "--to", "2",
                    "--defaults"], REPO)  # fmt: skip
    assert "note: constraints.txt: kept your whole file" in upgraded.stderr, upgraded.stderr
    assert "--hash=sha256:" in (repo / "constraints.txt").read_text()
    run(["make", "setup"], repo, env)
    tested = run(["make", "test"], repo, env)
    assert "test_mlops_serving.py" in tested.stdout and " passed" in tested.stdout
    trained = run(["make", "train"], repo, env)
    assert "'registered': True" in trained.stdout, trained.stdout
    serve_and_smoke(repo, repo / ".venv", check_fraud)
    # Their model's tests on the version serving loads (4, @candidate), as CI's model job runs.
    started = time.perf_counter()
    uri = {"MODEL_URI": "models:/fraud-score-model@candidate"}
    tested = run(["make", "test-model"], repo, {**env, **uri})
    assert "5 passed" in tested.stdout, tested.stdout
    print(f"make test-model: {time.perf_counter() - started:.1f} s")


def check_fraud(base_url: str) -> None:
    """Their LogisticRegression, version 4, through the serving app."""
    rows = [{"amount": 950, "hour": 2}, {"amount": 50, "hour": 12}]
    status, body = post(f"{base_url}/predict", {"rows": rows})
    assert status == 200, body
    assert [p["label"] for p in body["predictions"]] == [1, 0], body
    assert body["model_name"] == "fraud-score-model" and body["model_version"] == "4", body

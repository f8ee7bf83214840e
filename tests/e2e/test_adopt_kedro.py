"""Issue 25, for real: a uv-managed Kedro starter project (`dynamic = ["version"]` read from
the package, its own pins in requirements.txt, `scikit-learn~=1.5.1` that the tested 1.9.1 does
not satisfy, a uv.lock made by the real `uv lock`) adopted at level 1, then `make setup` the
default way (ENV_MANAGER=uv, a new .venv in the project), the team's own tests, `make test`,
`make train`, `make dag-test` and `make kfp-run` (Airflow and Kubeflow run the same nodes) with
no hand edit but the wiring of config/mlops.yaml: WIRING_LINES lines, then `upgrade --to 2`,
`make setup`, the level-2 `make test`, `make train`, `make serve` answering `/predict` and
`make test-model` passing that registered version. uv's cache makes the install mostly local; the lock is
installed first with its hashes checked, and the pins the team's packages refuse (Kedro 0.19:
click<8.2, which the tested gto's click>=8.2 clashes with) are left to the resolver.

Hand-written fixture: tests/upgrade/team_projects.py (kedro_project)."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import pytest
import tomllib

from tests.upgrade.helpers import commit
from tests.upgrade.team_projects import kedro_project

from .conftest import REPO, run
from .test_adopt_team_requirements import latest_version, post
from .test_adopt_uv_lock import uv_venv
from .test_level2 import serve_and_smoke

pytestmark = pytest.mark.e2e

WIRING_LINES = 3  # load_data, train, target

NODES = '''"""Our nodes: the shuttles table and the model that says which ones are booked."""

import pandas as pd
from kedro.pipeline import Pipeline, node
from sklearn.linear_model import LogisticRegression


def load_shuttles() -> pd.DataFrame:
    rows = [(p, c, int(p * 2 + c > 9)) for p in range(1, 9) for c in range(0, 6) for _ in range(3)]
    return pd.DataFrame(rows, columns=["passengers", "crew", "booked"])


def train_model(features: pd.DataFrame, target: pd.Series, params: dict) -> LogisticRegression:
    return LogisticRegression(max_iter=500).fit(features, target)


def create_pipeline() -> Pipeline:
    return Pipeline([node(load_shuttles, inputs=None, outputs="shuttles")])
'''
TEAM_TEST = """from spaceflights.pipelines.nodes import create_pipeline, load_shuttles


def test_the_pipeline_has_our_node():
    assert [n.name for n in create_pipeline().nodes] == ["load_shuttles(None) -> [shuttles]"]
    assert set(load_shuttles()["booked"]) == {0, 1}
"""


def test_adopted_kedro_project_sets_up_tests_and_trains(tmp_path, runtime_wheels, monkeypatch):
    uv = uv_venv() / "bin" / "uv"
    repo = kedro_project(tmp_path)
    (repo / "src" / "spaceflights" / "pipelines" / "nodes.py").write_text(NODES)
    (repo / "tests").mkdir()
    (repo / "tests" / "test_nodes.py").write_text(TEAM_TEST)
    run([uv, "lock", "--quiet"], repo)
    commit(repo, "our nodes and their test, locked by uv")
    adopted = subprocess.run(
        [sys.executable, "-m", "scaffolder", "adopt", str(repo), "--level", "1",
         "--orchestrator", "both", "--defaults"],
        capture_output=True, text=True, check=False, cwd=REPO,
    )  # fmt: skip
    assert adopted.returncode == 0, adopted.stderr
    project = tomllib.loads((repo / "pyproject.toml").read_text())["project"]
    assert "version" not in project and project["dynamic"] == ["version"]  # stays dynamic
    # uv on PATH (nothing else of that venv), the rest as a team's shell has it.
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "uv").symlink_to(uv)
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)  # the project's own store
    monkeypatch.delenv("PIP_CONSTRAINT", raising=False)
    env = {"PATH": f"{tools}:/usr/local/bin:/usr/bin:/bin"}
    python = repo / ".venv" / "bin" / "python"

    def make(target: str) -> subprocess.CompletedProcess:
        return run(["make", target], repo, env)

    setup = make("setup")
    assert "installing your hashed pins first (--require-hashes)" in setup.stdout
    # Pins their packages' own requirements exclude (Kedro 0.19: importlib-metadata<9, and
    # click<8.2 against the tested gto's click>=8.2; kedro-datasets' pandas extra: pandas<3)
    # are left to the resolver, each named.
    relaxed = " ".join(x for x in setup.stdout.splitlines() if "left to the resolver" in x)
    assert "gto==" in relaxed and "pandas==" in relaxed, setup.stdout
    versions = run([python, "-c", "import importlib.metadata as m, spaceflights; "
                    "print(m.version('scikit-learn'), m.version('spaceflights'))"],
                   repo)  # fmt: skip
    sklearn, own_version = versions.stdout.split()
    assert sklearn.startswith("1.5.") and own_version == "0.1"  # their pin; their dynamic version
    # Their own test, then the template's.
    run([python, "-m", "pytest", "-q", "tests/test_nodes.py"], repo, env)
    tested = make("test")
    assert " passed" in tested.stdout
    config = repo / "config" / "mlops.yaml"
    config.write_text(
        config.read_text()
        .replace("load_data: null", "load_data: spaceflights.pipelines.nodes:load_shuttles")
        .replace("  train: null", "  train: spaceflights.pipelines.nodes:train_model")
        .replace("target: null", "target: booked")
    )
    diff = run(["git", "diff", "-U0", "config/mlops.yaml"], repo).stdout.splitlines()
    changed = [x for x in diff if x.startswith("+") and not x.startswith("+++")]
    assert len(changed) == WIRING_LINES
    trained = make("train")
    assert "'registered': True" in trained.stdout, trained.stdout
    # The model registered is the one their scikit-learn 1.5 fitted.
    shown = run([python, "-c", "import mlflow; print(type(mlflow.sklearn.load_model("
                 "'models:/spaceflights-model/1')).__name__)"],
                repo, {"MLFLOW_TRACKING_URI": f"sqlite:///{repo / 'mlflow.db'}"})  # fmt: skip
    assert shown.stdout.split()[-1] == "LogisticRegression"
    # The same nodes as an Airflow DAG, run once in-process: a second version registered.
    dag = make("dag-test")
    assert "DAG spaceflights_training: run success" in dag.stdout, dag.stdout
    assert re.search(r"^  register +success", dag.stdout, re.M), dag.stdout
    assert latest_version(repo, repo / ".venv", "spaceflights-model") == 2
    # And as a Kubeflow pipeline (kfp.local): a third version.
    pipeline = make("kfp-run")
    assert "pipeline spaceflights-training: run success" in pipeline.stdout, pipeline.stdout
    assert re.search(r"^  register-op +success", pipeline.stdout, re.M), pipeline.stdout
    assert latest_version(repo, repo / ".venv", "spaceflights-model") == 3

    # Level 2: setup again (the pins left to the resolver are remembered: no refused install
    # this time) and the level-2 tests, serving included, on their Kedro nodes.
    commit(repo, "wired")
    run([sys.executable, "-m", "scaffolder", "upgrade", repo, "--to", "2", "--defaults"], REPO)
    setup = make("setup")
    assert "left to the resolver as in your last setup: " in setup.stdout, setup.stdout
    assert "trying again" not in setup.stdout, setup.stdout
    tested = make("test")
    assert "test_mlops_serving.py" in tested.stdout and " passed" in tested.stdout
    trained = make("train")
    assert "'registered': True" in trained.stdout, trained.stdout
    serve_and_smoke(repo, repo / ".venv", check_shuttles)
    # Their model's tests on the version serving loads (4, @candidate), as CI's model job runs.
    started = time.perf_counter()
    uri = {"MODEL_URI": "models:/spaceflights-model@candidate"}
    tested = run(["make", "test-model"], repo, {**env, **uri})
    assert "5 passed" in tested.stdout, tested.stdout
    print(f"make test-model: {time.perf_counter() - started:.1f} s")


def check_shuttles(base_url: str) -> None:
    """Their LogisticRegression, version 4, through the serving app."""
    rows = [{"passengers": 8, "crew": 5}, {"passengers": 1, "crew": 0}]
    status, body = post(f"{base_url}/predict", {"rows": rows})
    assert status == 200, body
    assert [p["label"] for p in body["predictions"]] == [1, 0], body
    assert body["model_name"] == "spaceflights-model" and body["model_version"] == "4", body

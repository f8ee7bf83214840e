"""Issue 25, for real: a Kedro starter project (`dynamic = ["version"]` read from the package,
its own pins in requirements.txt, `scikit-learn~=1.5.1` that the tested 1.9.1 does not satisfy)
adopted at level 1, then `make setup`, the team's own tests, `make test` and `make train` with
no hand edit but the wiring of config/mlops.yaml: WIRING_LINES lines.

`make setup` runs in a venv of its own whose base is the shared e2e venv (a .pth line): the
team's scikit-learn 1.5 and Kedro land there, never in the shared venv, and only what the team
adds is downloaded. ENV_MANAGER=pip: pip sees the base's packages as installed (uv would not).

Hand-written fixture: tests/upgrade/team_projects.py (kedro_project)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

from tests.upgrade.helpers import commit
from tests.upgrade.team_projects import kedro_project

from .conftest import run

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


def layered_venv(base: Path, path: Path) -> Path:
    """A venv whose packages come after the shared venv's: installs go to it, the base is read
    (its console scripts get copies here that run this venv's python)."""
    run([sys.executable, "-m", "venv", "--without-pip", path], path.parent)
    site = next(path.glob("lib/python3*/site-packages"))
    (base_site,) = base.glob("lib/python3*/site-packages")
    (site / "zz_shared_e2e_venv.pth").write_text(
        f"import site; site.addsitedir({str(base_site)!r})\n"
    )
    for script in (base / "bin").iterdir():
        if script.is_symlink() or not script.is_file():
            continue
        first, _, rest = script.read_bytes().partition(b"\n")
        if first == f"#!{base / 'bin' / 'python'}".encode():
            target = path / "bin" / script.name
            if not target.exists():
                target.write_bytes(f"#!{path / 'bin' / 'python'}\n".encode() + rest)
                target.chmod(0o755)
    return path


def test_adopted_kedro_project_sets_up_tests_and_trains(tmp_path, venv, monkeypatch):
    repo = kedro_project(tmp_path)
    (repo / "src" / "spaceflights" / "pipelines" / "nodes.py").write_text(NODES)
    (repo / "tests").mkdir()
    (repo / "tests" / "test_nodes.py").write_text(TEAM_TEST)
    commit(repo, "our nodes and their test")
    adopted = subprocess.run(
        [sys.executable, "-m", "scaffolder", "adopt", str(repo), "--level", "1",
         "--orchestrator", "airflow", "--defaults"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert adopted.returncode == 0, adopted.stderr
    project = tomllib.loads((repo / "pyproject.toml").read_text())["project"]
    assert "version" not in project and project["dynamic"] == ["version"]  # stays dynamic
    own = layered_venv(venv, tmp_path / "kedro-venv")
    env = {"PATH": f"{own / 'bin'}{os.pathsep}{os.environ['PATH']}", "ENV_MANAGER": "pip"}

    def make(target: str) -> subprocess.CompletedProcess:
        return run(["make", target, f"VENV={own}"], repo, {**env, "PIP_CONSTRAINT": ""})

    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)  # the project's own store
    setup = make("setup")
    assert "tested pins left to yours: scikit-learn" in setup.stdout  # their direct pin
    # Pins their packages' own requirements exclude (Kedro 0.19: importlib-metadata<9;
    # kedro-datasets' pandas extra: pandas<3) are left to the resolver, each named.
    relaxed = " ".join(x for x in setup.stdout.splitlines() if "left to the resolver" in x)
    assert "importlib-metadata==" in relaxed and "pandas==" in relaxed, setup.stdout
    versions = run([own / "bin/python", "-c", "import importlib.metadata as m, spaceflights; "
                    "print(m.version('scikit-learn'), m.version('spaceflights'))"],
                   repo)  # fmt: skip
    sklearn, own_version = versions.stdout.split()
    assert sklearn.startswith("1.5.") and own_version == "0.1"  # their pin; their dynamic version
    # Their own test, then the template's.
    run([own / "bin/python", "-m", "pytest", "-q", "tests/test_nodes.py"], repo, env)
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
    shown = run([own / "bin/python", "-c", "import mlflow; print(type(mlflow.sklearn.load_model("
                 "'models:/spaceflights-model/1')).__name__)"],
                repo, {"MLFLOW_TRACKING_URI": f"sqlite:///{repo / 'mlflow.db'}"})  # fmt: skip
    assert shown.stdout.split()[-1] == "LogisticRegression"

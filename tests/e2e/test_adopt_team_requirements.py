"""Issue 25, for real: a cookiecutter-data-science v2 project whose dependencies live only in
requirements.txt (its package imports loguru), whose Makefile has its own `test` and `help`,
and whose model is a class of its own (no scikit-learn estimator), adopted at level 1 and then
`make setup`, `make test`, `make train`, `make dag-test` and `make kfp-run` (Airflow and
Kubeflow run the same functions, each registering a version) with no hand edit but the wiring
of config/mlops.yaml: WIRING_LINES lines, written below. Then `upgrade --to 2`, `make setup`,
`make train` and `make serve`: the serving app answers `/predict` with that class's predictions
(through the pyfunc wrapper it was registered with), and the project's smoke test passes; `make
test-model` passes that registered version (MODEL_URI), and fails -- naming the quality gate and
the trivial baseline -- once a regression of theirs makes the class predict no busy hour.

Hand-written fixture: tests/upgrade/team_projects.py (ccds_project)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.upgrade.helpers import commit
from tests.upgrade.team_projects import ccds_project

from .conftest import make, run
from .test_generated_projects import check_workflows
from .test_level2 import serve_and_smoke

pytestmark = pytest.mark.e2e

WIRING_LINES = 3  # load_data, train, target: what the team writes in config/mlops.yaml

DATASET = '''import pandas as pd

from bike_demand.config import PROJ_ROOT


def load_hourly() -> pd.DataFrame:
    """Hourly rentals; `busy` is 1 when more than 150 bikes were rented."""
    rows = [(h, (h * 7 % 10) / 10, 40 + 260 * (h in (7, 8, 9, 16, 17, 18)) + d * 3)
            for d in range(30) for h in range(24)]
    frame = pd.DataFrame(rows, columns=["hr", "temp", "cnt"])
    frame["busy"] = (frame.pop("cnt") > 150).astype(int)
    return frame
'''
MODEL = '''class RushHours:
    """Our model: the hours that were mostly busy in training are busy."""

    def fit(self, features, target):
        share = target.groupby(features["hr"]).mean()
        self.busy_hours = sorted(int(h) for h in share[share > 0.5].index)
        return self

    def predict(self, features):
        return features["hr"].isin(self.busy_hours).astype(int).to_numpy()


def fit(features, target, params):
    return RushHours().fit(features, target)


def describe(features, target, params):
    return {"hours": "not a model"}
'''


def test_adopted_ccds_project_sets_up_tests_and_trains_its_own_model(tmp_path, venv):
    repo = ccds_project(tmp_path)
    (repo / "bike_demand" / "dataset.py").write_text(DATASET)
    (repo / "bike_demand" / "modeling" / "train.py").write_text(MODEL)
    commit(repo, "our data and model")
    adopted = subprocess.run(
        [sys.executable, "-m", "scaffolder", "adopt", str(repo), "--level", "1",
         "--orchestrator", "both", "--defaults"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert adopted.returncode == 0, adopted.stderr
    assert "mlops-scaffold check --wiring" in adopted.stderr
    # requirements.txt is what make setup installs: the package imports loguru.
    setup = make(repo, "setup", venv)
    assert "setup: your requirements:" in setup.stdout
    run([venv / "bin/python", "-c", "import bike_demand, loguru, typer, tqdm, dotenv"], repo)
    # Their `test` target, run with the project's venv (their recipe says `python -m pytest`).
    tested = make(repo, "test", venv)
    assert " passed" in tested.stdout
    listed = make(repo, "help", venv).stdout
    assert "  mlops-test" in listed and "  test                 Run the unit tests" in listed
    # The wiring: WIRING_LINES lines of config/mlops.yaml, first with a train that returns
    # no model -- one line says what to return.
    config = repo / "config" / "mlops.yaml"
    wired = (
        config.read_text()
        .replace("load_data: null", "load_data: bike_demand.dataset:load_hourly")
        .replace("  train: null", "  train: bike_demand.modeling.train:describe")
        .replace("target: null", "target: busy")
    )
    config.write_text(wired)
    changed = [
        line
        for line in subprocess.run(
            ["git", "diff", "-U0", "config/mlops.yaml"],
            cwd=repo,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
        if line.startswith("+") and not line.startswith("+++")
    ]
    assert len(changed) == WIRING_LINES
    failed = subprocess.run(["make", "train", f"VENV={venv}"], cwd=repo, capture_output=True,
                            text=True, check=False)  # fmt: skip
    assert failed.returncode != 0
    assert [x for x in failed.stderr.splitlines() if x.startswith("error:")] == [
        "error: entrypoints.train in config/mlops.yaml returned a dict, which has no "
        "predict(features); return the fitted model (an object whose predict takes the "
        "features DataFrame)"
    ], failed.stderr
    config.write_text(wired.replace("train:describe", "train:fit"))
    checked = subprocess.run([sys.executable, "-m", "scaffolder", "check", "--wiring", str(repo)],
                             capture_output=True, text=True, check=False)  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    trained = make(repo, "train", venv)
    assert "'registered': True" in trained.stdout  # their own class, through the pyfunc wrapper
    loaded = run([venv / "bin/python", "-c",
                  "import mlflow, pandas as pd; m = mlflow.pyfunc.load_model("
                  "'models:/bike_demand-model/1'); print(list(m.predict(pd.DataFrame("
                  "{'hr': [8, 3], 'temp': [0.3, 0.1]}))))"],
                 repo, {"MLFLOW_TRACKING_URI": f"sqlite:///{repo / 'mlflow.db'}"})  # fmt: skip
    assert loaded.stdout.strip().endswith("[1, 0]") or "[np.int64(1), np.int64(0)]" in loaded.stdout
    # The same functions as an Airflow DAG and a Kubeflow pipeline (kfp.local), run once each:
    # versions 2 and 3 of their class.
    dag = make(repo, "dag-test", venv)
    assert "DAG bike_demand_training: run success" in dag.stdout, dag.stdout
    assert re.search(r"^  register +success", dag.stdout, re.M), dag.stdout
    pipeline = make(repo, "kfp-run", venv)
    assert "pipeline bike-demand-training: run success" in pipeline.stdout, pipeline.stdout
    assert re.search(r"^  register-op +success", pipeline.stdout, re.M), pipeline.stdout
    assert latest_version(repo, venv, "bike_demand-model") == 3

    # Level 2: the same class served by the real serving app.
    commit(repo, "wired")
    upgraded = subprocess.run(
        [sys.executable, "-m", "scaffolder", "upgrade", str(repo), "--to", "2", "--defaults"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert upgraded.returncode == 0, upgraded.stderr
    check_workflows(repo, venv, "github")  # CI with the model job running make test-model
    make(repo, "setup", venv)
    trained = make(repo, "train", venv)
    assert "'registered': True" in trained.stdout
    serve_and_smoke(repo, venv, check_rush_hours)
    # Their model's tests: version 4 as serving loads it (their class out of the pyfunc
    # wrapper), with a quality floor of theirs; then a regression of theirs is caught.
    started = time.perf_counter()
    config.write_text(
        config.read_text().replace("quality_gate: {}", "quality_gate: {accuracy: 0.9}")
    )
    tested = make(repo, "test-model", venv, MODEL_URI="models:/bike_demand-model@candidate")
    assert "5 passed" in tested.stdout, tested.stdout
    model = repo / "bike_demand" / "modeling" / "train.py"
    model.write_text(MODEL.replace("share[share > 0.5]", "share[share > 1.5]"))
    broken = subprocess.run(["make", "test-model", f"VENV={venv}"], cwd=repo,
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert broken.returncode != 0, broken.stdout
    assert "2 failed, 3 passed" in broken.stdout, broken.stdout
    floor = re.search(r"AssertionError: quality_gate: accuracy (0\.\d{4}) < 0\.9\n", broken.stdout)
    assert floor, broken.stdout
    assert (
        f"AssertionError: beats_baseline: accuracy {floor[1]} not above the trivial baseline's "
        f"{floor[1]}\n"
    ) in broken.stdout
    print(f"make test-model, passing and broken: {time.perf_counter() - started:.1f} s")


def latest_version(repo, python_venv, name: str) -> int:
    """The newest version of `name` in the project's own MLflow store."""
    shown = run([python_venv / "bin/python", "-c", "import mlflow; print(max(int(v.version) for v "
                 f"in mlflow.MlflowClient().search_model_versions(\"name='{name}'\")))"],
                repo, {"MLFLOW_TRACKING_URI": f"sqlite:///{repo / 'mlflow.db'}"})  # fmt: skip
    return int(shown.stdout.split()[-1])


def post(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def check_rush_hours(base_url: str) -> None:
    """RushHours learned that 7-9 and 16-18 are busy: its own predict, through the app."""
    rows = [{"hr": 8, "temp": 0.3}, {"hr": 3, "temp": 0.1}, {"hr": 17, "temp": 0.9}]
    status, body = post(f"{base_url}/predict", {"rows": rows})
    assert status == 200, body
    assert [p["label"] for p in body["predictions"]] == [1, 0, 1], body
    assert body["model_name"] == "bike_demand-model" and body["model_version"] == "4"
    # A row without a column the model was registered with is named, not a 500.
    status, body = post(f"{base_url}/predict", {"rows": [{"temp": 0.3}]})
    assert status == 422 and "hr" in json.dumps(body), body

"""Adopting real repositories around the team's own package, run for real.

A project in the cookiecutter-data-science v2 layout, with a data scientist's edits, is adopted
at level 2: nothing of theirs is lost, no example code is added, `make test` passes, `make
train` first names what to connect, then -- connected in config/mlops.yaml -- runs their
functions and registers their model (aliases `candidate` and, in dev, `champion`), as do `make
dag-test` and `make kfp-run`; `make serve` serves that model, the project's own smoke test
passes against it and so does `make load-test` (config/slo.yaml, a few seconds); the platform's
app explains a row (`explain=true`) and flags one outside the training range, and the champion
move left release notes; promotion moves an alias; `make clean` leaves their data alone and no
tracked path becomes ignored.

The project is tests/e2e/repos/ccds-bike-demand.json: a project in the cookiecutter-data-science
v2 layout, written by hand (ccds clones its template from GitHub, which CI cannot reach). With
MLOPS_SCAFFOLD_CCDS_TEMPLATE set to a local checkout of the ccds template, the test runs the
real `ccds` from PyPI instead (with the fixture's "command") and adopts the project it
generates, after checking that it has the Python modules the hand-written one has.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import CACHE, REPO, make, run
from .mlflow_records import check_adopted_runs
from .test_level2 import check_serving_files, serve_and_smoke

pytestmark = pytest.mark.e2e

FIXTURE = Path(__file__).parent / "repos" / "ccds-bike-demand.json"
USER = ["-c", "user.name=Data Scientist", "-c", "user.email=ds@example.org"]


def git(repo: Path, *args: str) -> str:
    return run(["git", *USER, *args], repo).stdout


def ccds() -> Path:
    """The `ccds` command of cookiecutter-data-science from PyPI, in its own cached venv."""
    import fcntl

    venv = CACHE / "ccds-venv"
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / ".lock-ccds-venv", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (venv / "bin" / "ccds").exists():
            run([sys.executable, "-m", "venv", venv], REPO)
            run([venv / "bin/python", "-m", "pip", "install", "-q",
                 "cookiecutter-data-science>=2.3,<3"], REPO)  # fmt: skip
    return venv / "bin" / "ccds"


def ccds_project(root: Path) -> Path:
    """The project to adopt: the hand-written one from the fixture, or the one the real ccds
    generates when a template checkout is given."""
    recorded = json.loads(FIXTURE.read_text(encoding="utf-8"))
    repo = root / "bike-demand"
    template = os.environ.get("MLOPS_SCAFFOLD_CCDS_TEMPLATE")
    if template:
        run([ccds(), template, *shlex.split(recorded["command"])[2:]], root)
        made = {str(p.relative_to(repo)) for p in repo.rglob("*.py")}
        expected = {p for p in recorded["files"] if p.endswith(".py")}
        assert made == expected, "ccds now generates other Python modules; update the fixture"
        return repo
    for path, text in recorded["files"].items():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(text)
    return repo


def scaffold(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scaffolder", *map(str, args)], cwd=cwd,
        capture_output=True, text=True, check=False,
    )  # fmt: skip


LOAD = '''

def load_hourly(path: Path = RAW_DATA_DIR / "hour.csv") -> pd.DataFrame:
    """Hourly rentals with weather; `busy` is 1 when more than 150 bikes were rented."""
    frame = pd.read_csv(path)
    frame["busy"] = (frame.pop("cnt") > 150).astype(int)
    return frame
'''
FIT = '''

def fit(features, target, params):
    """Our model: scaled weather and hour features, logistic regression."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = make_pipeline(StandardScaler(), LogisticRegression(C=params.get("C", 1.0)))
    return model.fit(features, target)
'''
TEST = """from bike_demand.dataset import load_hourly


def test_load_hourly_labels_busy_hours(tmp_path):
    (tmp_path / "hour.csv").write_text("hr,temp,cnt\\n8,0.3,300\\n3,0.1,12\\n")
    assert load_hourly(tmp_path / "hour.csv")["busy"].tolist() == [1, 0]
"""


def data_scientist_project(root: Path) -> Path:
    repo = ccds_project(root)
    git(root, "init", "-q", "-b", "main", str(repo))
    git(repo, "add", "--all")
    git(repo, "commit", "-qm", "Project in the cookiecutter-data-science v2 layout")
    # A few weeks of work: data loading and a model in their modules, a real test, their
    # dependencies, a notebook, README notes, and the raw data (git-ignored, as in ccds).
    dataset = repo / "bike_demand" / "dataset.py"
    text = dataset.read_text().replace(
        "from pathlib import Path\n", "from pathlib import Path\n\nimport pandas as pd\n", 1
    )
    dataset.write_text(
        text.replace('\n\nif __name__ == "__main__":', LOAD + '\n\nif __name__ == "__main__":')
    )
    train = repo / "bike_demand" / "modeling" / "train.py"
    train.write_text(
        train.read_text().replace(
            '\n\nif __name__ == "__main__":', FIT + '\n\nif __name__ == "__main__":'
        )
    )
    (repo / "tests" / "test_data.py").write_text(TEST)
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            "dependencies = [\n",
            'dependencies = [\n    "pandas>=2.2",\n    "scikit-learn>=1.5",\n',
            1,
        )
    )
    notebook = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# Explore"]}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}  # fmt: skip
    (repo / "notebooks" / "1.0-ds-explore.ipynb").write_text(json.dumps(notebook, indent=1))
    readme = repo / "README.md"
    readme.write_text(readme.read_text() + "\n## Findings\n\nDemand peaks at 8:00 and 17:00.\n")
    raw = repo / "data" / "raw"
    raw.mkdir(parents=True)
    rows = ["hr,temp,cnt"] + [
        f"{h},{(h * 7 % 10) / 10:.1f},{(40 + 260 * (h in (7, 8, 9, 16, 17, 18))) + d * 3}"
        for d in range(30) for h in range(24)
    ]  # fmt: skip
    (raw / "hour.csv").write_text("\n".join(rows) + "\n")
    git(repo, "add", "--all")
    git(repo, "commit", "-qm", "Load hourly data, a first model, a real test")
    return repo


def check_load_test(repo: Path, venv: Path, url: str) -> None:
    """`make load-test` against the running app for 3 s meets the project's SLO
    (config/slo.yaml: 22 requests/s offered) and writes its report."""
    done = make(repo, "load-test", venv, LOAD_TEST_URL=url, LOAD_TEST_SECONDS="3")
    assert "SLO met; report: build/load-test/load_test.md" in done.stdout, done.stdout
    report = json.loads((repo / "build" / "load-test" / "load_test.json").read_text())
    assert report["passed"] and report["requests"] == 66 and report["errors"] == 0
    assert [o["name"] for o in report["objectives"]] == ["p95_ms", "p99_ms", "error_rate", "rps"]
    figures = [line for line in done.stdout.splitlines() if " requests, " in line]
    print(f"make load-test: {figures}")  # p50/p95/p99 and requests/s, for the log


def check_explanations_and_limits(url: str) -> None:
    """The platform's serving app, by the model's signature: `explain=true` gives each row its
    top contributions against the training baseline the evaluate step logged, and a row far
    outside the training range is flagged out_of_range (the default policy `flag`)."""
    from mlops_runtime.cd.smoke import call, example_row

    row = example_row(url)
    status, body = call(url, "/predict?explain=true&top=3", {"rows": [row]})
    assert status == 200, body
    answer = json.loads(body)
    assert answer["explanation"]["baseline"].startswith("training data"), answer
    (explained,) = answer["predictions"]
    assert len(explained["contributions"]) == min(3, len(row)) and explained["label"] in (0, 1)
    assert {c["feature"] for c in explained["contributions"]} <= set(row)
    numeric = next(
        k for k, v in row.items() if isinstance(v, int | float) and not isinstance(v, bool)
    )
    status, body = call(url, "/predict", {"rows": [{**row, numeric: row[numeric] * 1000 + 1000}]})
    (flagged,) = json.loads(body)["predictions"]
    assert flagged["flags"][:1] == ["out_of_range"] and flagged["ood_score"] > 1, flagged


def test_adopting_a_cookiecutter_data_science_project(tmp_path, venv):
    repo = data_scientist_project(tmp_path)
    tracked = git(repo, "ls-files").split()
    before = {p: (repo / p).read_text() for p in tracked}

    adopted = scaffold("adopt", repo, "--level", "2", "--orchestrator", "both", "--defaults",
                       cwd=tmp_path)  # fmt: skip
    assert adopted.returncode == 0, adopted.stderr
    assert "kept your" in adopted.stderr  # their Makefile targets and pyproject keys stay
    # Nothing of theirs lost: untouched files byte for byte, merged ones keep every line.
    for path, text in before.items():
        now = (repo / path).read_text()
        if path in ("README.md", "pyproject.toml", "Makefile", ".gitignore"):
            assert [line for line in text.splitlines() if line not in now.splitlines()] == []
        else:
            assert now == text, path
    # Around their package: no example code, no second package, the pipeline inside theirs.
    assert not (repo / "src").exists()
    assert (repo / "bike_demand" / "mlops" / "adapter.py").is_file()
    assert not (repo / "bike_demand" / "pipeline").exists()
    assert not (repo / "config" / "data_contract.yaml").exists()  # the example's data only
    assert git(repo, "ls-files", "--cached", "--ignored", "--exclude-standard") == ""

    make(repo, "setup", venv)
    make(repo, "test", venv)
    # Nothing connected yet: one line naming what to connect.
    failed = subprocess.run(["make", "train", f"VENV={venv}"], cwd=repo, capture_output=True,
                            text=True, check=False)  # fmt: skip
    assert failed.returncode != 0
    # (Other stderr lines may come from their package; ours is the one error line.)
    errors = [x for x in failed.stderr.splitlines() if x.startswith("error:")]
    assert errors == [
        "error: connect entrypoints.load_data in config/mlops.yaml to your function "
        "(module:function); its signature is in bike_demand/mlops/adapter.py"
    ], failed.stderr
    metrics = repo / "metrics" / "pipeline.prom"  # what the alert rules watch, failures too
    assert 'mlops_pipeline_last_run_success{pipeline="bike_demand_training"' in metrics.read_text()
    assert "_success{" in metrics.read_text() and "} 0.0" in metrics.read_text()
    # Connected: their functions run in every orchestrator.
    config = repo / "config" / "mlops.yaml"
    config.write_text(
        config.read_text()
        .replace("load_data: null", "load_data: bike_demand.dataset:load_hourly")
        .replace("  train: null", "  train: bike_demand.modeling.train:fit")
        .replace("target: null", "target: busy")
        .replace("quality_gate: {}", "quality_gate: {accuracy: 0.8}")
    )
    trained = make(repo, "train", venv)
    assert "accuracy" in trained.stdout and "'registered': True" in trained.stdout
    assert "'aliases': ['candidate', 'champion']" in trained.stdout  # dev promotes itself
    (notes,) = [p.read_text() for p in (repo / "release_notes").glob("*-champion-v1.md")]
    assert "replaces: nothing (first release)" in notes and "accuracy" in notes
    assert (repo / "mlflow.db").is_file()
    assert 'mlops_model_metric{metric="accuracy"' in metrics.read_text()
    assert "mlops_pipeline_last_success_timestamp_seconds" in metrics.read_text()

    # Their registered model, served: the project's own smoke test against `make serve`.
    def against_the_app(url: str) -> None:
        check_load_test(repo, venv, url)
        check_explanations_and_limits(url)

    serve_and_smoke(repo, venv, against_the_app)
    check_serving_files(repo, venv)
    promoted = run([venv / "bin/python", "scripts/promote_model.py", "--version", "1",
                    "--alias", "production"], repo)  # fmt: skip
    assert promoted.stdout.strip() == "production: none -> 1"
    make(repo, "test", venv)  # the wiring test now imports their functions
    metrics.unlink()
    make(repo, "dag-test", venv)
    assert 'mlops_pipeline_last_run_success{pipeline="bike_demand_training"' in metrics.read_text()
    assert 'mlops_model_metric{metric="accuracy"' in metrics.read_text()  # the DAG's run
    metrics.unlink()
    make(repo, "kfp-run", venv)
    assert 'mlops_model_metric{metric="accuracy"' in metrics.read_text()  # the KFP run's
    check_adopted_runs(repo, venv, "bike_demand")  # what each run left in MLflow
    make(repo, "clean", venv)
    assert (repo / "data" / "raw" / "hour.csv").is_file()
    (repo / "serve.log").unlink()
    status = git(repo, "status", "--porcelain")
    assert status.split() == ["M", "config/mlops.yaml"], status

"""Generate projects of each level and run them for real: their own make targets, their
pipelines on both orchestrators, and the checkers a real CI would run over their files."""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import generate, make, run, timed_make_test, tool
from tests.e2e.mlflow_records import check_orchestrator_runs, check_two_identical_local_runs

pytestmark = pytest.mark.e2e


def champion_version(project: Path, venv: Path) -> str:
    """The registered model version behind alias `champion` in the project's SQLite store."""
    script = (
        "import json, sys\n"
        "from mlflow import MlflowClient\n"
        "client = MlflowClient(tracking_uri=sys.argv[1])\n"
        "found = {m.name: dict(m.aliases) for m in client.search_registered_models()}\n"
        "print(json.dumps(found))\n"
    )
    out = run([venv / "bin/python", "-c", script, f"sqlite:///{project / 'mlflow.db'}"], project)
    aliases = json.loads(out.stdout.strip().splitlines()[-1])
    assert aliases, "no registered model in mlflow.db"
    ((name, by_alias),) = aliases.items()
    assert "champion" in by_alias and "candidate" in by_alias, by_alias
    return str(by_alias["champion"])


def check_workflows(project: Path, venv: Path, ci: str) -> None:
    if ci == "github":
        workflows = sorted((project / ".github" / "workflows").glob("*.yml"))
        assert workflows
        run(
            [
                tool("check-jsonschema", venv),
                "--builtin-schema",
                "vendor.github-workflows",
                *workflows,
            ],
            project,
        )
        # zizmor exits non-zero on any finding it does not suppress; we allow none at all.
        run([tool("zizmor", venv), "--offline", *workflows], project)
    else:
        run(
            [
                tool("check-jsonschema", venv),
                "--builtin-schema",
                "vendor.gitlab-ci",
                project / ".gitlab-ci.yml",
            ],
            project,
        )


def check_infra(project: Path, venv: Path) -> None:
    run([tool("hadolint", venv), "Dockerfile"], project)
    promtool = tool("promtool", venv)
    run([promtool, "check", "rules", "monitoring/prometheus/alerts.yml"], project)
    run([promtool, "test", "rules", "monitoring/prometheus/alerts_test.yml"], project)
    json.loads((project / "monitoring" / "grafana" / "dashboard.json").read_text())


def test_level0_project_runs(tmp_path, venv):
    project = generate(tmp_path, "e2e-manual", "--level", "0")
    make(project, "setup", venv)
    timed_make_test(project, venv, 0)
    make(project, "lint", venv)
    make(project, "train", venv)
    assert (project / "models" / "model.joblib").is_file()
    assert not (project / ".github").exists() and not (project / "dags").exists()


def test_level1_both_orchestrators_github(tmp_path, venv):
    project = generate(
        tmp_path, "e2e-both", "--level", "1", "--orchestrator", "both", "--ci", "github"
    )
    make(project, "setup", venv)
    make(project, "lint", venv)
    fast = timed_make_test(project, venv, 1)  # unit tests only: no pipeline, MLflow, orchestrator
    assert "deselected" not in fast.stdout and "test_pipeline_e2e" not in fast.stdout
    make(project, "test-slow", venv)
    make(project, "train", venv)
    make(project, "train", venv)  # identical: a new version, the champion stays
    local = check_two_identical_local_runs(project, venv, "e2e_both")
    assert (project / "metrics" / "pipeline.prom").read_text().count(
        "mlops_pipeline_last_run_success"
    ) >= 1
    # The orchestrators read the data version the repository records, not the working copy:
    # the .dvc file committed and pushed, the DVC cache wiped (a fresh worker's), and a row
    # appended to the working copy, they still train on what `make train` read.
    trained = local["runs"][0]["tags"]
    assert (trained["lineage.data_state"], trained["lineage.data_read"]) == (
        "uncommitted", "workspace"
    )  # fmt: skip
    data = project / "data" / "raw" / "sample.csv"
    run(["git", "add", f"{data}.dvc", data.parent / ".gitignore"], project)
    run(["git", "-c", "user.name=DS", "-c", "user.email=ds@example.org", "commit", "-qm", "data"],
        project)  # fmt: skip
    data_rev = run(["git", "rev-parse", "HEAD"], project).stdout.strip()
    make(project, "data-push", venv)
    shutil.rmtree(project / ".dvc" / "cache")
    with data.open("a") as working_copy:
        working_copy.write(data.read_text().splitlines()[1] + "\n")
    timings = {}
    started = time.perf_counter()
    dag_test = make(project, "dag-test", venv).stdout
    timings["dag-test"] = time.perf_counter() - started
    assert "DAG e2e_both_training: run success" in dag_test and len(dag_test.splitlines()) < 20
    make(project, "kfp-compile", venv)
    started = time.perf_counter()
    kfp_run = make(project, "kfp-run", venv).stdout
    timings["kfp-run"] = time.perf_counter() - started
    assert "pipeline e2e-both-training: run success" in kfp_run and "executor" not in kfp_run
    print(", ".join(f"make {k} at level 1: {v:.1f} s" for k, v in timings.items()))
    # Each run registered a new version that says where it came from; none moved the champion.
    store = check_orchestrator_runs(project, venv, "e2e_both", ("airflow", "kubeflow"))
    assert champion_version(project, venv) == "1"
    pinned = {
        (r["tags"]["lineage.orchestrator"], r["tags"]["lineage.data_version"])
        + (r["tags"]["lineage.data_state"], r["tags"]["lineage.data_dvc_rev"])
        + (r["tags"]["lineage.data_read"],)
        for r in store["runs"]
        if r["tags"]["lineage.orchestrator"] != "local"
    }
    version = trained["lineage.data_version"]
    assert pinned == {
        ("airflow", version, "committed", data_rev, "pinned"),
        ("kubeflow", version, "committed", data_rev, "pinned"),
    }
    # `make lock` re-pins the constraints from the venv, each pin marked with its Python.
    make(project, "lock", venv, CONSTRAINTS=str(tmp_path / "lock.txt"))
    lock = (tmp_path / "lock.txt").read_text()
    assert re.search(r'^mlflow==[0-9.]+ ; python_version == "3\.\d+"$', lock, re.M), lock[:500]
    assert "e2e-both" not in lock and "e2e_both" not in lock  # the project itself is left out
    check_workflows(project, venv, "github")
    check_infra(project, venv)
    # The project's own pre-commit hooks, installed from PyPI, pass on the fresh project.
    run([tool("pre-commit", venv), "run", "--all-files", "--show-diff-on-failure"], project)


def test_level1_airflow_gitlab(tmp_path, venv):
    project = generate(
        tmp_path, "e2e-airflow", "--level", "1", "--orchestrator", "airflow", "--ci", "gitlab"
    )
    assert not (project / "pipelines").exists()
    make(project, "setup", venv)
    make(project, "test-all", venv)
    make(project, "dag-check", venv)
    make(project, "dag-test", venv)
    champion_version(project, venv)
    check_workflows(project, venv, "gitlab")


def test_level1_kubeflow_github(tmp_path, venv):
    project = generate(
        tmp_path, "e2e-kfp", "--level", "1", "--orchestrator", "kubeflow", "--ci", "github",
        "--data", "python_version=3.10",
    )  # fmt: skip
    assert not (project / "dags").exists()
    make(project, "setup", venv)
    make(project, "test-all", venv)
    make(project, "kfp-compile", venv)
    make(project, "kfp-run", venv)
    champion_version(project, venv)
    check_workflows(project, venv, "github")

"""What a generated project's pipeline leaves in its MLflow store, checked after real runs:
run names that say what ran, the git commit and the orchestrator's run id as tags, the training
data as a dataset input with its digest, the config file as an artifact, signature and input
example on every logged model, version descriptions and tags, and `champion` left alone by an
identical re-run."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.e2e.conftest import run

DUMP = Path(__file__).with_name("mlflow_dump.py")
VERSION_TAGS = (
    "lineage.git_commit",
    "lineage.data_digest",
    "lineage.config_digest",
    "lineage.orchestrator",
    "lineage.pipeline_run_id",
    "lineage.mlflow_run_id",
    "lineage.logged_model_id",
    "metric.roc_auc",
    "metric.accuracy",
    "quality_gate",
    "champion_decision",
)


def mlflow_store(project: Path, venv: Path, package: str) -> dict:
    """Runs, versions and aliases of the project's SQLite store (dumped by the project's venv)."""
    uri = f"sqlite:///{project / 'mlflow.db'}"
    model = f"{project.name}-model"
    out = run([venv / "bin/python", DUMP, uri, f"{package}_training", model], project)
    return json.loads(out.stdout.strip().splitlines()[-1])


def head_commit(project: Path) -> str:
    return run(["git", "rev-parse", "HEAD"], project).stdout.strip()


def _check_run(run_record: dict, pattern: str, commit: str) -> None:
    name, tags = run_record["name"], run_record["tags"]
    assert re.fullmatch(pattern, name), name
    assert tags["lineage.git_commit"].removesuffix("+dirty") == commit, tags
    assert tags["mlflow.source.git.commit"] == commit, tags
    (data,) = run_record["datasets"]
    assert data["context"] == "training" and data["digest"], data
    assert data["digest"] == tags["lineage.data_digest"], (data, tags)
    assert {"config/pipeline.yaml", "config/effective.json"} <= set(run_record["artifacts"])


def _check_version(version: dict, run_record: dict, commit: str) -> None:
    for key in VERSION_TAGS:
        assert version["tags"].get(key), (key, version["tags"])
    assert version["run_id"] == run_record["run_id"] == version["tags"]["lineage.mlflow_run_id"]
    assert version["tags"]["lineage.data_digest"] == run_record["tags"]["lineage.data_digest"]
    assert version["tags"]["quality_gate"] == "passed"
    assert version["signature_inputs"] and version["signature_outputs"], version
    assert version["input_example"].get("type") == "dataframe", version["input_example"]
    for fact in (run_record["name"], commit, version["tags"]["lineage.data_digest"], "roc_auc"):
        assert fact in version["description"], (fact, version["description"])
    assert version["tags"]["champion_decision"] in version["description"]


def check_two_identical_local_runs(project: Path, venv: Path, package: str) -> dict:
    """After `make train` twice on the same code, data and config: both runs and versions say
    what they are, and the second did not take `champion`. Returns the store's dump."""
    store = mlflow_store(project, venv, package)
    commit = head_commit(project)
    runs, versions = store["runs"], store["versions"]
    assert len(runs) == 2 and len(versions) == 2, (len(runs), len(versions))
    pattern = rf"{package}_training-local-manual-\d{{8}}T\d{{6}}Z"
    for run_record, version in zip(runs, versions, strict=True):
        _check_run(run_record, pattern, commit)
        assert run_record["tags"]["lineage.orchestrator"] == "local"
        _check_version(version, run_record, commit)
    assert runs[0]["datasets"][0]["digest"] == runs[1]["datasets"][0]["digest"]
    assert store["aliases"]["champion"] == "1" and store["aliases"]["candidate"] == "2"
    assert versions[0]["tags"]["champion_decision"].startswith("promoted")
    decision = versions[1]["tags"]["champion_decision"]
    assert decision.startswith("not promoted") and "does not beat champion version 1" in decision
    return store


def check_orchestrator_runs(
    project: Path, venv: Path, package: str, orchestrators: tuple[str, ...]
) -> dict:
    """After `make dag-test` / `make kfp-run`: each orchestrator's run is named after it, carries
    the git commit and the orchestrator's own run id, and (same code, data and config as the
    local runs) left `champion` where it was."""
    store = mlflow_store(project, venv, package)
    commit = head_commit(project)
    by_run = {v["run_id"]: v for v in store["versions"]}
    for orchestrator in orchestrators:
        found = [r for r in store["runs"] if r["tags"].get("lineage.orchestrator") == orchestrator]
        assert len(found) == 1, (orchestrator, [r["name"] for r in store["runs"]])
        (run_record,) = found
        pattern = rf"{package}_training-{orchestrator}-manual-\d{{8}}T\d{{6}}Z"
        _check_run(run_record, pattern, commit)
        run_id = run_record["tags"]["lineage.pipeline_run_id"]
        if orchestrator == "airflow":
            assert run_id.startswith("manual__"), run_id  # the DAG run's id
        else:
            assert run_id and run_id not in ("local", "unknown") and "{{" not in run_id, run_id
        version = by_run[run_record["run_id"]]
        _check_version(version, run_record, commit)
        assert version["tags"]["lineage.pipeline_run_id"] == run_id
        assert f"{orchestrator} run {run_id}" in version["description"]
        assert version["tags"]["champion_decision"].startswith("not promoted")
    assert store["aliases"]["champion"] == "1"
    return store


def check_adopted_runs(project: Path, venv: Path, package: str) -> None:
    """After `make train`, `make dag-test` and `make kfp-run` of an adopted team package: one
    run from each, named after it, with the commit, the orchestrator's run id, the team's table
    as a dataset input and config/mlops.yaml; each registered version with its signature, input
    example, description and lineage tags."""
    import yaml

    settings = yaml.safe_load((project / "config" / "mlops.yaml").read_text(encoding="utf-8"))
    uri = f"sqlite:///{project / 'mlflow.db'}"
    names = [settings["experiment"], settings["registered_model_name"]]
    out = run([venv / "bin/python", DUMP, uri, *names], project)
    store = json.loads(out.stdout.strip().splitlines()[-1])
    commit = head_commit(project)
    runs = {r["tags"].get("lineage.orchestrator"): r for r in store["runs"]}
    assert set(runs) == {"local", "airflow", "kubeflow"}, [r["name"] for r in store["runs"]]
    by_run = {v["run_id"]: v for v in store["versions"]}
    for orchestrator, run_record in runs.items():
        assert re.fullmatch(rf"{package}_mlops-{orchestrator}-manual-\d{{8}}T\d{{6}}Z",
                            run_record["name"]), run_record["name"]  # fmt: skip
        tags = run_record["tags"]
        assert tags["lineage.git_commit"] == commit, tags
        (data,) = run_record["datasets"]
        assert data["context"] == "training" and data["digest"] == tags["lineage.data_digest"]
        assert "config/mlops.yaml" in run_record["artifacts"], run_record["artifacts"]
        version = by_run[run_record["run_id"]]
        assert version["signature_inputs"] and version["input_example"].get("type") == "dataframe"
        for key in ("lineage.git_commit", "lineage.data_digest", "lineage.pipeline_run_id",
                    "lineage.mlflow_run_id", "metric.accuracy"):  # fmt: skip
            assert version["tags"].get(key), (key, version["tags"])
        for fact in (run_record["name"], commit, data["digest"], "accuracy"):
            assert fact in version["description"], (fact, version["description"])
    assert runs["airflow"]["tags"]["lineage.pipeline_run_id"].startswith("manual__")
    assert runs["kubeflow"]["tags"]["lineage.pipeline_run_id"] not in ("", "local", "unknown")
    if "champion" in store["aliases"]:  # level 2, dev: the identical re-runs left it alone
        assert store["aliases"]["champion"] == by_run[runs["local"]["run_id"]]["version"]
        for orchestrator in ("airflow", "kubeflow"):
            decision = by_run[runs[orchestrator]["run_id"]]["tags"]["champion_decision"]
            assert decision.startswith("not promoted") and "does not beat" in decision

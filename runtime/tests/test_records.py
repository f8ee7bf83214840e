"""Where a pipeline run comes from, as its MLflow run name and tags say (no MLflow needed)."""

import pandas as pd
import pytest

from mlops_runtime import records

PIPELINE_NAME = "churn_training"
AIRFLOW_RUN = "scheduled__2026-01-05T00:00:00+00:00"


def test_a_local_run(monkeypatch):
    where = records.origin()
    assert where == records.Origin("local", "local", "manual")
    name = records.run_name(PIPELINE_NAME, where, when=86400 + 3661)
    assert name == f"{PIPELINE_NAME}-local-manual-19700102T010101Z"


def test_an_airflow_task_names_its_dag_run_and_trigger(monkeypatch):
    monkeypatch.setenv("AIRFLOW_CTX_DAG_RUN_ID", AIRFLOW_RUN)
    assert records.origin() == records.Origin("airflow", AIRFLOW_RUN, "schedule")
    monkeypatch.setenv("AIRFLOW_CTX_DAG_RUN_ID", "manual__2026-01-05T10:00:00+00:00")
    assert records.origin().trigger == "manual"
    monkeypatch.setenv("PIPELINE_TRIGGER", "drift")  # the orchestrator may say why
    assert records.origin().trigger == "drift"


def test_a_kubeflow_component_names_its_run(monkeypatch):
    monkeypatch.setenv("AIRFLOW_CTX_DAG_RUN_ID", AIRFLOW_RUN)  # an explicit run id wins
    monkeypatch.setenv("PIPELINE_RUN_ID", "6d1c2a8e-kfp")
    monkeypatch.setenv("PIPELINE_ORCHESTRATOR", "kubeflow")
    where = records.origin()
    assert where == records.Origin("kubeflow", "6d1c2a8e-kfp", "manual")
    assert records.run_name(PIPELINE_NAME, where).startswith(f"{PIPELINE_NAME}-kubeflow-manual-")


def test_an_unknown_trigger_is_refused(monkeypatch):
    monkeypatch.setenv("PIPELINE_TRIGGER", "whenever")
    with pytest.raises(ValueError, match="PIPELINE_TRIGGER='whenever'"):
        records.origin()


def test_run_tags_name_the_commit(monkeypatch):
    monkeypatch.setenv("GIT_COMMIT", "0123abcd")
    tags = records.run_tags(records.origin())
    assert tags["lineage.git_commit"] == "0123abcd" == tags["mlflow.source.git.commit"]
    assert tags["lineage.pipeline_run_id"] == "local"
    dirty = records.run_tags(records.origin(), commit="0123abcd+dirty")
    assert dirty["lineage.git_commit"] == "0123abcd+dirty"
    assert dirty["mlflow.source.git.commit"] == "0123abcd"
    assert "mlflow.source.git.commit" not in records.run_tags(records.origin(), commit="unknown")


def test_the_data_digest_covers_every_row():
    df = pd.DataFrame({"x": range(20_000), "y": ["a", "b"] * 10_000})
    changed = df.copy()
    changed.loc[15_000, "y"] = "c"  # beyond the first 10,000 rows MLflow's own digest reads
    assert records.data_digest(df) == records.data_digest(df.copy())
    assert records.data_digest(df) != records.data_digest(changed)
    assert records.data_digest(df) != records.data_digest(df.rename(columns={"y": "z"}))

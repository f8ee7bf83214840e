"""Where a pipeline run comes from, as its MLflow run name and tags say (no MLflow needed)."""

import pandas as pd
import pytest
from mlops_runtime import records
from mlops_runtime.testing import ORIGIN_ENVS

PIPELINE_NAME = "churn_training"
AIRFLOW_RUN = "scheduled__2026-01-05T00:00:00+00:00"


@pytest.fixture(autouse=True)
def _no_origin_from_outside(monkeypatch):
    """Each test sets where its run comes from; nothing from the shell or an earlier test."""
    for name in ORIGIN_ENVS:
        monkeypatch.delenv(name, raising=False)


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


PASSED = {"primary_metric": "roc_auc", "passed": True, "model_tests": {"passed": True}}


def test_the_champion_decision_needs_more_than_the_margin():
    def decide(evaluation, score, champion, **given):
        options = {"min_improvement": 0.01, "model_tests": True, **given}
        return records.champion_decision(evaluation, score, champion, **options)

    assert decide(PASSED, 0.80, None).promote  # the first one always
    assert not decide(PASSED, 0.80, ("3", 0.80)).promote  # an identical re-run
    assert not decide(PASSED, 0.805, ("3", 0.80)).promote  # within the margin
    assert not decide(PASSED, 0.79, ("3", 0.80)).promote
    decided = decide(PASSED, 0.82 + 1e-6, ("3", 0.80))
    assert decided.promote and "champion version 3" in decided.reason
    assert "difference +0.0200" in decided.reason
    failed = decide({**PASSED, "passed": False}, 0.95, ("3", 0.80))
    assert not failed.promote and failed.reason == "not promoted: the quality gate failed"
    untested = decide({**PASSED, "model_tests": {"passed": False}}, 0.95, None)
    assert not untested.promote and "the model tests failed" in untested.reason
    assert decide({**PASSED, "model_tests": None}, 0.95, None, model_tests=False).promote  # level 1
    staging = decide(PASSED, 0.95, None, auto_promote=False, environment="staging")
    assert not staging.promote and "environment staging has auto_promote off" in staging.reason


def test_the_current_champion_and_its_score(tmp_path):
    from mlflow.tracking import MlflowClient

    client = MlflowClient(f"sqlite:///{tmp_path / 'mlflow.db'}")
    assert records.current_champion(client, "m", "roc_auc") is None  # no model at all
    client.create_registered_model("m")
    run = client.create_run(client.create_experiment("e", (tmp_path / "a").as_uri()))
    client.log_metric(run.info.run_id, "roc_auc", 0.75)
    version = client.create_model_version("m", "file:///m", run.info.run_id).version
    client.set_registered_model_alias("m", "champion", version)
    assert records.current_champion(client, "m", "roc_auc") == ("1", 0.75)  # from its run
    client.set_model_version_tag("m", version, "metric.roc_auc", "0.8")
    assert records.current_champion(client, "m", "roc_auc") == ("1", 0.8)  # its tag wins
    assert records.current_champion(client, "m", "f1") is None  # no score


def test_the_pins_name_what_is_installed():
    pins = records.pip_requirements(("pandas", "no-such-distribution"))
    assert pins == [f"pandas=={pd.__version__}"]


def test_a_training_run_logs_its_data_and_config_and_record_version_tags_the_version(
    tmp_path, monkeypatch
):
    from dataclasses import dataclass, field

    import mlflow
    from mlflow.tracking import MlflowClient

    @dataclass
    class Model:
        type: str = "logistic_regression"
        params: dict = field(default_factory=lambda: {"C": 1.0})

    @dataclass
    class Data:
        seed: int = 7
        test_size: float = 0.2

    @dataclass
    class Config:
        model: Model = field(default_factory=Model)
        data: Data = field(default_factory=Data)

    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    # MLflow's global URI for this test only (mlflow.set_tracking_uri would pin it for later ones)
    from mlflow.tracking._tracking_service import utils

    monkeypatch.setattr(utils, "_tracking_uri", uri)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.delenv("MLFLOW_RUN_ID", raising=False)
    mlflow.set_experiment(experiment_id=mlflow.create_experiment("e", (tmp_path / "a").as_uri()))
    config_file = tmp_path / "pipeline.yaml"
    config_file.write_text("model: {type: logistic_regression}\n")
    frame = pd.DataFrame({"x": [1, 2, 3], "churn": [0, 1, 0]})
    with mlflow.start_run(tags={"lineage.git_commit": "0123abcd"}) as run:
        digest = records.log_training_data(frame, "data/raw.csv", "raw", "churn")
        records.log_config(Config(), config_file)
        records.log_config(Config(), tmp_path / "missing.yaml")  # no file: effective only
    client = MlflowClient(uri)
    logged = client.get_run(run.info.run_id)
    assert digest == records.data_digest(frame) == logged.data.tags["lineage.data_digest"]
    assert logged.inputs.dataset_inputs[0].dataset.digest == digest
    artifacts = {a.path for a in client.list_artifacts(run.info.run_id, "config")}
    assert artifacts == {"config/pipeline.yaml", records.EFFECTIVE_CONFIG}
    effective = mlflow.artifacts.load_dict(f"runs:/{run.info.run_id}/{records.EFFECTIVE_CONFIG}")
    assert effective == {"model": {"type": "logistic_regression", "params": {"C": 1.0}},
                         "data": {"seed": 7, "test_size": 0.2}}  # fmt: skip

    client.create_registered_model("m")
    version = client.create_model_version("m", "file:///m", run.info.run_id).version
    decision = records.ChampionDecision(True, "the first version to pass")
    evaluation = {"metrics": {"roc_auc": 0.8}, "passed": True}
    tags = records.record_version(client, "m", version, run.info.run_id, "m-1", evaluation,
                                  Config(), decision)  # fmt: skip
    written = client.get_model_version("m", version)
    assert written.tags["lineage.git_commit"] == "0123abcd" == tags["lineage.git_commit"]
    assert written.tags["metric.roc_auc"] == "0.8"
    assert written.tags[records.DECISION_TAG] == "the first version to pass"
    assert written.tags["lineage.logged_model_id"] == "m-1"
    assert "Holdout metrics: roc_auc 0.8000." in written.description
    assert "Champion: the first version to pass." in written.description

"""A tiny fake project for the runtime's tests: a package with the hooks the runtime calls, its
config files in a project folder, MLflow on SQLite, all under tmp_path. The fixtures are
registered by conftest.py; tests import the helpers (`register`, `LINEAGE`) from here."""

from __future__ import annotations

import itertools

import pytest
from fake_packages import clear_endpoints, forget_package, write_package
from mlops_runtime import Project

_counter = itertools.count()

PROMOTION_POLICY = """\
required_tags: [lineage.git_commit, lineage.data_digest, lineage.pipeline_run_id,
                lineage.logged_model_id, lineage.trigger, lineage.validation]
required_checks: [quality_gate, model_tests]
guarded_aliases: [champion, challenger]
metric_floors: {roc_auc: 0.70, accuracy: 0.65}
max_regression: 0.0
refuse_identical: true
model_card: true
approvals: {prod: 1}
"""

REMEDIATION_POLICY = """\
dry_run: false
key_ttl_hours: 168
default: page
alerts:
  MLDataDrift: retrain
  MLServingErrorRateHigh: rollback
"""

MODULES = {
    "__init__.py": "",
    "config.py": """
        import os
        from types import SimpleNamespace as NS

        def load_config():
            return NS(
                registry=NS(model_name="fake-model", experiment="fake"),
                environment=NS(name=os.environ.get("MLOPS_ENV", "dev")),
                quality_gate=NS(primary_metric="roc_auc"),
            )
    """,
    "tracking.py": """
        import os

        def tracking_uri():
            return os.environ["MLFLOW_TRACKING_URI"]
    """,
    "model_card.py": """
        from mlflow.tracking import MlflowClient

        from .tracking import tracking_uri

        def log_version_card(version, cfg):
            client = MlflowClient(tracking_uri=tracking_uri())
            run_id = client.get_model_version(cfg.registry.model_name, version).run_id
            client.log_text(run_id, "# card of version " + str(version), "model_card.md")
    """,
    "pipeline/__init__.py": "",
    "pipeline/records.py": """
        import os
        from types import SimpleNamespace as NS

        def lineage_tags(run, model_id, cfg):
            tags = run.data.tags
            names = ("git_commit", "data_digest", "orchestrator", "pipeline_run_id", "trigger")
            lineage = {"lineage." + n: tags.get("lineage." + n, "") for n in names}
            lineage["lineage.config_digest"] = tags.get("config_digest", "c1")
            lineage["lineage.mlflow_run_id"] = run.info.run_id
            lineage["lineage.logged_model_id"] = model_id or ""
            return lineage

        def origin():
            return NS(orchestrator="local", run_id=os.environ.get("PIPELINE_RUN_ID", "local"),
                      trigger="manual")
    """,
    "monitoring/__init__.py": "",
    "monitoring/__main__.py": """
        import json, os, sys
        # Records how it was called, so a test sees the receiver's retrain request.
        with open(os.environ["FAKE_RETRAIN_LOG"], "a") as out:
            out.write(json.dumps(sys.argv[1:]) + "\\n")
        print("retrain succeeded: version 9")
    """,
}


@pytest.fixture
def fake_project(tmp_path, monkeypatch) -> Project:
    """A project named `fake` in tmp_path/project with package `fakepkg<n>` on sys.path."""
    package = f"fakepkg{next(_counter)}"
    root = tmp_path / "project"
    clear_endpoints(monkeypatch)
    write_package(tmp_path / "src", package, MODULES, monkeypatch)
    (root / "config").mkdir(parents=True)
    (root / "config" / "promotion_policy.yaml").write_text(PROMOTION_POLICY)
    (root / "config" / "remediation.yaml").write_text(REMEDIATION_POLICY)
    monkeypatch.chdir(root)
    monkeypatch.setenv("MLOPS_PROJECT_ROOT", str(root))
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    monkeypatch.setenv("FAKE_RETRAIN_LOG", str(tmp_path / "retrains.jsonl"))
    # its own simplified record helpers instead of the runtime's (mlops_runtime.records)
    hooks = {"lineage_tags": ".pipeline.records:lineage_tags",
             "pipeline_origin": ".pipeline.records:origin"}  # fmt: skip
    yield Project(name="fake", package=package, hooks=hooks)
    forget_package(package)


LINEAGE = {
    "lineage.git_commit": "0123abc",
    "lineage.data_digest": "d1",
    "lineage.pipeline_run_id": "manual__2026-01-01",
    "lineage.trigger": "manual",
}


def register(
    project: Project,
    *,
    roc_auc: float = 0.80,
    data_digest: str = "d1",
    lineage: bool = True,
) -> str:
    """A model version of the fake project (a run with metrics, tags, and a stand-in model
    artifact), through the runtime's `record_registration` unless `lineage` is False; the
    version number."""
    from mlflow.tracking import MlflowClient
    from mlops_runtime.governance import aliases

    cfg = project.call("load_config")
    client = MlflowClient(tracking_uri=project.call("tracking_uri"))
    name = cfg.registry.model_name
    experiment = client.get_experiment_by_name("fake")
    experiment_id = experiment.experiment_id if experiment else client.create_experiment("fake")
    tags = {**LINEAGE, "lineage.data_digest": data_digest} if lineage else {}
    run = client.create_run(experiment_id, tags=tags)
    client.log_metric(run.info.run_id, "roc_auc", roc_auc)
    client.log_metric(run.info.run_id, "accuracy", 0.75)
    client.log_text(run.info.run_id, "stand-in", "model/MLmodel")
    client.set_terminated(run.info.run_id)
    if not client.search_registered_models(f"name='{name}'"):
        client.create_registered_model(name)
    version = str(
        client.create_model_version(name, f"runs:/{run.info.run_id}/model", run.info.run_id).version
    )
    for check in ("quality_gate", "model_tests"):
        client.set_model_version_tag(name, version, check, "passed")
    if lineage:
        evaluation = {"passed": True, "model_tests": {"passed": True}}
        aliases.record_registration(project, version, f"m-{version}", evaluation, cfg,
                                    promote=False)  # fmt: skip
    return version


@pytest.fixture
def registry_client(fake_project):
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=fake_project.call("tracking_uri"))

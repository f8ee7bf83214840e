"""Every endpoint and storage location of a project, from environment variables, in one place.

Runtime code asks `load_settings(project)` instead of reading the environment itself, so the same
project runs on a laptop (the defaults: files under the project folder, MLflow and the shared state
on SQLite) and on a cluster (object-store URIs, servers, PostgreSQL) with nothing but other
variables:

| variable | default | used for |
|---|---|---|
| `MLFLOW_TRACKING_URI` | the environment's `tracking_uri`, else `sqlite:///<project>/mlflow.db` | tracking, registry |
| `MLOPS_ARTIFACT_ROOT` | `file://<project>/artifacts` | run data, prediction logs, reports (any fsspec URI) |
| `PREDICTION_LOG_URI` | `<artifact root>/predictions` | the prediction log (daily-partitioned Parquet) |
| `FEEDBACK_URI` | `<artifact root>/feedback` | labels that arrive later, keyed by request id |
| `MONITORING_REPORT_URI` | `<artifact root>/monitoring` | drift and decay reports (JSON and Markdown) |
| `MLOPS_STATE_URI` | `sqlite:///<project>/artifacts/state.db` | shared state: storm guards, leases, idempotency keys, audit log (SQLAlchemy URL; PostgreSQL in production) |
| `MONITORING_STATE_DIR` | `<project>/artifacts/monitoring/state` | local files of the storm guards (kept for projects made before `MLOPS_STATE_URI`) |
| `MONITORING_METRICS_DIR` | `<project>/metrics` | `monitoring.prom` and `retrain.prom` (Prometheus text format) |
| `MONITORING_CONFIG` | `config/monitoring.yaml` | thresholds, windows, guards |
| `REMEDIATION_POLICY` | `config/remediation.yaml` | which alert triggers which action |
| `SLO_CONFIG` | `config/slo.yaml` | the serving SLO and the load that tests it (`mlops_runtime.loadtest`) |
| `PROMETHEUS_URL` | `http://127.0.0.1:9090` | the Prometheus that evaluates the alert rules |
| `ALERTMANAGER_URL` | `http://127.0.0.1:9093` | the Alertmanager that calls the remediation receiver |
| `KFP_HOST` | unset | the Kubeflow Pipelines API (recurring runs) |
| `WORKER_ENV_CONFIG` | `config/worker_env.yaml` | the variables and Secrets every KFP component and Airflow worker gets on a cluster (`mlops_runtime.worker_env`) |
| `PAGER_WEBHOOK_URL` | unset | where `page` actions are posted (unset: logged only) |
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .project import Project


def _join(base: str, *parts: str) -> str:
    return "/".join([base.rstrip("/"), *parts])


@dataclass(frozen=True)
class Settings:
    """Where a project's data, state and services are, as the environment says now."""

    project: str
    root: Path
    tracking_uri: str
    artifact_root: str
    prediction_log_uri: str
    feedback_uri: str
    monitoring_report_uri: str
    state_uri: str
    monitoring_state_dir: Path
    monitoring_metrics_dir: Path
    monitoring_config: Path
    remediation_policy: Path
    slo_config: Path
    prometheus_url: str
    alertmanager_url: str
    kfp_host: str | None
    pager_webhook_url: str | None


def slo_config_path(root: Path) -> Path:
    """The serving SLO file: `$SLO_CONFIG` (relative to `root` unless absolute), else
    `root/config/slo.yaml`. Needs no `Project`: CD load-tests staging with the runtime alone."""
    chosen = Path(os.environ.get("SLO_CONFIG") or "config/slo.yaml")
    return chosen if chosen.is_absolute() else root / chosen


def load_settings(project: Project) -> Settings:
    """The project's settings as the environment gives them now (read on every call: cheap,
    never stale)."""
    root = project.root
    env = os.environ.get

    def path(variable: str, default: Path) -> Path:
        chosen = Path(env(variable) or default)
        return chosen if chosen.is_absolute() else root / chosen

    artifact_root = env("MLOPS_ARTIFACT_ROOT") or (root / "artifacts").as_uri()
    return Settings(
        project=project.name,
        root=root,
        tracking_uri=project.call("tracking_uri"),
        artifact_root=artifact_root,
        prediction_log_uri=env("PREDICTION_LOG_URI") or _join(artifact_root, "predictions"),
        feedback_uri=env("FEEDBACK_URI") or _join(artifact_root, "feedback"),
        monitoring_report_uri=env("MONITORING_REPORT_URI") or _join(artifact_root, "monitoring"),
        state_uri=env("MLOPS_STATE_URI") or f"sqlite:///{root / 'artifacts' / 'state.db'}",
        monitoring_state_dir=path("MONITORING_STATE_DIR", Path("artifacts/monitoring/state")),
        monitoring_metrics_dir=path("MONITORING_METRICS_DIR", Path("metrics")),
        monitoring_config=path("MONITORING_CONFIG", Path("config/monitoring.yaml")),
        remediation_policy=path("REMEDIATION_POLICY", Path("config/remediation.yaml")),
        slo_config=slo_config_path(root),
        prometheus_url=env("PROMETHEUS_URL") or "http://127.0.0.1:9090",
        alertmanager_url=env("ALERTMANAGER_URL") or "http://127.0.0.1:9093",
        kfp_host=env("KFP_HOST") or None,
        pager_webhook_url=env("PAGER_WEBHOOK_URL") or None,
    )

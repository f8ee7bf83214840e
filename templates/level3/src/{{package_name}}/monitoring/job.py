"""The drift and decay job: a window of logged predictions in, a decision with its reasons out.

    report = run_monitoring()     # what `make monitor`, the Airflow DAG and the KFP pipeline run

1. read the last `drift.window_hours` of the prediction log, rows of the served model version;
2. compare them with that version's reference profile (drift.py);
3. join the predictions of the last n decay windows with their feedback labels (decay.py);
4. ask the storm guards whether a retrain could start (guards.py);
5. decide: `retrain` (drift or decay, guards allow), `wait` (due, but a guard says not yet),
   `page` (due, but the circuit breaker is open), or `none`;
6. write the report (JSON and Markdown) and the metrics, and return the report.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..config import PROJECT_NAME, PipelineConfig, load_config
from ..settings import Settings, load_settings
from .config import MonitoringConfig, load_monitoring_config
from .decay import detect_decay
from .drift import detect_drift
from .guards import RetrainGuards
from .metrics import write_monitoring_metrics, write_retrain_metrics
from .prediction_log import labelled, read_partitioned
from .report import write_report

HOUR = 3600.0


@dataclass
class Decision:
    retrain: bool
    action: str  # retrain, wait, page or none
    reasons: list[str] = field(default_factory=list)
    blocked_by: list[str] = field(default_factory=list)


def served_model(cfg: PipelineConfig) -> dict[str, Any]:
    """Name, version and registration time of the version behind the environment's alias."""
    from mlflow.tracking import MlflowClient

    from ..registry import champion_info
    from ..tracking import tracking_uri

    info = champion_info(None, cfg)
    version = MlflowClient(tracking_uri=tracking_uri()).get_model_version(info.name, info.version)
    return {
        "name": info.name,
        "version": info.version,
        "alias": info.alias,
        "created_at": (version.creation_timestamp or 0) / 1000.0,
    }


def decide(drift: dict[str, Any], decay: dict[str, Any], blockers: list[str]) -> Decision:
    reasons = []
    if drift["detected"]:
        details = [
            f"{c['column']} ({c['reason']})"
            for c in sorted(drift["columns"], key=lambda c: -c["psi"])
            if c["drifted"]
        ]
        reasons.append("drift: " + "; ".join(details))
    if decay["detected"]:
        reasons.append(
            f"decay: {decay['metric']} under {decay['threshold']} in {decay['violations']} of "
            f"the last {len(decay['windows'])} windows (latest {decay['latest']:.3f})"
        )
    if not reasons:
        return Decision(retrain=False, action="none")
    if blockers:
        breaker = any(b.startswith("circuit breaker") for b in blockers)
        return Decision(False, "page" if breaker else "wait", reasons, blockers)
    return Decision(retrain=True, action="retrain", reasons=reasons)


def _served_rows(logged: pd.DataFrame, model: dict[str, Any]) -> pd.DataFrame:
    """The logged rows the served version scored (a retrained model starts a fresh window)."""
    if len(logged) and "model_version" in logged.columns:
        return logged[logged["model_version"] == str(model["version"])]
    return logged


def run_monitoring(
    now: float | None = None,
    settings: Settings | None = None,
    config: MonitoringConfig | None = None,
    pipeline_config: PipelineConfig | None = None,
    profile: dict[str, Any] | None = None,
    model: dict[str, Any] | None = None,
    write: bool = True,
) -> dict[str, Any]:
    """Run the job once and return its report (a JSON-serialisable dict)."""
    from .profile import profile_for_version

    now = time.time() if now is None else now
    settings = settings or load_settings()
    cfg = config or load_monitoring_config(settings.monitoring_config)
    pipeline_config = pipeline_config or load_config()
    model = model or served_model(pipeline_config)
    if profile is None:
        profile = profile_for_version(model["name"], model["version"])

    drift_start = now - cfg.drift.window_hours * HOUR
    decay_start = now - cfg.decay.windows * cfg.decay.window_hours * HOUR
    # Only the columns each check needs: request ids (one string per row) are read only when
    # labels arrived to join them with.
    in_window = _served_rows(
        read_partitioned(
            settings.prediction_log_uri,
            drift_start,
            now,
            columns=[*profile["features"], "probability", "model_version"],
        ),
        model,
    )
    drift = detect_drift(profile, in_window, cfg.drift).as_dict()
    feedback = read_partitioned(settings.feedback_uri, decay_start, now + 1)
    scored = pd.DataFrame()
    if len(feedback):
        scored = _served_rows(
            read_partitioned(
                settings.prediction_log_uri,
                decay_start,
                now,
                columns=["request_id", "row", "probability", "model_version"],
            ),
            model,
        )
    decay = detect_decay(labelled(scored, feedback), now, cfg.decay).as_dict()

    guards = RetrainGuards(settings.monitoring_state_dir, cfg.guards)
    decision = decide(drift, decay, guards.blockers(trigger="drift"))
    report = {
        "project": PROJECT_NAME,
        "generated_at": now,
        "window": {"start": drift_start, "end": now},
        "model": model,
        "drift": drift,
        "decay": decay,
        "guards": guards.status(),
        "decision": decision.__dict__,
    }
    if write:
        report["files"] = write_report(report, settings.monitoring_report_uri)
        write_monitoring_metrics(report, settings.monitoring_metrics_dir)
        write_retrain_metrics(report["guards"], settings.monitoring_metrics_dir)
    return report

"""The drift and decay job: a window of logged predictions in, a decision with its reasons out.

    # what `make monitor`, the Airflow DAG and the KFP pipeline run:
    report = run_monitoring(project)

1. read the last `drift.window_hours` of the prediction log;
2. for each model version that served rows in the window (every logged row records the version
   that answered it), compare its rows with that version's reference profile (drift.py): the
   job follows what is served, also while a new champion is rolling out or after a rollback;
3. join the predictions of the last n decay windows of the version serving now (the newest
   logged row's) with their feedback labels (decay.py), and those of every version in the
   KPI's window for the business KPI (kpi.py);
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

from ..project import Project
from ..settings import Settings, load_settings
from .config import MonitoringConfig, load_monitoring_config
from .decay import detect_decay
from .drift import detect_drift
from .guards import open_guards
from .kpi import measure_kpi
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


def served_model(project: Project, cfg: Any, tracking_uri: str) -> dict[str, Any]:
    """Name, version and registration time of the version behind the environment's alias."""
    from mlflow.tracking import MlflowClient

    info = project.call("champion_info", None, cfg)
    version = MlflowClient(tracking_uri=tracking_uri).get_model_version(info.name, info.version)
    return {
        "name": info.name,
        "version": info.version,
        "alias": info.alias,
        "created_at": (version.creation_timestamp or 0) / 1000.0,
    }


def decide(
    drift: dict[str, Any],
    decay: dict[str, Any],
    blockers: list[str],
    other_versions: dict[str, dict[str, Any]] | None = None,
) -> Decision:
    """The decision and its reasons; `other_versions` holds the drift results of versions that
    served in the window besides the main one (`drift`)."""
    reasons = []
    for version, result in [(None, drift), *sorted((other_versions or {}).items())]:
        if not result["detected"]:
            continue
        details = [
            f"{c['column']} ({c['reason']})"
            for c in sorted(result["columns"], key=lambda c: -c["psi"])
            if c["drifted"]
        ]
        label = "drift" if version is None else f"drift (version {version})"
        reasons.append(f"{label}: " + "; ".join(details))
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


def served_versions(logged: pd.DataFrame, fallback: str) -> dict[str, int]:
    """Rows per model version in the window, the most-served first (rows without a recorded
    version count for `fallback`, the version behind the alias)."""
    if not len(logged):
        return {}
    if "model_version" not in logged.columns:
        return {fallback: len(logged)}
    versions = logged["model_version"].fillna(fallback).astype(str).replace("", fallback)
    return {str(v): int(n) for v, n in versions.value_counts().items()}


def current_version(logged: pd.DataFrame, fallback: str) -> str:
    """The version that answered the newest logged row: the one serving now."""
    if not len(logged) or "model_version" not in logged.columns:
        return fallback
    newest = logged.sort_values("timestamp").iloc[-1]["model_version"]
    return str(newest) if isinstance(newest, str) and newest else fallback


def _rows_of(logged: pd.DataFrame, version: str, fallback: str) -> pd.DataFrame:
    if not len(logged) or "model_version" not in logged.columns:
        return logged
    versions = logged["model_version"].fillna(fallback).astype(str).replace("", fallback)
    return logged[versions == version]


def run_monitoring(
    project: Project,
    now: float | None = None,
    settings: Settings | None = None,
    config: MonitoringConfig | None = None,
    pipeline_config: Any = None,
    profile: dict[str, Any] | None = None,
    model: dict[str, Any] | None = None,
    write: bool = True,
) -> dict[str, Any]:
    """Run the job once for `project` and return its report (a JSON-serialisable dict).

    `profile` fixes the reference profile for every version (tests); by default each version's
    own profile is read from the registry (`profile_for_version`).
    """
    from .profile import profile_for_version

    now = time.time() if now is None else now
    settings = settings or load_settings(project)
    cfg = config or load_monitoring_config(settings.monitoring_config)
    pipeline_config = pipeline_config or project.call("load_config")
    model = model or served_model(project, pipeline_config, settings.tracking_uri)
    alias_version = str(model["version"])
    profiles: dict[str, dict[str, Any]] = {}

    def profile_of(version: str) -> dict[str, Any]:
        if profile is not None:
            return profile
        if version not in profiles:
            profiles[version] = profile_for_version(model["name"], version, settings.tracking_uri)
        return profiles[version]

    drift_start = now - cfg.drift.window_hours * HOUR
    decay_start = now - cfg.decay.windows * cfg.decay.window_hours * HOUR
    # Only the columns each check needs: request ids (one string per row) are read only when
    # labels arrived to join them with.
    features = profile_of(alias_version)["features"]
    in_window = read_partitioned(
        settings.prediction_log_uri,
        drift_start,
        now,
        columns=[*features, "probability", "model_version"],
    )
    counts = served_versions(in_window, alias_version)
    main_version = next(iter(counts), alias_version)
    by_version = {
        version: detect_drift(
            profile_of(version), _rows_of(in_window, version, alias_version), cfg.drift
        ).as_dict()
        for version in counts or [alias_version]
    }
    drift = by_version[main_version]
    others = {v: result for v, result in by_version.items() if v != main_version}

    # Feedback for the decay windows and the KPI's window, read once.
    labels_start = min(decay_start, now - cfg.kpi.window_hours * HOUR)
    feedback = read_partitioned(settings.feedback_uri, labels_start, now + 1)
    scored = logged = pd.DataFrame()
    if len(feedback):
        logged = read_partitioned(
            settings.prediction_log_uri,
            labels_start,
            now,
            columns=["request_id", "row", "probability", "model_version"],
        )
        # (Each check keeps the rows of its own windows.)
        scored = _rows_of(logged, current_version(logged, alias_version), alias_version)
    decay = detect_decay(labelled(scored, feedback), now, cfg.decay).as_dict()
    # The business KPI is the business's view: every version that served, not only the newest.
    kpi = measure_kpi(labelled(logged, feedback), now, cfg.kpi).as_dict()

    with open_guards(settings.state_uri, cfg.guards, project.name) as guards:
        blockers, guard_status = guards.blockers(trigger="drift"), guards.status()
    decision = decide(drift, decay, blockers, others)
    report = {
        "project": project.name,
        "generated_at": now,
        "window": {"start": drift_start, "end": now},
        "model": model,
        "served_versions": counts,
        "drift_version": main_version,
        "drift": drift,
        "drift_by_version": {
            v: {"rows": r["rows"], "detected": r["detected"], "drifted": r["drifted"]}
            for v, r in by_version.items()
        },
        "decay": decay,
        "kpi": kpi,
        "guards": guard_status,
        "decision": decision.__dict__,
    }
    if write:
        report["files"] = write_report(report, settings.monitoring_report_uri)
        write_monitoring_metrics(report, settings.monitoring_metrics_dir)
        write_retrain_metrics(report["guards"], settings.monitoring_metrics_dir, project.name)
    return report

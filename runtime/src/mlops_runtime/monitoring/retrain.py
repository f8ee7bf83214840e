"""Retraining behind the storm guards, on fresh data, through the same pipeline and gates as
`make train`.

A retrain trains on the configured source plus the logged predictions that got a feedback label
in the last `retrain.feedback_window_hours` (point-in-time correct: a label counts only for a
prediction made before it arrived, the latest label wins). That table is written under the
artifact root and its digest and window are the run's lineage; the same-data guard compares the
digest of what is actually trained on, so a retrain with no new labels is refused as a repeat.

The new model becomes `champion` only if it passes the level-2 gates (data contract, quality
gate, model tests with the champion comparison) and beats the champion by more than
`registry.min_improvement`; when it loses, the champion stays and the outcome says why. The guard
state, the retrain metrics and the MLflow run (tags `retrain.*`) record every attempt, refused
ones included.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Any

import pandas as pd

from ..data_version import describe as describe_data
from ..data_version import file_md5
from ..project import Project
from ..records import TRIGGER_ENV, TRIGGERS, data_digest
from ..settings import Settings, load_settings
from ..state import Heartbeat, fenced
from .config import MonitoringConfig, load_monitoring_config
from .guards import LEASE, RetrainGuards, RetrainRefused, Ticket, open_guards
from .metrics import write_retrain_metrics

log = logging.getLogger(__name__)


@dataclass
class RetrainOutcome:
    status: str  # succeeded, failed or refused
    trigger: str
    reasons: list[str] = field(default_factory=list)
    detail: str = ""
    data_digest: str | None = None
    model_version: str | None = None
    promoted: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def base_frame(project: Project, cfg: Any) -> pd.DataFrame:
    """The table the pipeline's prepare step would load now (config `data.source`, else the
    project's sample data)."""
    if cfg.data.source:
        return pd.read_csv(project.path(cfg.data.source))
    return project.call("generate_data", n_rows=cfg.data.n_rows, seed=cfg.data.seed)


def feedback_rows(
    settings: Settings, features: list[str], target: str, start: float, end: float
) -> pd.DataFrame:
    """Logged predictions in [start, end) with the label that arrived for them, as training rows
    (the feature columns and `target`). Point in time: a label counts only when it arrived after
    the prediction it labels; the latest such label wins."""
    from .prediction_log import read_partitioned

    labels = read_partitioned(settings.feedback_uri, start, end + 1)
    if not len(labels):
        return pd.DataFrame(columns=[*features, target])
    logged = read_partitioned(settings.prediction_log_uri, start, end)
    if not len(logged):
        return pd.DataFrame(columns=[*features, target])
    labels = labels.rename(columns={"timestamp": "labelled_at"})
    joined = logged.merge(labels[["request_id", "row", "label", "labelled_at"]],
                          on=["request_id", "row"])  # fmt: skip
    joined = joined[joined["labelled_at"] >= joined["timestamp"]]
    joined = joined.sort_values("labelled_at").drop_duplicates(["request_id", "row"], keep="last")
    rows = joined[[c for c in features if c in joined.columns]].copy()
    rows[target] = joined["label"].astype("int64").to_numpy()
    return rows.reset_index(drop=True)


@dataclass
class TrainingData:
    """What a retrain trains on: where it was written, its digest, and how it was assembled."""

    source: str | None  # a CSV under the artifact root, or None: the configured source as is
    digest: str
    base_rows: int
    feedback_rows: int
    window: tuple[float, float]
    # The configured source's data version (mlops_runtime.data_version: DVC hash, the commit of
    # its .dvc entry) and the assembled table's hash; "" where there is none (generated data).
    base_version: str = ""
    base_dvc_rev: str = ""
    version: str = ""


def assemble_training_data(
    project: Project,
    settings: Settings,
    monitoring: MonitoringConfig,
    cfg: Any,
    now: float | None = None,
    write: bool = True,
) -> TrainingData:
    """The configured source plus labelled feedback from the window; written next to the other
    artifacts (`<project>/artifacts/retrain/<digest>.csv`) when it holds feedback rows."""
    import time

    now = time.time() if now is None else now
    start = now - monitoring.retrain.feedback_window_hours * 3600.0
    base = base_frame(project, cfg)
    target = str(project.hook("target_column"))
    features = [c for c in base.columns if c != target]
    fresh = feedback_rows(settings, features, target, start, now)
    frame = base if fresh.empty else pd.concat([base, fresh[base.columns]], ignore_index=True)
    digest = data_digest(frame)
    base_version = None
    if cfg.data.source:
        base_version = describe_data(project.path(cfg.data.source), settings.root)
    source, version = None, base_version.md5 if base_version else ""
    if not fresh.empty and write:
        folder = settings.root / "artifacts" / "retrain"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"training-{digest[:16]}.csv"
        frame.to_csv(path, index=False)
        source, version = str(path), file_md5(path)
    return TrainingData(
        source, digest, len(base), len(fresh), (start, now),
        base_version=base_version.md5 if base_version else "",
        base_dvc_rev=base_version.rev if base_version else "",
        version=version,
    )  # fmt: skip


@contextmanager
def _mlflow_trigger(trigger: str) -> Iterator[None]:
    """While the pipeline runs, its MLflow run names this retrain's trigger (drift, decay,
    alert, schedule or manual; `mlops_runtime.records`)."""
    previous = os.environ.get(TRIGGER_ENV)
    name = trigger.split(":", 1)[0]  # alert:<alertname> -> alert
    if name in TRIGGERS:
        os.environ[TRIGGER_ENV] = name
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(TRIGGER_ENV, None)
        else:
            os.environ[TRIGGER_ENV] = previous


def _tag_run(tracking_uri: str, run_id: str, tags: dict[str, str]) -> None:
    try:
        from mlflow.tracking import MlflowClient

        client = MlflowClient(tracking_uri)  # not MLflow's global URI: the caller's stays
        for key, value in tags.items():
            client.set_tag(run_id, key, value[:5000])
    except Exception:  # the retrain happened; a missing tag must not undo that
        log.exception("could not tag MLflow run %s", run_id)


def _context(project: Project, settings, config, pipeline_config=None, need_pipeline=True):
    settings = settings or load_settings(project)
    cfg = config or load_monitoring_config(settings.monitoring_config)
    if need_pipeline and pipeline_config is None:
        pipeline_config = project.call("load_config")
    return settings, cfg, pipeline_config


def _guards(project: Project, settings: Settings, cfg: MonitoringConfig) -> RetrainGuards:
    return open_guards(settings.state_uri, cfg.guards, project.name)


def _with_source(cfg: Any, source: str | None) -> Any:
    """The pipeline config training on `source` (the assembled table), else unchanged."""
    from dataclasses import replace

    return cfg if source is None else replace(cfg, data=replace(cfg.data, source=source))


def begin_retrain(
    project: Project,
    trigger: str,
    reasons: list[str] | tuple[str, ...] = (),
    force: bool = False,
    settings: Settings | None = None,
    config: MonitoringConfig | None = None,
    pipeline_config: Any = None,
    spans_tasks: bool = True,
) -> dict[str, Any]:
    """Ask the storm guards for a retrain (for orchestrators whose tasks train in steps).

    The retrain holds the single-flight lease in the shared state store until `finish_retrain`
    (the training DAG's last task or failure callback, the KFP exit handler) releases it, or for
    `guards.lock_timeout_hours` at most (`spans_tasks=False`: `lease_ttl_minutes`, renewed by
    the caller's heartbeat, as `retrain` does).

    Assembles the training data first (`assemble_training_data`) and returns what
    `finish_retrain` and the training tasks need (JSON-serialisable, to pass between tasks;
    `data_source` is the table to train on, None for the configured source); raises
    RetrainRefused, with the guards' reasons, when a guard says no.
    """
    settings, cfg, pipeline_config = _context(project, settings, config, pipeline_config)
    data = assemble_training_data(project, settings, cfg, pipeline_config)
    with _guards(project, settings, cfg) as guards:
        try:
            ticket = guards.begin(
                trigger, list(reasons), data.digest, force=force, spans_tasks=spans_tasks
            )
        finally:
            write_retrain_metrics(guards.status(), settings.monitoring_metrics_dir, project.name)
    return {
        "ticket": ticket.id,
        "trigger": trigger,
        "reasons": list(reasons),
        "data_digest": data.digest,
        "data_source": data.source,
        "feedback_rows": data.feedback_rows,
        "data_window": list(data.window),
        "data_version": data.version,
        "base_data_version": data.base_version,
        "base_data_dvc_rev": data.base_dvc_rev,
    }


@contextmanager
def keep_alive(
    project: Project,
    started: dict[str, Any] | str | None,
    settings: Settings | None = None,
    config: MonitoringConfig | None = None,
) -> Iterator[Heartbeat | None]:
    """While one task of an orchestrated retrain runs (the training DAG's or pipeline's long
    steps), renew its single-flight lease on a heartbeat: `lease_ttl_minutes` at a time, so a
    killed task's lease lapses within minutes, however long a healthy one trains. When the task
    ends, the lease is left `lock_timeout_hours` again, for the next task or the exit handler.
    `started` is what `begin_retrain` returned (or its JSON); empty: not a guarded retrain,
    nothing to renew. Raises RetrainRefused when the lease is no longer this retrain's (it
    expired and another retrain took it): the task must not train then."""
    if not started:
        yield None
        return
    if isinstance(started, str):
        import json

        started = json.loads(started)
    settings, cfg, _ = _context(project, settings, config, need_pipeline=False)
    ticket = Ticket(started["ticket"], started["trigger"], started.get("data_digest"))
    with _guards(project, settings, cfg) as guards:
        beat = guards.heartbeat(ticket)
        try:
            with fenced(partial(guards.still_holds, ticket)):  # a lapsed lease moves no alias
                yield beat
        finally:
            beat.stop()
            guards.store.renew(LEASE, ticket.id, guards.lease_ttl(spans_tasks=True))


def finish_retrain(
    project: Project,
    started: dict[str, Any],
    registered: dict[str, Any] | None = None,
    error: str | None = None,
    run_id: str | None = None,
    settings: Settings | None = None,
    config: MonitoringConfig | None = None,
) -> RetrainOutcome:
    """Record how a retrain begun with `begin_retrain` ended (registered result, or an error)."""
    settings, cfg, _ = _context(project, settings, config, need_pipeline=False)
    with _guards(project, settings, cfg) as guards:
        return _finish(project, guards, started, registered, error, run_id, settings)


def _finish(
    project: Project,
    guards: RetrainGuards,
    started: dict[str, Any],
    registered: dict[str, Any] | None,
    error: str | None,
    run_id: str | None,
    settings: Settings,
) -> RetrainOutcome:
    ticket = Ticket(started["ticket"], started["trigger"], started.get("data_digest"))
    outcome = RetrainOutcome(
        "failed", started["trigger"], list(started["reasons"]), data_digest=ticket.data_digest
    )
    if error is not None or registered is None:
        outcome.detail = error or "the run ended without registering a model"
        recorded = guards.finish(ticket, False, outcome.detail)
        log.error("retrain %s failed: %s", ticket.id, outcome.detail)
    else:
        outcome.status = "succeeded"
        outcome.model_version = str(registered["version"])
        outcome.promoted = bool(registered["promoted"])
        outcome.detail = (
            f"version {outcome.model_version} promoted to champion"
            if outcome.promoted
            else f"version {outcome.model_version} did not take champion "
            f"({registered.get('decision') or 'it did not pass the gates'}); the champion stays"
        )
        recorded = guards.finish(
            ticket,
            True,
            outcome.detail,
            model_version=outcome.model_version,
            promoted=outcome.promoted,
        )
        if run_id:
            _tag_run(
                settings.tracking_uri,
                run_id,
                {
                    "retrain.trigger": ticket.trigger,
                    "retrain.reasons": "; ".join(outcome.reasons) or "-",
                    "retrain.id": ticket.id,
                    "retrain.outcome": outcome.detail,
                    "data_digest": ticket.data_digest or "",
                    "retrain.feedback_rows": str(started.get("feedback_rows", 0)),
                    "retrain.data_window": "{:.0f}-{:.0f}".format(
                        *(started.get("data_window") or (0, 0))
                    ),
                    # what it assembled, and the DVC version of the source it started from
                    "retrain.data_version": started.get("data_version") or "",
                    "retrain.base_data_version": started.get("base_data_version") or "",
                    "retrain.base_data_dvc_rev": started.get("base_data_dvc_rev") or "",
                },
            )
    if not recorded:
        _settled_before(guards, ticket, outcome)
    write_retrain_metrics(guards.status(), settings.monitoring_metrics_dir, project.name)
    return outcome


def _settled_before(guards: RetrainGuards, ticket: Ticket, outcome: RetrainOutcome) -> None:
    """The guards had recorded the retrain already: a second report of the same end changes
    nothing, silently; a different one (its lease lapsed and another `begin` recorded it
    abandoned while it still ran) is said in the outcome and the log."""
    known = guards.store.retrain(ticket.id)
    if known is not None and known.outcome == outcome.status:
        return
    recorded = "unknown" if known is None else f"{known.outcome} ({known.detail})"
    note = f"the guards had already recorded retrain {ticket.id} {recorded}; this end not counted"
    outcome.detail = f"{outcome.detail}; {note}"
    log.warning("retrain %s: %s", ticket.id, note)


def retrain(
    project: Project,
    trigger: str = "manual",
    reasons: list[str] | tuple[str, ...] = (),
    force: bool = False,
    dry_run: bool = False,
    settings: Settings | None = None,
    config: MonitoringConfig | None = None,
    pipeline_config: Any = None,
    runner: Callable[[Any], dict] | None = None,
) -> RetrainOutcome:
    """Retrain once if the guards allow; never raises for a refusal or a failed run.

    `runner(config)` runs the training pipeline (default: the project's `run_pipeline` hook).
    """
    settings, cfg, pipeline_config = _context(project, settings, config, pipeline_config)
    reasons = list(reasons)
    if dry_run:
        data = assemble_training_data(project, settings, cfg, pipeline_config, write=False)
        with _guards(project, settings, cfg) as guards:
            blockers = guards.blockers(trigger, data.digest, force)
        return RetrainOutcome(
            "refused" if blockers else "would run",
            trigger,
            reasons,
            "; ".join(blockers)
            or f"dry run: every guard allows a retrain ({data.feedback_rows} labelled rows new)",
            data.digest,
        )
    try:
        started = begin_retrain(
            project, trigger, reasons, force, settings, cfg, pipeline_config, spans_tasks=False
        )
    except RetrainRefused as refused:
        return RetrainOutcome("refused", trigger, reasons, "; ".join(refused.reasons))
    run = runner or project.hook("run_pipeline")
    ticket = Ticket(started["ticket"], trigger, started["data_digest"])
    with _guards(project, settings, cfg) as guards:
        # The lease lives while this process does: killed, it stops renewing and lapses.
        try:
            beat = guards.heartbeat(ticket)
        except RetrainRefused as lapsed:  # it lapsed before training started: do not train
            return _finish(project, guards, started, None, "; ".join(lapsed.reasons), None,
                           settings)  # fmt: skip
        try:
            # Training to the end once the lease lapsed wastes only compute: the fence keeps
            # the late run from moving the champion after whoever took the lease over.
            with _mlflow_trigger(trigger), fenced(partial(guards.still_holds, ticket)):
                result = run(_with_source(pipeline_config, started["data_source"]))
        except Exception as exc:
            beat.stop()
            return _finish(project, guards, started, None, f"{type(exc).__name__}: {exc}", None,
                           settings)  # fmt: skip
        beat.stop()
        return _finish(project, guards, started, result["registered"], None,
                       result.get("run_id"), settings)  # fmt: skip

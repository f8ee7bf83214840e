"""Retraining behind the storm guards, through the same pipeline and gates as `make train`.

The new model becomes `champion` only if it passes the level-2 gates (data contract, quality
gate, model tests with the champion comparison) and beats the champion by more than
`registry.min_improvement`; when it loses, the champion stays and the outcome says why. The guard state, the retrain metrics and the MLflow run (tags `retrain.*`)
record every attempt, refused ones included.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from ..config import PipelineConfig, load_config
from ..settings import Settings, load_settings
from .config import MonitoringConfig, load_monitoring_config
from .guards import RetrainGuards, RetrainRefused, Ticket
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


def training_frame(cfg: PipelineConfig) -> pd.DataFrame:
    """The table the pipeline's prepare step would load now."""
    from ..data import generate

    if cfg.data.source:
        return pd.read_csv(cfg.data.source)
    return generate(n_rows=cfg.data.n_rows, seed=cfg.data.seed)


def data_digest(frame: pd.DataFrame) -> str:
    """A digest of the table's content (column names and every value)."""
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    digest = hashlib.sha256(",".join(map(str, frame.columns)).encode())
    digest.update(hashed.tobytes())
    return digest.hexdigest()


def _default_runner(cfg: PipelineConfig) -> dict:
    from ..pipeline.runner import run_pipeline

    return run_pipeline(cfg)


@contextmanager
def _mlflow_trigger(trigger: str) -> Iterator[None]:
    """While the pipeline runs, its MLflow run names this retrain's trigger (drift, decay,
    alert, schedule or manual; `pipeline.records`)."""
    from ..pipeline.records import TRIGGER_ENV, TRIGGERS

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


def _tag_run(run_id: str, tags: dict[str, str]) -> None:
    try:
        import mlflow
        from mlflow.tracking import MlflowClient

        from ..tracking import tracking_uri

        mlflow.set_tracking_uri(tracking_uri())
        client = MlflowClient()
        for key, value in tags.items():
            client.set_tag(run_id, key, value[:5000])
    except Exception:  # the retrain happened; a missing tag must not undo that
        log.exception("could not tag MLflow run %s", run_id)


def _context(settings, config, pipeline_config):
    settings = settings or load_settings()
    cfg = config or load_monitoring_config(settings.monitoring_config)
    return settings, cfg, pipeline_config or load_config()


def begin_retrain(
    trigger: str,
    reasons: list[str] | tuple[str, ...] = (),
    force: bool = False,
    settings: Settings | None = None,
    config: MonitoringConfig | None = None,
    pipeline_config: PipelineConfig | None = None,
) -> dict[str, Any]:
    """Ask the storm guards for a retrain (for orchestrators whose tasks train in steps).

    Returns what `finish_retrain` needs (JSON-serialisable, to pass between tasks); raises
    RetrainRefused, with the guards' reasons, when a guard says no.
    """
    settings, cfg, pipeline_config = _context(settings, config, pipeline_config)
    guards = RetrainGuards(settings.monitoring_state_dir, cfg.guards)
    digest = data_digest(training_frame(pipeline_config))
    try:
        ticket = guards.begin(trigger, list(reasons), digest, force=force)
    finally:
        write_retrain_metrics(guards.status(), settings.monitoring_metrics_dir)
    return {
        "ticket": ticket.id,
        "trigger": trigger,
        "reasons": list(reasons),
        "data_digest": digest,
    }


def finish_retrain(
    started: dict[str, Any],
    registered: dict[str, Any] | None = None,
    error: str | None = None,
    run_id: str | None = None,
    settings: Settings | None = None,
    config: MonitoringConfig | None = None,
) -> RetrainOutcome:
    """Record how a retrain begun with `begin_retrain` ended (registered result, or an error)."""
    settings, cfg, _ = _context(settings, config, PipelineConfig())
    guards = RetrainGuards(settings.monitoring_state_dir, cfg.guards)
    ticket = Ticket(started["ticket"], started["trigger"], started.get("data_digest"))
    outcome = RetrainOutcome(
        "failed", started["trigger"], list(started["reasons"]), data_digest=ticket.data_digest
    )
    if error is not None or registered is None:
        outcome.detail = error or "the run ended without registering a model"
        guards.finish(ticket, False, outcome.detail)
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
        guards.finish(
            ticket,
            True,
            outcome.detail,
            model_version=outcome.model_version,
            promoted=outcome.promoted,
        )
        if run_id:
            _tag_run(
                run_id,
                {
                    "retrain.trigger": ticket.trigger,
                    "retrain.reasons": "; ".join(outcome.reasons) or "-",
                    "retrain.id": ticket.id,
                    "retrain.outcome": outcome.detail,
                    "data_digest": ticket.data_digest or "",
                },
            )
    write_retrain_metrics(guards.status(), settings.monitoring_metrics_dir)
    return outcome


def retrain(
    trigger: str = "manual",
    reasons: list[str] | tuple[str, ...] = (),
    force: bool = False,
    dry_run: bool = False,
    settings: Settings | None = None,
    config: MonitoringConfig | None = None,
    pipeline_config: PipelineConfig | None = None,
    runner: Callable[[PipelineConfig], dict] = _default_runner,
) -> RetrainOutcome:
    """Retrain once if the guards allow; never raises for a refusal or a failed run."""
    settings, cfg, pipeline_config = _context(settings, config, pipeline_config)
    reasons = list(reasons)
    if dry_run:
        guards = RetrainGuards(settings.monitoring_state_dir, cfg.guards)
        digest = data_digest(training_frame(pipeline_config))
        blockers = guards.blockers(trigger, digest, force)
        return RetrainOutcome(
            "refused" if blockers else "would run",
            trigger,
            reasons,
            "; ".join(blockers) or "dry run: every guard allows a retrain",
            digest,
        )
    try:
        started = begin_retrain(trigger, reasons, force, settings, cfg, pipeline_config)
    except RetrainRefused as refused:
        return RetrainOutcome("refused", trigger, reasons, "; ".join(refused.reasons))
    try:
        with _mlflow_trigger(trigger):
            result = runner(pipeline_config)
    except Exception as exc:
        return finish_retrain(started, error=f"{type(exc).__name__}: {exc}", settings=settings,
                              config=cfg)  # fmt: skip
    return finish_retrain(
        started, result["registered"], run_id=result.get("run_id"), settings=settings, config=cfg
    )

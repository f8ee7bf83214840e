"""What the serving app does around each prediction besides scoring it.

The app calls `start()` when it starts, `after_predict(event)` after each successful `/predict`
(on the request path: a hook must be fast and must not raise) and `stop()` on shutdown. A
level-3 project logs every prediction through one (the prediction log); a team adds its own.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

import pandas as pd

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PredictionEvent:
    """One scored request: its server-made id, the rows, the answers and the version that
    answered (`correlation_id`: the caller's X-Request-ID, kept only for correlation)."""

    request_id: str
    features: pd.DataFrame
    probabilities: list[float]
    labels: list[int]
    model_name: str
    model_version: str
    model_alias: str | None
    correlation_id: str | None = None
    limits: list[Any] | None = None  # mlops_runtime.limits.RowLimits per row, when checked


class Hook(Protocol):
    """What the app calls on a hook (a `ready()` method is optional)."""

    def start(self) -> None: ...

    def after_predict(self, event: PredictionEvent) -> None: ...

    def stop(self) -> None: ...


class ServingHooks:
    """Runs each hook; a failing hook is logged and never fails the request."""

    def __init__(self, hooks: list[Any] | None = None):
        self.hooks = list(hooks or [])

    def start(self) -> None:
        for hook in self.hooks:
            self._safely(hook.start)

    def after_predict(self, event: PredictionEvent) -> None:
        for hook in self.hooks:
            self._safely(hook.after_predict, event)

    def stop(self) -> None:
        for hook in self.hooks:
            self._safely(hook.stop)

    def ready(self) -> tuple[bool, str | None]:
        """(False, why) when a hook that reports readiness (`ready()`) is not ready."""
        for hook in self.hooks:
            check = getattr(hook, "ready", None)
            if check is not None:
                try:
                    ok, reason = check()
                except Exception as exc:  # a broken check is a failed one
                    ok, reason = False, f"{type(hook).__name__}: {exc}"
                if not ok:
                    return False, reason
        return True, None

    def register_metrics(self, registry: Any, project: str) -> None:
        """Let each hook that exports metrics (`register_metrics`) add them to the app's."""
        for hook in self.hooks:
            register = getattr(hook, "register_metrics", None)
            if register is not None:
                register(registry, project)

    def find(self, kind: type) -> Any:
        """The first hook of class `kind`, or None."""
        return next((hook for hook in self.hooks if isinstance(hook, kind)), None)

    @staticmethod
    def _safely(method, *args) -> None:
        try:
            method(*args)
        except Exception:
            log.exception("serving hook %s failed", getattr(method, "__qualname__", method))


class PredictionLogHook:
    """Hands every scored request to a prediction logger and watches its sink.

    `logger` is duck-typed (`start()`, `log(batch) -> bool`, `flush(timeout) -> bool`,
    `stop(timeout)`, `stats() -> {rows_written, rows_dropped, rows_queued, write_errors}`), as
    `PredictionLogger` of the monitoring part is; `to_batch(event)` makes what it logs.

    - metrics (`register_metrics`): rows written, dropped (queue full, sink down too long, or
      unwritten at shutdown) and sink errors, as Prometheus counters read from the logger;
    - readiness (`ready`): not ready once the sink has failed for `unhealthy_after` seconds
      with no successful write since, so traffic moves to pods that can log;
    - shutdown (`stop`): flushes within `stop_seconds` (below the pod's grace period), then
      counts what is still unwritten as dropped and says so in the log.
    """

    def __init__(
        self,
        logger: Any,
        to_batch: Any,
        unhealthy_after: float = 120.0,
        stop_seconds: float = 20.0,
        clock: Any = None,
    ):
        import time

        self.logger = logger
        self.to_batch = to_batch
        self.unhealthy_after = unhealthy_after
        self.stop_seconds = stop_seconds
        self.clock = clock or time.monotonic
        self.shutdown_dropped = 0
        self._written = self._errors = 0
        self._failing_since: float | None = None

    def start(self) -> None:
        self.logger.start()

    def after_predict(self, event: PredictionEvent) -> None:
        self.logger.log(self.to_batch(event))

    def _observe(self) -> dict[str, int]:
        stats = self.logger.stats()
        written, errors = stats.get("rows_written", 0), stats.get("write_errors", 0)
        if written > self._written or (errors == self._errors and not stats.get("rows_queued")):
            self._failing_since = None  # a write went through, or nothing is waiting
        elif errors > self._errors and self._failing_since is None:
            self._failing_since = self.clock()
        self._written, self._errors = written, errors
        return stats

    def ready(self) -> tuple[bool, str | None]:
        self._observe()
        if self._failing_since is None:
            return True, None
        down = self.clock() - self._failing_since
        if down < self.unhealthy_after:
            return True, None
        return False, f"the prediction log's sink has failed for {down:.0f} s"

    def stop(self) -> None:
        started = self.clock()
        flushed = self.logger.flush(self.stop_seconds / 2)
        remaining = max(0.0, self.stop_seconds - (self.clock() - started))
        self.logger.stop(remaining / 2 if not flushed else min(remaining / 2, 1.0))
        left = int(self.logger.stats().get("rows_queued", 0))
        if left > 0:
            self.shutdown_dropped += left
            log.error(
                "prediction log: %d rows not written within %.0f s of shutdown; dropped",
                left,
                self.stop_seconds,
            )

    def register_metrics(self, registry: Any, project: str) -> None:
        """Counters of the logger's rows and sink errors in the app's Prometheus registry."""
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        hook = self

        class _Collector:
            def collect(self):
                stats = hook._observe()
                dropped = stats.get("rows_dropped", 0) + hook.shutdown_dropped
                for name, text, value in (
                    ("mlops_prediction_log_rows_written", "Rows written to the log.",
                     stats.get("rows_written", 0)),
                    ("mlops_prediction_log_rows_dropped", "Rows never written (queue full, "
                     "sink down too long, or left at shutdown).", dropped),
                    ("mlops_prediction_log_sink_errors", "Failed writes to the log's sink.",
                     stats.get("write_errors", 0)),
                ):  # fmt: skip
                    family = CounterMetricFamily(name, text, labels=["project"])
                    family.add_metric([project], value)
                    yield family
                queued = GaugeMetricFamily(
                    "mlops_prediction_log_rows_queued", "Rows waiting to be written.",
                    labels=["project"],
                )  # fmt: skip
                queued.add_metric([project], stats.get("rows_queued", 0))
                yield queued
                down = GaugeMetricFamily(
                    "mlops_prediction_log_sink_down_seconds",
                    "How long the sink has failed with no successful write since (0: healthy).",
                    labels=["project"],
                )
                since = hook._failing_since
                down.add_metric([project], 0.0 if since is None else hook.clock() - since)
                yield down

        registry.register(_Collector())


def prediction_log_hook(logger: Any, to_batch: Any) -> PredictionLogHook:
    """A `PredictionLogHook` with its limits from the environment:
    `PREDICTION_LOG_UNHEALTHY_SECONDS` (120: how long the sink may fail before `/ready` says
    503) and `PREDICTION_LOG_STOP_SECONDS` (20: the flush budget at shutdown, below the pod's
    30 s grace period)."""
    import os

    env = os.environ.get
    return PredictionLogHook(
        logger,
        to_batch,
        unhealthy_after=float(env("PREDICTION_LOG_UNHEALTHY_SECONDS") or 120),
        stop_seconds=float(env("PREDICTION_LOG_STOP_SECONDS") or 20),
    )


LOG_ENABLED_ENV = "PREDICTION_LOG_ENABLED"


def event_batch(event: PredictionEvent) -> Any:
    """A served request as the prediction log's rows (a `PredictionBatch` keyed by the server's
    request id, never the caller's)."""
    from ..monitoring.prediction_log import PredictionBatch

    return PredictionBatch(
        request_id=event.request_id,
        features=event.features,
        probabilities=event.probabilities,
        predictions=event.labels,
        model_name=event.model_name,
        model_version=event.model_version,
        model_alias=event.model_alias,
        limits=event.limits,  # out-of-range and low-confidence flags (`make review` lists them)
    )


def prediction_log_hooks(project: Any) -> list[PredictionLogHook]:
    """The project's prediction log as a hook list: `[hook]` writing to `PREDICTION_LOG_URI` with
    the `prediction_log` section of its monitoring config (queue, batch, flush, retention), or
    `[]` when that section or `PREDICTION_LOG_ENABLED=0` turns it off. Extras `monitoring` and
    `serving`."""
    import os

    if os.environ.get(LOG_ENABLED_ENV, "1").lower() in ("0", "false", "no"):
        return []
    from ..monitoring.config import load_monitoring_config
    from ..monitoring.prediction_log import PredictionLogger
    from ..settings import load_settings

    settings = load_settings(project)
    cfg = load_monitoring_config(settings.monitoring_config).prediction_log
    if not cfg.enabled:
        return []
    logger = PredictionLogger(
        settings.prediction_log_uri,
        queue_size=cfg.queue_size,
        batch_rows=cfg.batch_rows,
        flush_seconds=cfg.flush_seconds,
        retention_days=cfg.retention_days,
    )
    return [prediction_log_hook(logger, event_batch)]

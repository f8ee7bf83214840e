"""What the serving app does around each prediction besides scoring it: the prediction log.

The app (`mlops_runtime.serving`) calls `start()` when it starts, `after_predict(event)` after
each successful `/predict` (on the request path: a hook must be fast and must not raise) and
`stop()` on shutdown. Add your own hook classes to `default_hooks`.
"""

from __future__ import annotations

import os
from typing import Any

from mlops_runtime.serving.hooks import PredictionEvent, ServingHooks

LOG_ENABLED_ENV = "PREDICTION_LOG_ENABLED"


class PredictionLogHook:
    """Hands every scored request to the prediction log (bounded queue, written in batches)."""

    def __init__(self, logger: Any = None):
        if logger is None:
            from mlops_runtime.monitoring.config import load_monitoring_config
            from mlops_runtime.monitoring.prediction_log import PredictionLogger

            from ..settings import load_settings

            settings = load_settings()
            cfg = load_monitoring_config(settings.monitoring_config).prediction_log
            logger = PredictionLogger(
                settings.prediction_log_uri,
                queue_size=cfg.queue_size,
                batch_rows=cfg.batch_rows,
                flush_seconds=cfg.flush_seconds,
                retention_days=cfg.retention_days,
            )
        self.logger = logger

    def start(self) -> None:
        self.logger.start()

    def after_predict(self, event: PredictionEvent) -> None:
        from mlops_runtime.monitoring.prediction_log import PredictionBatch

        self.logger.log(
            PredictionBatch(
                request_id=event.request_id,
                features=event.features,
                probabilities=event.probabilities,
                predictions=event.labels,
                model_name=event.model_name,
                model_version=event.model_version,
                model_alias=event.model_alias,
            )
        )

    def stop(self) -> None:
        self.logger.stop()


def default_hooks() -> ServingHooks:
    """The hooks the app runs: the prediction log unless config or PREDICTION_LOG_ENABLED=0
    turns it off."""
    hooks: list[Any] = []
    if os.environ.get(LOG_ENABLED_ENV, "1").lower() not in ("0", "false", "no"):
        from mlops_runtime.monitoring.config import load_monitoring_config

        from ..settings import load_settings

        if load_monitoring_config(load_settings().monitoring_config).prediction_log.enabled:
            hooks.append(PredictionLogHook())
    return ServingHooks(hooks)

"""What the serving app does around each prediction besides scoring it: the prediction log.

The app (`mlops_runtime.serving`) calls each hook's `start()` when it starts, `after_predict(event)`
after each successful `/predict` (on the request path: a hook must be fast and must not raise) and
`stop()` on shutdown. The prediction log's hook (the runtime's `PredictionLogHook`) also exports
its rows and sink errors as metrics, makes `/ready` fail when the sink has been down for
PREDICTION_LOG_UNHEALTHY_SECONDS, and bounds the shutdown flush by PREDICTION_LOG_STOP_SECONDS.
Add your own hook classes to `default_hooks`.
"""

from __future__ import annotations

import os
from typing import Any

from mlops_runtime.serving.hooks import PredictionEvent, ServingHooks, prediction_log_hook

LOG_ENABLED_ENV = "PREDICTION_LOG_ENABLED"


def to_batch(event: PredictionEvent) -> Any:
    """A served request as the prediction log's rows (keyed by the server's request id)."""
    from mlops_runtime.monitoring.prediction_log import PredictionBatch

    return PredictionBatch(
        request_id=event.request_id,
        features=event.features,
        probabilities=event.probabilities,
        predictions=event.labels,
        model_name=event.model_name,
        model_version=event.model_version,
        model_alias=event.model_alias,
    )


def prediction_logger() -> Any:
    """The prediction log's writer, configured by config/monitoring.yaml and the settings."""
    from mlops_runtime.monitoring.config import load_monitoring_config
    from mlops_runtime.monitoring.prediction_log import PredictionLogger

    from ..settings import load_settings

    settings = load_settings()
    cfg = load_monitoring_config(settings.monitoring_config).prediction_log
    return PredictionLogger(
        settings.prediction_log_uri,
        queue_size=cfg.queue_size,
        batch_rows=cfg.batch_rows,
        flush_seconds=cfg.flush_seconds,
        retention_days=cfg.retention_days,
    )


def default_hooks() -> ServingHooks:
    """The hooks the app runs: the prediction log unless config or PREDICTION_LOG_ENABLED=0
    turns it off."""
    hooks: list[Any] = []
    if os.environ.get(LOG_ENABLED_ENV, "1").lower() not in ("0", "false", "no"):
        from mlops_runtime.monitoring.config import load_monitoring_config

        from ..settings import load_settings

        if load_monitoring_config(load_settings().monitoring_config).prediction_log.enabled:
            hooks.append(prediction_log_hook(prediction_logger(), to_batch))
    return ServingHooks(hooks)

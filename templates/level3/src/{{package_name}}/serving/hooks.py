"""What the serving app does around each prediction besides scoring it.

The app (`mlops_runtime.serving`) calls each hook's `start()` when it starts, `after_predict(event)`
after each successful `/predict` (on the request path: a hook must be fast and must not raise) and
`stop()` on shutdown. The platform's prediction log is one (`prediction_log_hooks`: rows keyed by
the server's request id, written off the request path; config/monitoring.yaml or
PREDICTION_LOG_ENABLED=0 turn it off). Add your own hook objects to `default_hooks`.
"""

from __future__ import annotations

from mlops_runtime.serving.hooks import ServingHooks, prediction_log_hooks

from ..platform import PROJECT


def default_hooks() -> ServingHooks:
    """The hooks the app runs: the prediction log (unless turned off), then the team's own."""
    return ServingHooks([*prediction_log_hooks(PROJECT)])

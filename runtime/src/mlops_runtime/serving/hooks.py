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


class Hook(Protocol):
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

    def find(self, kind: type) -> Any:
        """The first hook of class `kind`, or None."""
        return next((hook for hook in self.hooks if isinstance(hook, kind)), None)

    @staticmethod
    def _safely(method, *args) -> None:
        try:
            method(*args)
        except Exception:
            log.exception("serving hook %s failed", getattr(method, "__qualname__", method))

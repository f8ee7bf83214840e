"""Performance decay: the live metric on labelled feedback, judged over the last n windows.

Logged predictions joined with their labels (feedback, by request id and row) are cut into
windows of `window_hours`, newest last. A window with at least `min_labels` labels is a
violation when its metric falls under `threshold`; decay is due when `violations` (k) of the
last `windows` (n) windows are violations, so one bad day does not retrain the model.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from .config import DecayConfig


@dataclass
class WindowMetric:
    start: float
    end: float
    labelled: int
    value: float | None  # None: too few labels (or one class only) to judge
    violated: bool | None


@dataclass
class DecayResult:
    metric: str
    threshold: float
    windows: list[WindowMetric]
    judged: int
    violations: int
    detected: bool
    latest: float | None

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "windows": [asdict(w) for w in self.windows]}


def metric_value(metric: str, labels: np.ndarray, probabilities: np.ndarray) -> float | None:
    """The live metric of one window; None when it cannot be judged (too few labels, one class)."""
    if metric == "accuracy":
        return float(((probabilities >= 0.5).astype(int) == labels).mean())
    if len(np.unique(labels)) < 2:
        return None  # ROC AUC needs both classes
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(labels, probabilities))


def epoch_seconds(stamps: pd.Series) -> np.ndarray:
    """UTC timestamps as float seconds since the epoch, whatever their resolution."""
    return (stamps - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy()


def detect_decay(joined: pd.DataFrame, now: float, cfg: DecayConfig) -> DecayResult:
    """`joined`: logged predictions with a `label` column (see prediction_log.labelled)."""
    size = cfg.window_hours * 3600.0
    seconds = epoch_seconds(joined["timestamp"]) if len(joined) else np.array([])
    windows = []
    for i in range(cfg.windows, 0, -1):
        start, end = now - i * size, now - (i - 1) * size
        mask = (seconds >= start) & (seconds < end)
        labels = joined["label"].to_numpy()[mask] if len(joined) else np.array([])
        value = None
        if len(labels) >= cfg.min_labels:
            value = metric_value(
                cfg.metric, labels.astype(int), joined["probability"].to_numpy()[mask]
            )
        violated = None if value is None else value < cfg.threshold
        windows.append(WindowMetric(start, end, int(len(labels)), value, violated))
    judged = [w for w in windows if w.violated is not None]
    violations = sum(1 for w in judged if w.violated)
    latest = next((w.value for w in reversed(windows) if w.value is not None), None)
    return DecayResult(
        metric=cfg.metric,
        threshold=cfg.threshold,
        windows=windows,
        judged=len(judged),
        violations=violations,
        detected=violations >= cfg.violations,
        latest=latest,
    )

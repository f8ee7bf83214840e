"""The business KPI measured on labelled feedback: the number a business owner watches.

The logged predictions of the last `kpi.window_hours` (every version that served) are joined
with their feedback labels (by request id and row, the latest label winning); the KPI is one
measure of the positive class on them (`recall`: the share of real positives the model flagged,
e.g. churners caught; `precision`, `accuracy`, `f1`, `roc_auc`), a prediction counting as
positive at probability 0.5. Too few labels (`min_labels`), or a measure undefined on the rows
(no positives for recall), give no value: the alert rule cannot fire on missing data, and the
report says why. `mlops_business_kpi` and `mlops_business_kpi_threshold` carry the value and the
configured threshold, so the alert rule (`MLBusinessKPILow`) follows the config without edits.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from .config import KPI_MEASURES as MEASURES
from .config import KpiConfig
from .decay import epoch_seconds, metric_value

__all__ = ["MEASURES", "KpiResult", "kpi_value", "measure_kpi"]


@dataclass
class KpiResult:
    name: str
    measure: str
    threshold: float
    window_hours: float
    labelled: int
    value: float | None  # None: too few labels, or undefined on them
    below: bool | None
    note: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def kpi_value(measure: str, labels: np.ndarray, probabilities: np.ndarray) -> float | None:
    """The measure of the positive class; None where it is undefined on these rows."""
    if measure in ("accuracy", "roc_auc"):
        return metric_value(measure, labels, probabilities)
    flagged = probabilities >= 0.5
    positives, hits = int(labels.sum()), int((flagged & (labels == 1)).sum())
    if measure == "recall":
        return hits / positives if positives else None
    if measure == "precision":
        return hits / int(flagged.sum()) if flagged.any() else None
    # f1: the harmonic mean of both; undefined only without any positive, real or flagged
    denominator = positives + int(flagged.sum())
    return 2 * hits / denominator if denominator else None


def measure_kpi(joined: pd.DataFrame, now: float, cfg: KpiConfig) -> KpiResult:
    """`joined`: logged predictions with a `label` column (prediction_log.labelled)."""
    start = now - cfg.window_hours * 3600.0
    if len(joined):
        seconds = epoch_seconds(joined["timestamp"])
        mask = (seconds >= start) & (seconds < now)
        labels = joined["label"].to_numpy()[mask].astype(int)
        probabilities = joined["probability"].to_numpy()[mask]
    else:
        labels, probabilities = np.array([], dtype=int), np.array([])
    value, note = None, ""
    if len(labels) < cfg.min_labels:
        note = f"{len(labels)} labelled predictions in the window, {cfg.min_labels} needed"
    else:
        value = kpi_value(cfg.measure, labels, probabilities)
        if value is None:
            note = f"{cfg.measure} is undefined on these labels (no positives)"
    return KpiResult(
        name=cfg.name,
        measure=cfg.measure,
        threshold=cfg.threshold,
        window_hours=cfg.window_hours,
        labelled=int(len(labels)),
        value=value,
        below=None if value is None else value < cfg.threshold,
        note=note,
    )

"""Data and prediction drift: live rows against the reference profile, numpy and scipy only.

Per column: the population stability index (PSI) over the profile's bins, and a significance
test (two-sample Kolmogorov-Smirnov against the profile's sample for numeric columns, chi-square
against the reference shares for categorical ones). The p-values of all columns are corrected
together (Holm or Bonferroni), since testing twenty features at 5% each finds "drift" by chance
far more often than 5% of the time. A column drifted when its PSI reaches `psi_threshold`, or
when its corrected p-value is under `alpha` *and* the effect is large enough to matter
(`min_statistic` for KS; `psi_warning` for chi-square): with big windows every tiny difference
is significant.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from .config import DriftConfig
from .profile import OTHER, PREDICTION

EPSILON = 1e-4  # floor for empty bins, so the PSI stays finite
# The KS test compares the profile's sample (about 1,000 values) with at most this many live
# values, drawn at random: with samples this unequal the smaller one bounds the test's power, and
# a million-row window then costs milliseconds instead of a second per column.
KS_MAX_ROWS = 100_000


@dataclass
class ColumnDrift:
    column: str
    kind: str
    rows: int
    psi: float
    test: str
    statistic: float
    p_value: float
    p_adjusted: float = 1.0
    drifted: bool = False
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class DriftResult:
    rows: int
    enough_data: bool
    columns: list[ColumnDrift]
    drifted: list[str]  # the drifted columns, worst first
    detected: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "enough_data": self.enough_data,
            "detected": self.detected,
            "drifted": self.drifted,
            "columns": [c.as_dict() for c in self.columns],
        }


def psi(expected: np.ndarray, actual: np.ndarray) -> float:
    """Population stability index of two distributions over the same bins."""
    e = np.clip(np.asarray(expected, dtype="float64"), EPSILON, None)
    a = np.clip(np.asarray(actual, dtype="float64"), EPSILON, None)
    e, a = e / e.sum(), a / a.sum()
    return float(np.sum((a - e) * np.log(a / e)))


def numeric_drift(column: str, reference: dict[str, Any], values: pd.Series) -> ColumnDrift:
    """PSI over the reference's quantile bins and a KS test against its sample."""
    from scipy.stats import ks_2samp

    live = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64")
    live = np.sort(live[~np.isnan(live)])
    # bins of the sorted values: where each edge falls, not where each value falls
    cuts = np.searchsorted(live, np.asarray(reference["edges"], dtype="float64"), side="right")
    counts = np.diff(np.concatenate([[0], cuts, [len(live)]]))
    shares = counts / max(counts.sum(), 1)
    tested = live
    if len(live) > KS_MAX_ROWS:
        tested = np.random.default_rng(0).choice(live, KS_MAX_ROWS, replace=False)
    result = ks_2samp(np.asarray(reference["sample"], dtype="float64"), tested)
    return ColumnDrift(
        column=column,
        kind="numeric",
        rows=int(len(live)),
        psi=psi(np.asarray(reference["proportions"]), shares),
        test="ks",
        statistic=float(result.statistic),
        p_value=float(result.pvalue),
    )


def categorical_drift(column: str, reference: dict[str, Any], values: pd.Series) -> ColumnDrift:
    """PSI over the reference's category shares and a chi-square test of the counts."""
    from scipy.stats import chisquare

    known = [k for k in reference["frequencies"] if k != OTHER]
    raw = values.value_counts(dropna=False)  # count first, then name the (few) distinct values
    counts: dict[str, int] = {}
    for value, count in raw.items():
        key = "<null>" if pd.isna(value) else str(value)
        counts[key] = counts.get(key, 0) + int(count)
    observed = np.array(
        [counts.get(k, 0) for k in known] + [sum(v for k, v in counts.items() if k not in known)],
        dtype="float64",
    )
    expected_shares = np.array(
        [reference["frequencies"][k] for k in known] + [reference["frequencies"].get(OTHER, 0.0)]
    )
    expected_shares = np.clip(expected_shares, EPSILON, None)
    expected_shares = expected_shares / expected_shares.sum()
    total = observed.sum()
    if total == 0:
        statistic, p_value = 0.0, 1.0
    else:
        result = chisquare(observed, expected_shares * total)
        statistic, p_value = float(result.statistic), float(result.pvalue)
    return ColumnDrift(
        column=column,
        kind="categorical",
        rows=int(total),
        psi=psi(expected_shares, observed / max(total, 1)),
        test="chi2",
        statistic=statistic,
        p_value=p_value,
    )


def adjust(p_values: list[float], method: str) -> list[float]:
    """Family-wise corrected p-values: Holm (step-down), Bonferroni, or none."""
    m = len(p_values)
    if method == "none" or m == 0:
        return list(p_values)
    if method == "bonferroni":
        return [min(1.0, p * m) for p in p_values]
    order = np.argsort(p_values)
    adjusted = [0.0] * m
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted


def detect_drift(
    profile: dict[str, Any],
    live: pd.DataFrame,
    cfg: DriftConfig,
    prediction_column: str = "probability",
) -> DriftResult:
    """Compare the live rows (feature columns and `prediction_column`) with the profile."""
    rows = int(len(live))
    if rows < cfg.min_samples:
        return DriftResult(rows=rows, enough_data=False, columns=[], drifted=[], detected=False)
    columns = []
    for column, reference in profile["features"].items():
        if column not in live.columns:
            continue
        measure = numeric_drift if reference["kind"] == "numeric" else categorical_drift
        columns.append(measure(column, reference, live[column]))
    if cfg.include_prediction and prediction_column in live.columns:
        columns.append(numeric_drift(PREDICTION, profile[PREDICTION], live[prediction_column]))
    for column, p_adjusted in zip(
        columns, adjust([c.p_value for c in columns], cfg.correction), strict=True
    ):
        column.p_adjusted = p_adjusted
        _judge(column, cfg)
    drifted = sorted((c for c in columns if c.drifted), key=lambda c: -c.psi)
    features_drifted = [c for c in drifted if c.column != PREDICTION]
    detected = len(features_drifted) >= cfg.min_drifted_features or any(
        c.column == PREDICTION for c in drifted
    )
    return DriftResult(
        rows=rows,
        enough_data=True,
        columns=columns,
        drifted=[c.column for c in drifted],
        detected=detected,
    )


def _judge(column: ColumnDrift, cfg: DriftConfig) -> None:
    if column.psi >= cfg.psi_threshold:
        column.drifted = True
        column.reason = f"PSI {column.psi:.3f} >= {cfg.psi_threshold}"
        return
    effect = (
        column.statistic >= cfg.min_statistic
        if column.test == "ks"
        else column.psi >= cfg.psi_warning
    )
    if column.p_adjusted < cfg.alpha and effect:
        column.drifted = True
        size = f"KS {column.statistic:.3f}" if column.test == "ks" else f"PSI {column.psi:.3f}"
        column.reason = f"{column.test} p={column.p_adjusted:.2g} < {cfg.alpha} ({size})"

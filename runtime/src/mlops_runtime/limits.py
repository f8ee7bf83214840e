"""Knowledge limits: does a prediction come from where the model learnt anything, and how sure is
it?

At evaluation the pipeline logs `training_ranges(train_features)` with the run
(`feature_ranges.json`: each numeric column's min and max, each categorical column's values):
the part of the reference profile a request can be checked against in microseconds. For each
scored row, `assess` gives
- an out-of-distribution score: for each numeric feature, how far the value lies outside the
  training range, in widths of that range (0 inside; 0.5: half a range-width beyond the edge); a
  categorical value never seen in training scores 1; the row's score is the largest, and the
  features past the range are named;
- a confidence: the probability of the predicted class, max(p, 1 - p), for a binary classifier
  (None for a model without that probability: a regressor, a multi-class model);
- flags: `out_of_range` when the score passes `max_ood_score`, `low_confidence` under
  `min_confidence`.
A `LimitsPolicy` says what the serving app does with a flagged row: `return` it as usual,
return it with its `flag` (the default), or `refuse` the request (422, naming the rows and
reasons, never the values). The flags reach the prediction log (level 3), the metrics
(`mlops_serving_flagged_rows_total{reason}`) and `python -m mlops_runtime.review` (a report for
a person). numpy and pandas only; the cost is measured in benchmarks/bench_limits.py.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

RANGES_ARTIFACT = "feature_ranges.json"
POLICIES = ("return", "flag", "refuse")
OUT_OF_RANGE = "out_of_range"
LOW_CONFIDENCE = "low_confidence"
REASONS = (OUT_OF_RANGE, LOW_CONFIDENCE)


class LimitsError(ValueError):
    """A limits setting that cannot be used; the message names it."""


@dataclass(frozen=True)
class LimitsPolicy:
    """What counts as past the limits, and what serving does then."""

    action: str = "flag"
    max_ood_score: float = 0.0  # any value outside the training range
    min_confidence: float = 0.6

    def __post_init__(self) -> None:
        if self.action not in POLICIES:
            raise LimitsError(f"limits policy {self.action!r}: choose one of {', '.join(POLICIES)}")
        if not 0.5 <= self.min_confidence <= 1.0:
            raise LimitsError(f"min_confidence {self.min_confidence}: give a value in [0.5, 1]")
        if self.max_ood_score < 0:
            raise LimitsError(f"max_ood_score {self.max_ood_score}: give a value >= 0")

    @classmethod
    def from_env(cls) -> LimitsPolicy:
        """`SERVING_LIMITS_POLICY` (return | flag | refuse), `SERVING_MAX_OOD_SCORE`,
        `SERVING_MIN_CONFIDENCE`."""
        env = os.environ.get
        try:
            return cls(
                action=(env("SERVING_LIMITS_POLICY") or "flag").strip().lower(),
                max_ood_score=float(env("SERVING_MAX_OOD_SCORE") or 0.0),
                min_confidence=float(env("SERVING_MIN_CONFIDENCE") or 0.6),
            )
        except ValueError as exc:
            raise LimitsError(str(exc)) from None


def training_ranges(frame: Any, max_values: int = 200) -> dict[str, dict[str, Any]]:
    """Each column's training range: numeric `{"min", "max"}`, otherwise `{"values"}` (up to
    `max_values` distinct values; a column with more is not checked)."""
    import pandas as pd

    ranges: dict[str, dict[str, Any]] = {}
    for column in frame.columns:
        values = frame[column].dropna()
        if values.empty:
            continue
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            ranges[str(column)] = {"min": float(values.min()), "max": float(values.max())}
        else:
            seen = values.astype(str).unique().tolist()
            if len(seen) <= max_values:
                ranges[str(column)] = {"values": sorted(seen)}
    return ranges


@dataclass(frozen=True)
class RowLimits:
    """One row: its out-of-distribution score, the features past the range, the confidence and
    the flags (empty: within the limits)."""

    ood_score: float
    out_of_range: tuple[str, ...]
    confidence: float | None
    flags: tuple[str, ...]


class LimitsChecker:
    """Checks scored rows against one version's training ranges."""

    def __init__(self, ranges: dict[str, dict[str, Any]], policy: LimitsPolicy):
        self.policy = policy
        self.numeric = {c: (r["min"], max(r["max"] - r["min"], 1e-12))
                        for c, r in ranges.items() if "min" in r}  # fmt: skip
        self.categorical = {c: frozenset(r["values"]) for c, r in ranges.items() if "values" in r}

    def assess(self, rows: Any, probabilities: Any) -> list[RowLimits]:
        """The limits of each row (a DataFrame, or a list of {column: value} records as the
        serving app has them) scored with positive-class `probabilities`. Plain Python per
        value: a request's few rows cost microseconds, with no pandas column access."""
        records = rows.to_dict("records") if hasattr(rows, "to_dict") else rows
        limit, minimum = self.policy.max_ood_score, self.policy.min_confidence
        result = []
        for record, p in zip(records, probabilities, strict=True):
            score, past = 0.0, []
            for column, (low, width) in self.numeric.items():
                value = record.get(column)
                if value is None or value != value:  # missing or NaN: nothing to judge
                    continue
                outside = max(low - value, value - low - width, 0.0) / width
                if outside > limit:
                    past.append(column)
                score = max(score, outside)
            for column, seen in self.categorical.items():
                value = record.get(column)
                if value is not None and value == value and str(value) not in seen:
                    score = max(score, 1.0)
                    if limit < 1.0:
                        past.append(column)
            # no probability (a model served by its signature without predict_proba for two
            # classes): no confidence, the range check only
            confidence = None if p is None else (float(p) if p >= 0.5 else 1.0 - float(p))
            flags = ((OUT_OF_RANGE,) if score > limit else ()) + (
                (LOW_CONFIDENCE,) if confidence is not None and confidence < minimum else ()
            )
            result.append(RowLimits(score, tuple(past), confidence, flags))
        return result


def load_ranges(project: Any, name: str, version: str) -> dict[str, dict[str, Any]] | None:
    """The training ranges logged with a registered version's run, or None (an older version,
    or the registry is away: then rows get a confidence but no range check)."""
    try:
        import mlflow

        from .registry import client

        run_id = client(project).get_model_version(name, str(version)).run_id
        if not run_id:
            return None
        data = mlflow.artifacts.load_dict(f"runs:/{run_id}/{RANGES_ARTIFACT}")
    except Exception:  # best effort: the limits must never stop a model from being served
        return None
    return data if isinstance(data, dict) else None

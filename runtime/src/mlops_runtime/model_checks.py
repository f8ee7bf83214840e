"""Model tests: what a model must show on the holdout set before it may become `champion`.

- quality gate: every threshold of `quality_gate.thresholds`;
- challenger vs champion: not worse on the primary metric by more than `champion_margin`,
  both scored on the same holdout rows;
- prediction sanity: probabilities finite and in [0, 1], not (almost) constant, positive rate
  within bounds, mean probability close to the observed rate;
- slices: the slice metric for each value of `slice_column`;
- invariance: a row scores the same alone as in a batch, and shifting `invariance_column` by
  `invariance_delta` barely moves the predictions.

The pipeline's `test_model` step and the pytest tests in tests/model/ both call these. `cfg` is
the project's pipeline config (`load_config` hook): the checks read `cfg.quality_gate`
(`thresholds`, `primary_metric`) and `cfg.model_tests` (the fields named above); how a labelled
table becomes model inputs and metrics is the project's, given as a `Scoring`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

SLICE_METRICS = ("roc_auc", "accuracy")


@dataclass(frozen=True)
class Check:
    """One model test's outcome."""

    name: str
    passed: bool
    detail: str


@dataclass(frozen=True)
class Scoring:
    """The project's side of the model tests: the target column, how a labelled table becomes
    (features, labels), and the metrics of a model on them (`metrics(model, features, labels)`)."""

    target: str
    split_xy: Callable[[pd.DataFrame], tuple[Any, pd.Series]]
    metrics: Callable[[Any, Any, pd.Series], dict[str, float]]


def probabilities(model: Any, df: pd.DataFrame, scoring: Scoring) -> np.ndarray:
    """The model's probability of the positive class for each row of a labelled table."""
    features, _ = scoring.split_xy(df)
    return model.predict_proba(features)[:, 1]


def roc_auc(labels: pd.Series | np.ndarray, scores: np.ndarray) -> float:
    """ROC AUC by the rank-sum (Mann-Whitney) formula, ties averaged."""
    labels = np.asarray(labels).astype(bool)
    ranks = pd.Series(np.asarray(scores, dtype=float)).rank().to_numpy()
    positives, negatives = int(labels.sum()), int((~labels).sum())
    return float((ranks[labels].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def quality_gate(metrics: dict[str, float], cfg: Any) -> Check:
    """Every threshold of `cfg.quality_gate.thresholds` met on the holdout metrics."""
    missed = [
        f"{name} {metrics.get(name, float('nan')):.4f} < {threshold:.4f}"
        for name, threshold in cfg.quality_gate.thresholds.items()
        if not metrics.get(name, float("-inf")) >= threshold
    ]
    shown = ", ".join(f"{k} {metrics[k]:.4f}" for k in cfg.quality_gate.thresholds if k in metrics)
    return Check("quality_gate", not missed, "; ".join(missed) or f"all thresholds met ({shown})")


def champion_comparison(
    metrics: dict[str, float], champion_metrics: dict[str, float] | None, cfg: Any
) -> Check:
    """Not worse than the champion on the primary metric by more than `champion_margin`."""
    metric, margin = cfg.quality_gate.primary_metric, cfg.model_tests.champion_margin
    if champion_metrics is None:
        return Check("challenger_vs_champion", True, "no champion yet")
    new, old = metrics[metric], champion_metrics[metric]
    passed = new >= old - margin
    return Check(
        "challenger_vs_champion",
        passed,
        f"{metric} {new:.4f} vs champion {old:.4f} (may trail by at most {margin:g})",
    )


def prediction_sanity(scores: np.ndarray, labels: pd.Series, cfg: Any) -> list[Check]:
    """Probabilities finite and in [0, 1], spread, positive rate and calibration in bounds."""
    rules = cfg.model_tests
    in_range = bool(np.isfinite(scores).all() and ((scores >= 0) & (scores <= 1)).all())
    low, high = rules.positive_rate
    positive_rate = float((scores >= 0.5).mean())
    spread = float(scores.std())
    gap = abs(float(scores.mean()) - float(labels.mean()))
    return [
        Check("prediction_range", in_range, "probabilities finite and within [0, 1]"),
        Check(
            "prediction_spread",
            spread >= rules.min_prediction_std,
            f"std {spread:.4f} (at least {rules.min_prediction_std:g})",
        ),
        Check(
            "positive_rate",
            low <= positive_rate <= high,
            f"{positive_rate:.3f} predicted positive (allowed {low:g}..{high:g})",
        ),
        Check(
            "calibration_in_the_large",
            gap <= rules.max_calibration_gap,
            f"mean probability {scores.mean():.3f} vs observed rate {labels.mean():.3f} "
            f"(gap at most {rules.max_calibration_gap:g})",
        ),
    ]


def _slice_metric(name: str, labels: pd.Series, scores: np.ndarray) -> float | None:
    if name == "roc_auc":
        return roc_auc(labels, scores) if labels.nunique() > 1 else None
    if name == "accuracy":
        return float((np.asarray(labels) == (scores >= 0.5).astype(int)).mean())
    raise ValueError(f"unknown slice metric {name!r}; use one of {SLICE_METRICS}")


def slice_metrics(
    df: pd.DataFrame, scores: np.ndarray, cfg: Any, target: str
) -> tuple[dict[str, dict[str, Any]], Check]:
    """The slice metric per value of the slice column, and whether every gated slice passes."""
    rules = cfg.model_tests
    if not rules.slice_column:
        return {}, Check("slices", True, "no slice column configured")
    results: dict[str, dict[str, Any]] = {}
    failing = []
    for value, index in df.groupby(rules.slice_column).groups.items():
        positions = df.index.get_indexer(index)
        value_score = _slice_metric(rules.slice_metric, df.loc[index, target], scores[positions])
        gated = value_score is not None and len(index) >= rules.min_slice_rows
        results[str(value)] = {"rows": len(index), rules.slice_metric: value_score, "gated": gated}
        if gated and value_score < rules.min_slice_metric:
            failing.append(f"{value} {value_score:.4f}")
    detail = (
        f"{rules.slice_metric} below {rules.min_slice_metric:g} for: " + ", ".join(failing)
        if failing
        else f"every slice of {rules.slice_column} with {rules.min_slice_rows}+ rows has "
        f"{rules.slice_metric} >= {rules.min_slice_metric:g}"
    )
    return results, Check("slices", not failing, detail)


def invariance(model: Any, df: pd.DataFrame, cfg: Any, scoring: Scoring) -> list[Check]:
    """A row scores the same alone as in a batch; a small shift barely moves predictions."""
    rules = cfg.model_tests
    sample = df.head(50).reset_index(drop=True)
    batch = probabilities(model, sample, scoring)
    alone = np.array(
        [probabilities(model, sample.iloc[[i]], scoring)[0] for i in range(len(sample))]
    )
    worst = float(np.abs(batch - alone).max()) if len(sample) else 0.0
    checks = [
        Check(
            "batch_invariance",
            worst <= 1e-9,
            f"largest difference between batch and one-row scoring {worst:.2e}",
        )
    ]
    if rules.invariance_column:
        shifted = df.copy()
        shifted[rules.invariance_column] = shifted[rules.invariance_column] + rules.invariance_delta
        change = float(
            np.abs(
                probabilities(model, shifted, scoring) - probabilities(model, df, scoring)
            ).mean()
        )
        checks.append(
            Check(
                "perturbation_invariance",
                change <= rules.max_invariance_change,
                f"{rules.invariance_column} + {rules.invariance_delta:g} moves probabilities by "
                f"{change:.4f} on average (at most {rules.max_invariance_change:g})",
            )
        )
    return checks


def _finite(metrics: dict[str, float]) -> dict[str, float | None]:
    return {k: (v if math.isfinite(v) else None) for k, v in metrics.items()}


def run_model_tests(
    model: Any, holdout: pd.DataFrame, cfg: Any, scoring: Scoring, champion: Any | None = None
) -> dict[str, Any]:
    """Every model test on the holdout set; a JSON-serialisable report with `passed`."""
    holdout = holdout.reset_index(drop=True)
    features, labels = scoring.split_xy(holdout)
    metrics = scoring.metrics(model, features, labels)
    champion_metrics = scoring.metrics(champion, features, labels) if champion is not None else None
    scores = probabilities(model, holdout, scoring)
    slices, slice_check = slice_metrics(holdout, scores, cfg, scoring.target)
    checks = [
        quality_gate(metrics, cfg),
        champion_comparison(metrics, champion_metrics, cfg),
        *prediction_sanity(scores, labels, cfg),
        slice_check,
        *invariance(model, holdout, cfg, scoring),
    ]
    flat = {
        f"slice_{cfg.model_tests.slice_column}_{value}_{cfg.model_tests.slice_metric}": result[
            cfg.model_tests.slice_metric
        ]
        for value, result in slices.items()
        if result[cfg.model_tests.slice_metric] is not None
    }
    return {
        "passed": all(c.passed for c in checks),
        "checks": [asdict(c) for c in checks],
        "metrics": _finite(metrics),
        "champion_metrics": _finite(champion_metrics) if champion_metrics else None,
        "slices": slices,
        "slice_metrics_flat": flat,
        "holdout_rows": len(holdout),
    }

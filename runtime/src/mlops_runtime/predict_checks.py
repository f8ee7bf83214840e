"""Model tests for any model with a `predict(features)`: what `make test-model` checks in a
project adopted around a team's own package, whatever the model's class (the churn example's
probability checks are `model_checks`).

Each check returns a `model_checks.Check`:

- `predictions`: one prediction per row, none missing; a classifier predicts only labels it was
  trained on, a regressor finite numbers;
- `batch_invariance`: a row predicts the same alone as in a batch, and the same batch twice;
- `quality_gate`: every `metric: minimum` of the project's quality gate met;
- `beats_baseline`: the primary metric above a trivial model's (`baseline`: the most frequent
  training label, or the training mean) on the same rows;
- `signature_columns`: a model signature (MLflow's) whose inputs are the table's feature
  columns, with an output.

Metrics are "higher is better", as in the quality gate. Only numpy and pandas are imported.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .model_checks import Check

# A target of integers (or labels) with at most this many values is a classification target.
MAX_CLASSES = 20


def is_classification(target: pd.Series) -> bool:
    """Labels (text, booleans, categories, or at most MAX_CLASSES whole numbers), not a
    quantity to regress."""
    values = pd.Series(target).dropna()
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return True
    whole = bool((values.astype(float) % 1 == 0).all())
    return whole and values.nunique() <= MAX_CLASSES


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _predict(model: Any, features: pd.DataFrame) -> np.ndarray:
    return np.asarray(model.predict(features))


def predictions(model: Any, features: pd.DataFrame, train_target: pd.Series) -> Check:
    """One prediction per row, none missing, of the target's kind: labels seen in training for
    a classifier, finite numbers for a regressor."""
    made = _predict(model, features)
    problems = []
    if made.ndim == 0 or len(made) != len(features):
        got = "one value" if made.ndim == 0 else f"{len(made)} predictions"
        problems.append(f"{got} for {len(features)} rows")
    elif pd.isna(pd.DataFrame(made.reshape(len(made), -1))).to_numpy().any():
        problems.append("missing predictions (NaN or None)")
    elif is_classification(train_target):
        known = {_plain(v) for v in pd.Series(train_target).dropna().unique()}
        unknown = sorted({_plain(v) for v in made.ravel()} - known, key=str)
        if unknown:
            seen = sorted(known, key=str)[:10]
            problems.append(f"labels never seen in training: {unknown[:5]} (trained on {seen})")
    elif not np.isfinite(made.astype(float)).all():
        problems.append("predictions that are not finite numbers")
    kind = "labels seen in training" if is_classification(train_target) else "finite numbers"
    return Check(
        "predictions", not problems, "; ".join(problems) or f"one per row ({len(made)}), {kind}"
    )


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    if a.shape != b.shape:
        return False
    if np.issubdtype(a.dtype, np.number) and np.issubdtype(b.dtype, np.number):
        return bool(np.allclose(a, b, rtol=1e-9, atol=1e-9, equal_nan=True))
    return bool((a == b).all())


def batch_invariance(model: Any, features: pd.DataFrame, rows: int = 20) -> Check:
    """The first `rows` rows predicted as a batch, each row alone, and the batch again: the
    same predictions every time."""
    sample = features.head(rows)
    batch = _predict(model, sample)
    again = _predict(model, sample)
    alone = [_predict(model, sample.iloc[[i]]) for i in range(len(sample))]
    differ = [i for i, one in enumerate(alone) if not _same(one.reshape(-1), batch[i].reshape(-1))]
    problems = []
    if differ:
        problems.append(f"rows {differ[:5]} predict otherwise alone than in a batch")
    if not _same(batch, again):
        problems.append("the same rows predict differently a second time")
    return Check(
        "batch_invariance",
        not problems,
        "; ".join(problems) or f"{len(sample)} rows: alone as in a batch, and twice the same",
    )


def quality_gate(metrics: Mapping[str, float], minimums: Mapping[str, float]) -> Check:
    """Every `metric: minimum` met (a metric not measured misses its minimum)."""
    missed = [
        f"{name} {metrics.get(name, float('nan')):.4f} < {float(minimum):g}"
        for name, minimum in minimums.items()
        if not metrics.get(name, float("-inf")) >= float(minimum)
    ]
    shown = ", ".join(f"{k} {v:.4f}" for k, v in sorted(metrics.items()))
    if not minimums:
        return Check("quality_gate", True, f"no minimum set (quality_gate); measured {shown}")
    return Check("quality_gate", not missed, "; ".join(missed) or f"every minimum met ({shown})")


class MeanBaseline:
    """A trivial regressor: the training target's mean for every row."""

    def __init__(self, train_target: pd.Series) -> None:
        self.value = float(pd.Series(train_target).dropna().mean())

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        """The training mean, once per row."""
        return np.full(len(features), self.value)


class MajorityBaseline:
    """A trivial classifier: the most frequent training label for every row, the training
    label frequencies as its probabilities."""

    def __init__(self, train_target: pd.Series) -> None:
        target = pd.Series(train_target).dropna()
        shares = target.value_counts(normalize=True).sort_index()
        self.classes_ = shares.index.to_numpy()
        self.shares = shares.to_numpy()
        self.label = target.value_counts().idxmax()
        self.dtype = target.dtype

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        """The most frequent label, once per row, of the target's type."""
        return pd.Series([self.label] * len(features), dtype=self.dtype).to_numpy()

    def predict_proba(self, features: pd.DataFrame) -> np.ndarray:
        """The training frequencies of `classes_`, once per row."""
        return np.tile(self.shares, (len(features), 1))


def baseline(train_target: pd.Series) -> MajorityBaseline | MeanBaseline:
    """The trivial model for the target's kind (`is_classification`)."""
    if is_classification(train_target):
        return MajorityBaseline(train_target)
    return MeanBaseline(train_target)


def primary_metric(configured: str | None, minimums: Mapping[str, float]) -> str:
    """The metric a model is compared on: the configured one, else the quality gate's first,
    else accuracy (as the pipeline's champion decision)."""
    return configured or next(iter(minimums), None) or "accuracy"


def beats_baseline(
    metrics: Mapping[str, float], baseline_metrics: Mapping[str, float], metric: str
) -> Check:
    """The model's `metric` above the trivial baseline's, both measured on the same rows."""
    if metric not in metrics:
        return Check(
            "beats_baseline",
            False,
            f"{metric} is not among the measured metrics ({', '.join(sorted(metrics))}): "
            "set primary_metric to one of them",
        )
    new, base = metrics[metric], baseline_metrics.get(metric, float("nan"))
    passed = bool(new > base)
    verdict = "above" if passed else "not above"
    return Check(
        "beats_baseline", passed, f"{metric} {new:.4f} {verdict} the trivial baseline's {base:.4f}"
    )


def signature_columns(signature: Any, features: pd.DataFrame) -> Check:
    """An MLflow `ModelSignature` whose inputs are the feature columns (any order), with an
    output; None (no signature) fails."""
    if signature is None:
        return Check("signature", False, "no signature: serving cannot check rows against it")
    inputs = list(signature.inputs.input_names())
    missing = [c for c in features.columns if c not in inputs]
    extra = [c for c in inputs if c not in features.columns]
    problems = []
    if missing:
        problems.append(f"lacks feature columns {missing[:10]}")
    if extra:
        problems.append(f"names columns the table has not {extra[:10]}")
    if signature.outputs is None:
        problems.append("has no output")
    return Check(
        "signature",
        not problems,
        "; ".join(problems) or f"inputs are the {len(inputs)} feature columns, with an output",
    )

"""Explanations: which features a model relies on overall, and what moved one prediction.

- Global, at evaluation: `global_importance` is scikit-learn's permutation importance on the
  holdout set (model-agnostic: each input column is shuffled in turn and the drop of the primary
  metric measured, `n_repeats` times), logged as the run artifact `feature_importance.json`
  (`{feature: {"mean", "std"}}`, most important first) and shown in the model card and the
  release notes. `baseline_row` (median of each numeric column, most frequent value otherwise, of
  the training data) is logged beside it as `explanation_baseline.json`.
- Per prediction, on request (`/predict?explain=true`): `local_contributions` substitutes the
  baseline for one feature at a time and reports how much the probability moves:
  contribution = p(row) - p(row with that feature at its baseline value). A positive
  contribution pushed the probability up. All rows x features variants are scored in one call,
  so a one-row explanation of ten features costs one model call on eleven rows. It is exact for
  a model additive in its features (a linear model on the probability scale) and a one-at-a-time
  approximation otherwise: it shows each feature's effect with the others held, not an
  attribution that sums to the prediction (docs/runtime.md says why not SHAP).

Nothing heavy is imported at module level (scikit-learn and pandas inside the functions).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

IMPORTANCE_ARTIFACT = "feature_importance.json"
BASELINE_ARTIFACT = "explanation_baseline.json"
MAX_EXPLAINED_ROWS = 100  # rows x features variants are scored per request
DEFAULT_TOP = 5
_SCORERS = {"roc_auc": "roc_auc", "accuracy": "accuracy", "f1": "f1", "precision": "precision",
            "recall": "recall"}  # fmt: skip


def global_importance(
    model: Any,
    features: Any,
    target: Any,
    *,
    metric: str = "roc_auc",
    n_repeats: int = 5,
    random_state: int = 0,
    max_rows: int = 5000,
) -> dict[str, dict[str, float]]:
    """Permutation importance of each input column on a labelled holdout table: the mean (and
    standard deviation) drop of `metric` when that column is shuffled, most important first."""
    from sklearn.inspection import permutation_importance

    if len(features) > max_rows:  # bounded cost on a large holdout set
        features = features.sample(max_rows, random_state=random_state)
        target = target.loc[features.index]
    result = permutation_importance(
        model, features, target, scoring=_SCORERS.get(metric, "roc_auc"),
        n_repeats=n_repeats, random_state=random_state,
    )  # fmt: skip
    table = {
        str(column): {"mean": float(mean), "std": float(std)}
        for column, mean, std in zip(
            features.columns, result.importances_mean, result.importances_std, strict=True
        )
    }
    return dict(sorted(table.items(), key=lambda item: (-item[1]["mean"], item[0])))


def baseline_row(frame: Any) -> dict[str, Any]:
    """The reference row explanations substitute: each numeric column's median, the most
    frequent value of any other column (JSON-serialisable)."""
    import pandas as pd

    row: dict[str, Any] = {}
    for column in frame.columns:
        values = frame[column].dropna()
        if values.empty:
            row[str(column)] = None
        elif pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            median = float(values.median())
            integer = pd.api.types.is_integer_dtype(values)
            row[str(column)] = int(round(median)) if integer else median
        else:
            row[str(column)] = _plain(values.mode().iloc[0])
    return row


def contract_baseline(features: Sequence[Any]) -> dict[str, Any]:
    """A stand-in baseline from the data contract's columns (midpoint of a range, first allowed
    value), for versions trained before the baseline was logged."""
    row: dict[str, Any] = {}
    for spec in features:
        if spec.allowed_values:
            row[spec.name] = spec.allowed_values[0]
        elif spec.minimum is not None and spec.maximum is not None:
            middle = (spec.minimum + spec.maximum) / 2
            row[spec.name] = int(middle) if spec.type == "integer" else float(middle)
        else:
            row[spec.name] = 0 if spec.type in ("integer", "number") else ""
    return row


@dataclass(frozen=True)
class Contribution:
    """One feature's part in one prediction: its value, the baseline it was compared with, and
    p(row) - p(row with the baseline value)."""

    feature: str
    value: Any
    baseline: Any
    contribution: float


def local_contributions(
    probability: Callable[[Any], Sequence[float]],
    rows: Any,
    baseline: dict[str, Any],
    *,
    top: int = DEFAULT_TOP,
) -> list[list[Contribution]]:
    """For each row, the `top` features whose baseline substitution moves the probability most
    (by absolute change, largest first). `probability(frame)` scores a table (one call)."""
    import numpy as np
    import pandas as pd

    columns = [c for c in rows.columns if c in baseline]
    n, k = len(rows), len(columns)
    variants = pd.concat([rows] + [rows.assign(**{c: baseline[c]}) for c in columns],
                         ignore_index=True)  # fmt: skip
    scored = np.asarray(probability(variants), dtype=float)
    original, substituted = scored[:n], scored[n:].reshape(k, n)
    explained = []
    for i in range(n):
        deltas = original[i] - substituted[:, i]
        order = sorted(range(k), key=lambda j: (-abs(deltas[j]), columns[j]))[: max(top, 0)]
        explained.append([
            Contribution(columns[j], _plain(rows.iloc[i][columns[j]]), baseline[columns[j]],
                         float(deltas[j]))
            for j in order
        ])  # fmt: skip
    return explained


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def load_baseline(project: Any, name: str, version: str) -> dict[str, Any] | None:
    """The baseline logged with a registered version's run, or None (an older version, or the
    registry is away: the caller falls back to `contract_baseline`)."""
    try:
        import mlflow

        from .registry import client

        run_id = client(project).get_model_version(name, str(version)).run_id
        if not run_id:
            return None
        data = mlflow.artifacts.load_dict(f"runs:/{run_id}/{BASELINE_ARTIFACT}")
    except Exception:  # best effort: explanations must never stop a model from being served
        return None
    return data if isinstance(data, dict) else None


def log_explanations(importance: dict[str, Any], baseline: dict[str, Any]) -> None:
    """Log both artifacts to the active MLflow run."""
    import mlflow

    mlflow.log_dict(importance, IMPORTANCE_ARTIFACT)
    mlflow.log_dict(baseline, BASELINE_ARTIFACT)

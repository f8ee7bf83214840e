"""The reference profile: what each feature and the prediction looked like in the training data.

Numeric columns keep quantile bin edges with the share of rows in each bin (for PSI), a small
random sample (for the KS test) and summary statistics; categorical columns keep the share of
each value, with the rare ones pooled into an "other" bucket. Saved as JSON next to the model,
logged to its MLflow run and named on the model version (tag `reference_profile`), so the drift
job compares live traffic with the data the served model actually learnt from.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

PROFILE_FILE = "reference_profile.json"
ARTIFACT_PATH = f"monitoring/{PROFILE_FILE}"
TAG = "reference_profile"
OTHER = "__other__"
PREDICTION = "prediction"


def bin_counts(edges: list[float], values: np.ndarray) -> np.ndarray:
    """Rows per bin: (-inf, e1], (e1, e2], ..., (e_k, inf), for the interior `edges`."""
    ordered = np.sort(np.asarray(values, dtype="float64"))
    cuts = np.searchsorted(ordered, np.asarray(edges, dtype="float64"), side="right")
    return np.diff(np.concatenate([[0], cuts, [len(ordered)]]))


def numeric_profile(values: pd.Series, bins: int, sample_size: int, rng) -> dict[str, Any]:
    """Quantile bin edges and shares, a sample and a summary of a numeric column."""
    clean = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64")
    nulls = float(np.isnan(clean).mean()) if len(clean) else 0.0
    clean = clean[~np.isnan(clean)]
    if len(clean) == 0:
        raise ValueError(f"column {values.name!r} has no numeric values to profile")
    quantiles = np.quantile(clean, np.linspace(0, 1, bins + 1)[1:-1])
    edges = sorted(set(float(q) for q in quantiles))  # ties (discrete columns) merge bins
    counts = bin_counts(edges, clean)
    sample = rng.choice(clean, size=min(sample_size, len(clean)), replace=False)
    return {
        "kind": "numeric",
        "rows": int(len(clean)),
        "null_fraction": nulls,
        "edges": edges,
        "proportions": (counts / counts.sum()).tolist(),
        "sample": np.sort(sample).tolist(),
        "mean": float(clean.mean()),
        "std": float(clean.std()),
        "min": float(clean.min()),
        "max": float(clean.max()),
    }


def categorical_profile(values: pd.Series, top: int) -> dict[str, Any]:
    """Shares of the `top` categories of a column, the rest in an `__other__` bucket."""
    shares = values.astype("string").fillna("<null>").value_counts(normalize=True)
    kept = shares.iloc[:top]
    frequencies = {str(k): float(v) for k, v in kept.items()}
    rest = float(shares.iloc[top:].sum())
    frequencies[OTHER] = rest
    return {"kind": "categorical", "rows": int(len(values)), "frequencies": frequencies}


def build_profile(
    features: pd.DataFrame,
    predictions: Any,
    bins: int = 10,
    sample_size: int = 1000,
    top: int = 20,
    seed: int = 0,
) -> dict[str, Any]:
    """Profile every column of `features` and the predicted probabilities."""
    rng = np.random.default_rng(seed)
    profile: dict[str, Any] = {
        "version": 1,
        "created_at": time.time(),
        "rows": int(len(features)),
        "features": {},
    }
    for column in features.columns:
        series = features[column]
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            profile["features"][column] = numeric_profile(series, bins, sample_size, rng)
        else:
            profile["features"][column] = categorical_profile(series, top)
    scores = pd.Series(np.asarray(predictions, dtype="float64"), name=PREDICTION)
    profile[PREDICTION] = numeric_profile(scores, bins, sample_size, rng)
    return profile


def save_profile(profile: dict[str, Any], path: str | Path) -> Path:
    """Write a profile as JSON at `path` (folders made as needed); return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(profile, indent=1), encoding="utf-8")
    return path


def load_profile(uri: str | Path) -> dict[str, Any]:
    """A profile from a local path, any fsspec URI, or an MLflow `runs:/` / `models:/` URI."""
    uri = str(uri)
    if uri.startswith(("runs:/", "models:/", "mlflow-artifacts:")):
        import mlflow.artifacts

        return mlflow.artifacts.load_dict(uri)
    import fsspec

    with fsspec.open(uri, "r", encoding="utf-8") as handle:
        return json.load(handle)


def profile_for_version(name: str, version: str, tracking_uri: str) -> dict[str, Any]:
    """The reference profile named on a registered model version (its `reference_profile` tag)."""
    import mlflow
    from mlflow.tracking import MlflowClient

    mlflow.set_tracking_uri(tracking_uri)
    client = MlflowClient()
    model_version = client.get_model_version(name, version)
    uri = model_version.tags.get(TAG) or _same_data_profile(client, name, model_version)
    if not uri:
        if not model_version.run_id:
            raise LookupError(f"model {name} version {version} has no reference profile")
        uri = f"runs:/{model_version.run_id}/{ARTIFACT_PATH}"
    return load_profile(uri)


def _same_data_profile(client: Any, name: str, model_version: Any) -> str | None:
    """A version trained before level 3 has no profile of its own; the newest version trained
    on the same data (same `lineage.data_digest`) has that data's profile."""
    digest = model_version.tags.get("lineage.data_digest")
    if not digest:
        return None
    same_data = [
        version
        for version in client.search_model_versions(f"name = '{name}'")
        if version.tags.get("lineage.data_digest") == digest and version.tags.get(TAG)
    ]
    newest = max(same_data, key=lambda version: int(version.version), default=None)
    return newest.tags[TAG] if newest is not None else None

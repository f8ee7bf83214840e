"""Builds the estimator from hyperparameters, and scores it."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score, roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from .data import CATEGORICAL_COLUMNS, NUMERIC_COLUMNS

DEFAULT_MODEL_TYPE = "logistic_regression"
DEFAULT_PARAMS: dict[str, dict[str, Any]] = {
    "logistic_regression": {"C": 1.0, "max_iter": 1000},
    "random_forest": {"n_estimators": 200, "max_depth": 6, "random_state": 42},
}
_ESTIMATORS = {"logistic_regression": LogisticRegression, "random_forest": RandomForestClassifier}


def build_model(
    model_type: str = DEFAULT_MODEL_TYPE, params: dict[str, Any] | None = None
) -> Pipeline:
    """Preprocessing (scaling, one-hot encoding) followed by the chosen classifier."""
    if model_type not in _ESTIMATORS:
        raise ValueError(f"unknown model type {model_type!r}; choose one of {sorted(_ESTIMATORS)}")
    hyperparameters = {**DEFAULT_PARAMS[model_type], **(params or {})}
    preprocess = ColumnTransformer(
        [
            ("numeric", StandardScaler(), NUMERIC_COLUMNS),
            ("categorical", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL_COLUMNS),
        ]
    )
    return Pipeline(
        [("preprocess", preprocess), ("classifier", _ESTIMATORS[model_type](**hyperparameters))]
    )


def score(model: Pipeline, features: pd.DataFrame, target: pd.Series) -> dict[str, float]:
    """Classification metrics of a fitted model on a labelled table."""
    probabilities = model.predict_proba(features)[:, 1]
    predictions = (probabilities >= 0.5).astype(int)
    return {
        "roc_auc": float(roc_auc_score(target, probabilities)),
        "accuracy": float(accuracy_score(target, predictions)),
        "precision": float(precision_score(target, predictions, zero_division=0)),
        "recall": float(recall_score(target, predictions, zero_division=0)),
        "f1": float(f1_score(target, predictions, zero_division=0)),
    }

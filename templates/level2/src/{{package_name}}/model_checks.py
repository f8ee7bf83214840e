"""Model tests: what a model must show on the holdout set before it may become `champion`
(quality gate, challenger vs champion, prediction sanity, slices, invariance; the rules are
`quality_gate` and `model_tests` in config/pipeline.yaml). The checks are the platform's
(`mlops_runtime.model_checks`); how a table becomes features and metrics is this package's.
The pipeline's `test_model` step and the tests in tests/model/ both call these."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from mlops_runtime import model_checks as _checks
from mlops_runtime.model_checks import Check, champion_comparison, prediction_sanity, quality_gate

from .config import PipelineConfig
from .data import TARGET
from .features import split_xy
from .model import score

__all__ = ["Check", "champion_comparison", "prediction_sanity", "quality_gate"]
SCORING = _checks.Scoring(target=TARGET, split_xy=split_xy, metrics=score)


def probabilities(model: Any, df: pd.DataFrame) -> np.ndarray:
    return _checks.probabilities(model, df, SCORING)


def slice_metrics(df: pd.DataFrame, scores: np.ndarray, cfg: PipelineConfig):
    return _checks.slice_metrics(df, scores, cfg, TARGET)


def invariance(model: Any, df: pd.DataFrame, cfg: PipelineConfig) -> list[Check]:
    return _checks.invariance(model, df, cfg, SCORING)


def run_model_tests(
    model: Any, holdout: pd.DataFrame, cfg: PipelineConfig, champion: Any | None = None
) -> dict[str, Any]:
    """Every model test on the holdout set; a JSON-serialisable report with `passed`."""
    return _checks.run_model_tests(model, holdout, cfg, SCORING, champion)

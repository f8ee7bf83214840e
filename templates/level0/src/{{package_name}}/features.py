"""Feature columns, target and the train/test split."""

from __future__ import annotations

import pandas as pd
from sklearn.model_selection import train_test_split

from .data import CATEGORICAL_COLUMNS, NUMERIC_COLUMNS, TARGET

FEATURE_COLUMNS = NUMERIC_COLUMNS + CATEGORICAL_COLUMNS


def split_xy(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Split a table into the feature frame and the target series."""
    missing = [c for c in [*FEATURE_COLUMNS, TARGET] if c not in df.columns]
    if missing:
        raise KeyError(f"missing columns: {', '.join(missing)}")
    return df[FEATURE_COLUMNS], df[TARGET]


def train_test_frames(
    df: pd.DataFrame, test_size: float = 0.2, seed: int = 42
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stratified split of the whole table into a train and a test table."""
    train, test = train_test_split(df, test_size=test_size, random_state=seed, stratify=df[TARGET])
    return train.reset_index(drop=True), test.reset_index(drop=True)

"""Seeded churn-like sample data with numeric and categorical columns (like a generated
project's `data.py`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

NUMERIC_COLUMNS = ["tenure_months", "monthly_charges", "support_calls", "age"]
CATEGORICAL_COLUMNS = ["contract"]
FEATURE_COLUMNS = NUMERIC_COLUMNS + CATEGORICAL_COLUMNS
TARGET = "churned"
CONTRACTS = ["month-to-month", "one-year", "two-year"]
_CONTRACT_EFFECT = {"month-to-month": 1.0, "one-year": -0.3, "two-year": -1.2}


def generate(n_rows: int = 2000, seed: int = 42) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    tenure = rng.integers(1, 73, n_rows)
    monthly = rng.normal(70.0, 20.0, n_rows).clip(18.0, 120.0).round(2)
    support_calls = rng.poisson(1.5, n_rows)
    age = rng.integers(18, 80, n_rows)
    contract = rng.choice(CONTRACTS, n_rows, p=[0.5, 0.3, 0.2])
    logit = (
        -0.6
        - 0.045 * tenure
        + 0.025 * (monthly - 70.0)
        + 0.5 * support_calls
        + np.array([_CONTRACT_EFFECT[c] for c in contract])
    )
    churned = (rng.random(n_rows) < 1.0 / (1.0 + np.exp(-logit))).astype(int)
    return pd.DataFrame(
        {
            "tenure_months": tenure,
            "monthly_charges": monthly,
            "support_calls": support_calls,
            "age": age,
            "contract": contract,
            TARGET: churned,
        }
    )

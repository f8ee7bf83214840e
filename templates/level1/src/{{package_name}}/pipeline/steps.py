"""The pipeline steps, as plain functions over file paths.

Each step reads what the previous one wrote and returns small JSON-serialisable values (paths,
the MLflow run id, metrics), so orchestrators can pass them between tasks.
"""

from __future__ import annotations

import json
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import joblib
import mlflow
import mlflow.sklearn
import pandas as pd
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

from ..config import PIPELINE_NAME, PipelineConfig, load_config
from ..data import CATEGORICAL_COLUMNS, NUMERIC_COLUMNS, TARGET, generate
from ..features import FEATURE_COLUMNS, split_xy, train_test_frames
from ..model import build_model, score
from ..tracking import configure

TRAIN_FILE = "train.csv"
TEST_FILE = "test.csv"
MODEL_FILE = "model.joblib"
EVALUATION_FILE = "evaluation.json"
CANDIDATE = "candidate"
CHAMPION = "champion"


class DataValidationError(ValueError):
    """The data broke one or more checks; `failures` lists every one of them."""

    def __init__(self, failures: list[str]):
        self.failures = failures
        super().__init__(
            f"data validation failed with {len(failures)} problem(s):\n"
            + "\n".join(f"  - {failure}" for failure in failures)
        )


def _config(config: PipelineConfig | str | Path | None) -> PipelineConfig:
    return config if isinstance(config, PipelineConfig) else load_config(config)


def prepare(data_dir: str | Path, config: PipelineConfig | str | Path | None = None) -> dict:
    """Load the source data (or generate the sample), split it, write train/test CSVs."""
    cfg = _config(config)
    if cfg.data.source:
        df = pd.read_csv(cfg.data.source)
    else:
        df = generate(n_rows=cfg.data.n_rows, seed=cfg.data.seed)
    train_df, test_df = train_test_frames(df, test_size=cfg.data.test_size, seed=cfg.data.seed)
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    train_df.to_csv(data_dir / TRAIN_FILE, index=False)
    test_df.to_csv(data_dir / TEST_FILE, index=False)
    return {"data_dir": str(data_dir), "train_rows": len(train_df), "test_rows": len(test_df)}


def check_frame(df: pd.DataFrame, cfg: PipelineConfig, name: str = "data") -> list[str]:
    """Every problem of one table: schema, types, nulls, ranges, allowed values, row count."""
    rules = cfg.validation
    failures = []
    expected = [*FEATURE_COLUMNS, TARGET]
    missing = [c for c in expected if c not in df.columns]
    if missing:
        failures.append(f"{name}: missing columns {missing}")
    if len(df) < rules.min_rows:
        failures.append(f"{name}: {len(df)} rows, fewer than the minimum {rules.min_rows}")
    for column in [c for c in expected if c in df.columns]:
        nulls = float(df[column].isna().mean()) if len(df) else 0.0
        if nulls > rules.max_null_fraction:
            failures.append(
                f"{name}: column {column!r} is {nulls:.1%} null "
                f"(at most {rules.max_null_fraction:.1%} allowed)"
            )
    for column in [c for c in NUMERIC_COLUMNS if c in df.columns]:
        if not pd.api.types.is_numeric_dtype(df[column]):
            failures.append(f"{name}: column {column!r} is not numeric ({df[column].dtype})")
            continue
        if column in rules.ranges:
            low, high = rules.ranges[column]
            values = df[column].dropna()
            outside = values[(values < low) | (values > high)]
            if len(outside):
                failures.append(
                    f"{name}: column {column!r} has {len(outside)} value(s) outside "
                    f"[{low:g}, {high:g}], e.g. {outside.iloc[0]}"
                )
    for column, allowed in rules.allowed_values.items():
        if column in df.columns:
            unexpected = sorted(set(df[column].dropna()) - set(allowed), key=str)
            if unexpected:
                failures.append(f"{name}: column {column!r} has unexpected values {unexpected[:5]}")
    for column in CATEGORICAL_COLUMNS:
        if column in df.columns and pd.api.types.is_numeric_dtype(df[column]):
            failures.append(f"{name}: column {column!r} should be categorical (text)")
    return failures


def validate(data_dir: str | Path, config: PipelineConfig | str | Path | None = None) -> dict:
    """Check the train and test CSVs; raise DataValidationError listing all failures."""
    cfg = _config(config)
    data_dir = Path(data_dir)
    failures = []
    rows = {}
    for file_name in (TRAIN_FILE, TEST_FILE):
        path = data_dir / file_name
        if not path.is_file():
            failures.append(f"{file_name}: file not found in {data_dir}")
            continue
        df = pd.read_csv(path)
        rows[file_name] = len(df)
        failures.extend(check_frame(df, cfg, name=file_name))
    if failures:
        raise DataValidationError(failures)
    return {"data_dir": str(data_dir), "rows": rows}


def train(
    data_dir: str | Path,
    model_dir: str | Path,
    config: PipelineConfig | str | Path | None = None,
) -> dict:
    """Fit the model on train.csv, save it to model_dir, log params to a new MLflow run."""
    cfg = _config(config)
    train_df = pd.read_csv(Path(data_dir) / TRAIN_FILE)
    model = build_model(cfg.model.type, cfg.model.params)
    model.fit(*split_xy(train_df))
    model_dir = Path(model_dir)
    model_dir.mkdir(parents=True, exist_ok=True)
    model_path = model_dir / MODEL_FILE
    joblib.dump(model, model_path)

    configure(cfg.registry.experiment)
    with mlflow.start_run(run_name=PIPELINE_NAME) as run:
        mlflow.log_params({"model_type": cfg.model.type, **cfg.model.params})
        mlflow.log_params(
            {"n_rows": cfg.data.n_rows, "seed": cfg.data.seed, "test_size": cfg.data.test_size}
        )
        mlflow.log_metric("train_rows", len(train_df))
        mlflow.set_tag("pipeline", PIPELINE_NAME)
    return {"model_path": str(model_path), "run_id": run.info.run_id}


def quality_gate(metrics: dict[str, float], cfg: PipelineConfig) -> list[str]:
    """The thresholds the metrics miss (empty when the gate passes)."""
    return [
        f"{name} {metrics.get(name, float('nan')):.4f} < {threshold:.4f}"
        for name, threshold in cfg.quality_gate.thresholds.items()
        if not metrics.get(name, float("-inf")) >= threshold
    ]


def evaluate(
    data_dir: str | Path,
    model_dir: str | Path,
    run_id: str | None = None,
    config: PipelineConfig | str | Path | None = None,
) -> dict:
    """Score the model on test.csv, apply the quality gate, log both to the MLflow run."""
    cfg = _config(config)
    model = joblib.load(Path(model_dir) / MODEL_FILE)
    metrics = score(model, *split_xy(pd.read_csv(Path(data_dir) / TEST_FILE)))
    gate_failures = quality_gate(metrics, cfg)
    evaluation = {
        "metrics": metrics,
        "passed": not gate_failures,
        "gate_failures": gate_failures,
        "primary_metric": cfg.quality_gate.primary_metric,
    }
    (Path(model_dir) / EVALUATION_FILE).write_text(json.dumps(evaluation, indent=2))
    if run_id:
        configure(cfg.registry.experiment)
        with mlflow.start_run(run_id=run_id):
            mlflow.log_metrics(metrics)
            mlflow.set_tag("quality_gate", "passed" if evaluation["passed"] else "failed")
    return evaluation


def pip_requirements() -> list[str]:
    """Pinned requirements of the logged model: what is installed here, stated explicitly."""
    pins = []
    for dist in ("scikit-learn", "pandas", "numpy", "skops"):
        try:
            pins.append(f"{dist}=={version(dist)}")
        except PackageNotFoundError:
            continue
    return pins


def _champion_score(client: MlflowClient, name: str, metric: str) -> float | None:
    try:
        champion = client.get_model_version_by_alias(name, CHAMPION)
    except MlflowException:
        return None  # no champion yet
    tagged = champion.tags.get(f"metric.{metric}")
    if tagged is not None:
        return float(tagged)
    return client.get_run(champion.run_id).data.metrics.get(metric) if champion.run_id else None


def register(
    model_dir: str | Path,
    evaluation: dict,
    run_id: str | None = None,
    config: PipelineConfig | str | Path | None = None,
) -> dict:
    """Register a model version, alias it `candidate`, and `champion` when it earned it."""
    cfg = _config(config)
    name = cfg.registry.model_name
    model = joblib.load(Path(model_dir) / MODEL_FILE)
    configure(cfg.registry.experiment)
    with mlflow.start_run(run_id=run_id, run_name=None if run_id else PIPELINE_NAME):
        info = mlflow.sklearn.log_model(
            model,
            name="model",
            pip_requirements=pip_requirements(),
            registered_model_name=name,
        )
    version_number = str(info.registered_model_version)
    client = MlflowClient()
    metric = evaluation["primary_metric"]
    new_score = float(evaluation["metrics"][metric])
    client.set_model_version_tag(name, version_number, f"metric.{metric}", str(new_score))
    client.set_model_version_tag(
        name, version_number, "quality_gate", "passed" if evaluation["passed"] else "failed"
    )
    client.set_registered_model_alias(name, CANDIDATE, version_number)

    current = _champion_score(client, name, metric)
    promoted = bool(evaluation["passed"]) and (current is None or new_score >= current)
    if promoted:
        client.set_registered_model_alias(name, CHAMPION, version_number)
    return {
        "model_name": name,
        "version": version_number,
        "promoted": promoted,
        "champion_score": new_score if promoted else current,
    }


def load_evaluation(model_dir: str | Path) -> dict[str, Any]:
    """The evaluation written by `evaluate` next to the model."""
    return json.loads((Path(model_dir) / EVALUATION_FILE).read_text())

"""Batch scoring: the registered model, a validated input table, a predictions file.

    python -m <package>.scoring [INPUT.csv] [--output predictions.csv] [--alias champion]

loads the version behind the alias (the environment's `model_alias` unless given; hooks
`champion_info` and `load_model_uri`), runs the Great Expectations `scoring` checkpoint of the
project's data contract on the input and stops with its report when the input breaks it, scores
the rows with the project's `predict` hook and writes them with `model_version`. With `log`, the
scored rows also go to the prediction log (source `batch`, request id `batch-<time>-<id>`) like
the serving app's, so the drift job sees batch traffic too. Extras `serving` and `validation`
(and `monitoring` for the log).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .project import Project

DEFAULT_OUTPUT = Path("artifacts/scoring/predictions.csv")


@dataclass(frozen=True)
class Scored:
    """What a batch scoring did: files, rows, the model version and the positive rate."""

    input: str
    output: str
    rows: int
    model: str
    expectations_evaluated: int
    positive_rate: float


def score_file(
    project: Project,
    input_path: str | Path,
    output_path: str | Path = DEFAULT_OUTPUT,
    alias: str | None = None,
    *,
    contract: Any,
    features: Sequence[str],
    probability_column: str = "probability",
    label_column: str = "prediction",
    log: bool = False,
) -> Scored:
    """Validate `input_path` against `contract`, score it with the model behind `alias` (the
    `predict` hook adds `probability_column` and `label_column`), write `output_path`."""
    import pandas as pd

    from .validation import gx_root, validate_frame

    cfg = project.call("load_config")
    input_path, output_path = Path(input_path), Path(output_path)
    df = pd.read_csv(input_path)
    report = validate_frame(df, contract, gx_root(project), "scoring", input_path.name)
    info = project.call("champion_info", alias, cfg)
    scored = project.call("predict", project.call("load_model_uri", info.uri), df)
    scored["model_version"] = info.version
    if log:
        log_batch(project, df[list(features)], scored[probability_column], scored[label_column],
                  info)  # fmt: skip
    output_path.parent.mkdir(parents=True, exist_ok=True)
    scored.to_csv(output_path, index=False)
    return Scored(
        input=str(input_path),
        output=str(output_path),
        rows=len(scored),
        model=f"{info.name} version {info.version} (alias {info.alias})",
        expectations_evaluated=report.evaluated,
        positive_rate=float(scored[label_column].mean()) if len(scored) else 0.0,
    )


def log_batch(project: Project, features: Any, probabilities: Any, labels: Any, info: Any) -> bool:
    """Write scored rows to the project's prediction log as one batch (source `batch`), unless
    its monitoring config turns the log off; whether it wrote."""
    import time
    import uuid

    from .monitoring.config import load_monitoring_config
    from .monitoring.prediction_log import PredictionBatch, write_partitioned
    from .settings import load_settings

    settings = load_settings(project)
    if not load_monitoring_config(settings.monitoring_config).prediction_log.enabled:
        return False
    batch = PredictionBatch(
        request_id=f"batch-{int(time.time())}-{uuid.uuid4().hex[:8]}",
        features=features,
        probabilities=list(probabilities),
        predictions=list(labels),
        model_name=info.name,
        model_version=info.version,
        model_alias=info.alias,
        source="batch",
    )
    write_partitioned(batch.to_frame(), settings.prediction_log_uri)
    return True


def main(
    project: Project,
    score: Callable[..., Scored | dict[str, Any]],
    default_input: Callable[[], Path],
    argv: list[str] | None = None,
) -> int:
    """`python -m <package>.scoring [INPUT] [--output] [--alias]`: `score(input, output, alias)`
    is the project's `score_file` (a `Scored` or its dict); 0 scored, 1 refused (the contract's
    report, an unreadable input, no model behind the alias)."""
    from .validation import DataValidationError

    parser = argparse.ArgumentParser(description="Score a CSV with the registered model.")
    parser.add_argument("input", nargs="?", help="CSV to score (default: the sample data)")
    parser.add_argument("--output", default=str(DEFAULT_OUTPUT), help="CSV to write")
    parser.add_argument("--alias", default=None, help="model alias (default: the environment's)")
    args = parser.parse_args(argv)
    try:
        result = score(args.input or default_input(), args.output, args.alias)
        result = Scored(**result) if isinstance(result, dict) else result
    except DataValidationError as exc:
        print(exc, file=sys.stderr)
        return 1
    except LookupError as exc:  # no model behind the alias (ModelNotFoundError), a missing column
        print(f"error: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # an input that is not there or not readable
        print(f"error: cannot read {exc.filename}: {exc.strerror}; pass an existing CSV (or none "
              "for the sample data)", file=sys.stderr)  # fmt: skip
        return 1
    print(
        f"scored {result.rows} rows of {result.input} with {result.model} "
        f"({result.positive_rate:.1%} positive) -> {result.output}"
    )
    return 0

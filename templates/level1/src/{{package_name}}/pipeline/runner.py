"""Runs the pipeline steps one after another on this machine (what `make train` does)."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from ..config import PipelineConfig, load_config, project_root
from . import steps
from .metrics import write_pipeline_metrics


def new_run_dir(base: str | Path | None = None) -> Path:
    """A fresh folder `artifacts/runs/<UTC time>-<id>` for one run's data and model."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    base = Path(base) if base else project_root() / "artifacts" / "runs"
    return base / f"{stamp}-{uuid.uuid4().hex[:6]}"


def run_pipeline(
    config: PipelineConfig | str | Path | None = None,
    run_dir: str | Path | None = None,
    metrics_file: str | Path | None = None,
) -> dict:
    """prepare → validate → train → evaluate → register; metrics are written even on failure."""
    started_at = time.time()
    try:
        cfg = config if isinstance(config, PipelineConfig) else load_config(config)
        run_dir = Path(run_dir) if run_dir else new_run_dir()
        data_dir, model_dir = run_dir / "data", run_dir / "model"
        steps.prepare(data_dir, cfg)
        steps.validate(data_dir, cfg)
        trained = steps.train(data_dir, model_dir, cfg)
        evaluation = steps.evaluate(data_dir, model_dir, trained["run_id"], cfg)
        registered = steps.register(model_dir, evaluation, trained["run_id"], cfg)
    except BaseException:
        write_pipeline_metrics(success=False, started_at=started_at, path=metrics_file)
        raise
    write_pipeline_metrics(
        success=True,
        started_at=started_at,
        model_metrics=evaluation["metrics"],
        promoted=registered["promoted"],
        path=metrics_file,
    )
    return {
        "run_dir": str(run_dir),
        "run_id": trained["run_id"],
        "evaluation": evaluation,
        "registered": registered,
    }

"""Pipeline metrics after every run, successful or not: the platform's writer
(`mlops_runtime.pipeline_metrics`) with this project's labels. `metrics/pipeline.prom` under the
project root (`PIPELINE_METRICS_FILE`), and a push to `PUSHGATEWAY_URL` when it is set."""

from __future__ import annotations

from functools import partial

from mlops_runtime import pipeline_metrics as _metrics

from ..config import PIPELINE_NAME, PROJECT_NAME

LAST_SUCCESS = _metrics.LAST_SUCCESS
metrics_path = _metrics.metrics_path
write_pipeline_metrics = partial(
    _metrics.write_pipeline_metrics, project=PROJECT_NAME, pipeline=PIPELINE_NAME
)

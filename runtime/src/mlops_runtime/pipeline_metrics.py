"""Pipeline metrics in Prometheus text format, after every run, successful or not.

Written to `metrics/pipeline.prom` under the project root (override: `PIPELINE_METRICS_FILE`)
for the node-exporter textfile collector, and pushed to a Pushgateway-compatible endpoint when
`PUSHGATEWAY_URL` is set (on a cluster a pipeline's pods are gone before any scrape; a push
that fails is logged, never fails the run). The names are the ones the generated alert rules and
dashboard use; every series has the labels `project` and `pipeline`.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from prometheus_client import CollectorRegistry, Gauge, write_to_textfile
from prometheus_client.parser import text_string_to_metric_families

from .project import project_root

log = logging.getLogger(__name__)
METRICS_FILE_ENV = "PIPELINE_METRICS_FILE"
PUSHGATEWAY_ENV = "PUSHGATEWAY_URL"
LAST_SUCCESS = "mlops_pipeline_last_success_timestamp_seconds"


def metrics_path() -> Path:
    """`$PIPELINE_METRICS_FILE`, else `metrics/pipeline.prom` in the project root
    (`$MLOPS_PROJECT_ROOT`, else the current directory)."""
    configured = os.environ.get(METRICS_FILE_ENV)
    if configured:
        return Path(configured)
    return project_root() / "metrics" / "pipeline.prom"


def push(registry: CollectorRegistry, job: str, grouping: dict[str, str]) -> bool:
    """Push `registry` to `$PUSHGATEWAY_URL` (replacing the job's group); False when unset or
    when the push failed (logged)."""
    url = os.environ.get(PUSHGATEWAY_ENV)
    if not url:
        return False
    from prometheus_client import push_to_gateway

    try:
        push_to_gateway(url, job=job, registry=registry, grouping_key=grouping, timeout=10)
    except OSError as exc:  # the run's outcome stands; the alert on stale metrics will tell
        log.warning("could not push the pipeline metrics to %s: %s", url, exc)
        return False
    return True


def _previous_success(path: Path) -> float | None:
    """The last-success timestamp of the previous file, kept across failed runs."""
    if not path.is_file():
        return None
    try:
        for family in text_string_to_metric_families(path.read_text(encoding="utf-8")):
            for sample in family.samples:
                if sample.name == LAST_SUCCESS:
                    return float(sample.value)
    except ValueError:
        return None  # an unreadable file is replaced
    return None


def write_pipeline_metrics(
    *,
    project: str,
    pipeline: str,
    success: bool,
    started_at: float,
    finished_at: float | None = None,
    model_metrics: dict[str, float] | None = None,
    promoted: bool = False,
    path: str | Path | None = None,
) -> Path:
    """Write (and push, with `$PUSHGATEWAY_URL`) the metrics of one run of `pipeline` of
    `project`; return the file written."""
    path = Path(path) if path else metrics_path()
    finished_at = time.time() if finished_at is None else finished_at
    last_success = finished_at if success else _previous_success(path)

    registry = CollectorRegistry()
    labels = {"project": project, "pipeline": pipeline}
    names = list(labels)

    def gauge(name: str, doc: str, value: float) -> None:
        Gauge(name, doc, names, registry=registry).labels(**labels).set(value)

    gauge("mlops_pipeline_last_run_timestamp_seconds", "When the last run ended.", finished_at)
    if last_success is not None:
        gauge(LAST_SUCCESS, "When the last successful run ended.", last_success)
    gauge("mlops_pipeline_last_run_success", "1 if the last run succeeded, 0 if not.", success)
    gauge(
        "mlops_pipeline_run_duration_seconds",
        "Duration of the last run.",
        max(0.0, finished_at - started_at),
    )
    gauge("mlops_model_promoted", "1 if the last run promoted its model to champion.", promoted)
    if model_metrics:
        model_gauge = Gauge(
            "mlops_model_metric",
            "Evaluation metrics of the last trained model.",
            [*names, "metric"],
            registry=registry,
        )
        for metric, value in model_metrics.items():
            model_gauge.labels(**labels, metric=metric).set(value)

    path.parent.mkdir(parents=True, exist_ok=True)
    write_to_textfile(str(path), registry)
    push(registry, job=f"{project}_{pipeline}", grouping=labels)
    return path

"""Monitoring and retraining metrics in Prometheus text format (files in MONITORING_METRICS_DIR).

`monitoring.prom` is rewritten by every drift/decay job, `retrain.prom` by every retrain and
job (the guards' state). Scrape them with the node-exporter textfile collector, or through the
remediation receiver's `/metrics`, which serves them. The alert rules in
monitoring/prometheus/monitoring_alerts.yml use these names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, Gauge, write_to_textfile

MONITORING_FILE = "monitoring.prom"
RETRAIN_FILE = "retrain.prom"


class _Writer:
    def __init__(self, project: str):
        self.project = project
        self.registry = CollectorRegistry()
        self._gauges: dict[str, Gauge] = {}

    def set(self, name: str, doc: str, value: float | None, **labels: str) -> None:
        if value is None:
            return
        names = ["project", *labels]
        if name not in self._gauges:
            self._gauges[name] = Gauge(name, doc, names, registry=self.registry)
        self._gauges[name].labels(project=self.project, **labels).set(float(value))

    def write(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_to_textfile(str(path), self.registry)
        return path


def write_monitoring_metrics(report: dict[str, Any], directory: Path) -> Path:
    """The drift/decay job's results: per-column scores, flags, rows seen, the live metric."""
    out = _Writer(report["project"])
    drift, decay, decision = report["drift"], report["decay"], report["decision"]
    out.set(
        "mlops_monitoring_last_run_timestamp_seconds",
        "When the monitoring job last ran.",
        report["generated_at"],
    )
    out.set("mlops_monitoring_rows", "Logged predictions in the drift window.", drift["rows"])
    out.set(
        "mlops_monitoring_labelled_rows",
        "Labelled predictions in the decay windows.",
        sum(w["labelled"] for w in decay["windows"]),
    )
    out.set(
        "mlops_monitoring_enough_data",
        "1 when the window held enough rows to judge drift.",
        drift["enough_data"],
    )
    out.set("mlops_drift_detected", "1 when the last job found drift.", drift["detected"])
    out.set(
        "mlops_drift_columns_drifted",
        "Columns (features, prediction) that drifted.",
        len(drift["drifted"]),
    )
    for column in drift["columns"]:
        name = column["column"]
        out.set(
            "mlops_drift_psi", "Population stability index per column.", column["psi"], column=name
        )
        out.set(
            "mlops_drift_statistic",
            "KS (numeric) or chi-square (categorical) statistic.",
            column["statistic"],
            column=name,
            test=column["test"],
        )
        out.set(
            "mlops_drift_p_value",
            "Corrected p-value of the column's drift test.",
            column["p_adjusted"],
            column=name,
        )
        out.set(
            "mlops_drift_column_drifted",
            "1 when the column drifted.",
            column["drifted"],
            column=name,
        )
    out.set(
        "mlops_decay_detected",
        "1 when k of the last n windows missed the threshold.",
        decay["detected"],
    )
    out.set(
        "mlops_decay_violations",
        "Windows under the threshold among the last n.",
        decay["violations"],
    )
    out.set(
        "mlops_model_live_metric",
        "The model's metric on the latest labelled window.",
        decay["latest"],
        metric=decay["metric"],
    )
    out.set(
        "mlops_retrain_due",
        "1 when drift or decay calls for a retrain the guards allow.",
        decision["retrain"],
    )
    out.set(
        "mlops_retrain_wanted",
        "1 when drift or decay calls for a retrain (guards aside).",
        bool(decision["reasons"]),
    )
    kpi = report.get("kpi")
    if kpi:
        names = {"kpi": kpi["name"], "measure": kpi["measure"]}
        out.set(
            "mlops_business_kpi",
            "The business KPI on labelled feedback in its window (absent: too few labels).",
            kpi["value"],
            **names,
        )
        out.set(
            "mlops_business_kpi_threshold",
            "The KPI's floor from config/monitoring.yaml (kpi.threshold).",
            kpi["threshold"],
            **names,
        )
        out.set(
            "mlops_business_kpi_labelled_rows",
            "Labelled predictions the KPI was measured on.",
            kpi["labelled"],
            kpi=kpi["name"],
        )
    model = report.get("model") or {}
    out.set(
        "mlops_model_created_timestamp_seconds",
        "When the served model version was registered.",
        model.get("created_at"),
        version=str(model.get("version", "")),
    )
    return out.write(directory / MONITORING_FILE)


def write_retrain_metrics(status: dict[str, Any], directory: Path, project: str) -> Path:
    """The storm guards' state: in flight, circuit breaker, failures, retrains by outcome."""
    out = _Writer(project)
    out.set(
        "mlops_retrain_in_progress",
        "1 while a retrain holds the single-flight lock.",
        status["in_flight"],
    )
    out.set(
        "mlops_retrain_circuit_open",
        "1 when the circuit breaker stopped retraining.",
        status["circuit_open"],
    )
    out.set(
        "mlops_retrain_consecutive_failures",
        "Failed retrains in a row.",
        status["consecutive_failures"],
    )
    out.set(
        "mlops_retrain_last_start_timestamp_seconds",
        "When the last retrain started.",
        status["last_started_at"],
    )
    out.set(
        "mlops_retrain_last_success_timestamp_seconds",
        "When the last retrain succeeded.",
        status["last_succeeded_at"],
    )
    out.set(
        "mlops_retrain_window_count",
        "Retrains started within the rate-limit window.",
        status["retrains_in_window"],
    )
    for outcome, count in status["totals"].items():
        out.set(
            "mlops_retrain_runs",
            "Retrains so far by outcome (succeeded, failed, refused).",
            count,
            outcome=outcome,
        )
    return out.write(directory / RETRAIN_FILE)

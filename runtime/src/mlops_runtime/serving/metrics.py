"""Prometheus metrics of the serving app, in a registry the app owns (not the global one)."""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
PROBABILITY_BUCKETS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


class ServingMetrics:
    """Request count and latency per handler, the prediction distribution, the model served.

    Every series has the label `project`, as the pipeline metrics do; the alert rules in a
    project's monitoring/prometheus/serving_alerts.yml select on it.
    """

    def __init__(self, project: str, registry: CollectorRegistry | None = None):
        self.project = project
        self.registry = registry or CollectorRegistry()
        self.requests = Counter(
            "mlops_serving_requests",
            "HTTP requests by handler, method and status code.",
            ["project", "handler", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "mlops_serving_request_duration_seconds",
            "Time to answer an HTTP request.",
            ["project", "handler", "method"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.predictions = Counter(
            "mlops_serving_predictions",
            "Rows scored, by predicted label.",
            ["project", "label"],
            registry=self.registry,
        )
        self.probability = Histogram(
            "mlops_serving_prediction_probability",
            "Predicted probability of the positive class.",
            ["project"],
            buckets=PROBABILITY_BUCKETS,
            registry=self.registry,
        )
        self.model_loaded = Gauge(
            "mlops_serving_model_loaded",
            "1 when a model is loaded and the app is ready, else 0.",
            ["project"],
            registry=self.registry,
        )
        self.model_info = Gauge(
            "mlops_serving_model_info",
            "The model version served (value 1).",
            ["project", "model_name", "model_version", "alias"],
            registry=self.registry,
        )
        self.swaps = Counter(
            "mlops_serving_model_swaps",
            "Times the served version changed without a restart (its alias moved).",
            ["project"],
            registry=self.registry,
        )
        self.reload_errors = Counter(
            "mlops_serving_model_reload_errors",
            "Failed checks or loads of the alias's version (the old version kept serving).",
            ["project"],
            registry=self.registry,
        )
        self.flagged = Counter(
            "mlops_serving_flagged_rows",
            "Scored rows past the model's knowledge limits, by reason (out_of_range: outside the "
            "training range; low_confidence).",
            ["project", "reason"],
            registry=self.registry,
        )
        self.refused = Counter(
            "mlops_serving_refused_requests",
            "Requests refused by the limits policy `refuse`.",
            ["project"],
            registry=self.registry,
        )
        for reason in ("out_of_range", "low_confidence"):
            self.flagged.labels(self.project, reason)
        self.refused.labels(self.project)
        self.model_loaded.labels(self.project).set(0)
        self.swaps.labels(self.project)
        self.reload_errors.labels(self.project)
        for label in ("0", "1"):  # both series exist from the start, so rates are defined
            self.predictions.labels(self.project, label)

    def observe_request(self, handler: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(self.project, handler, method, str(status)).inc()
        self.latency.labels(self.project, handler, method).observe(seconds)

    def observe_predictions(self, probabilities: list[float | None], labels: list[Any]) -> None:
        """Count the rows by label and observe their probabilities (a model without one, e.g.
        a regressor served by its signature, has None; its numeric labels count as `number`,
        so values never become series)."""
        for probability, label in zip(probabilities, labels, strict=True):
            if probability is not None:
                self.probability.labels(self.project).observe(probability)
            shown = "number" if isinstance(label, float) else str(label)
            self.predictions.labels(self.project, shown).inc()

    def observe_flags(self, flags: list[tuple[str, ...]]) -> None:
        """Count each row's limit flags."""
        for row in flags:
            for reason in row:
                self.flagged.labels(self.project, reason).inc()

    def model_ready(self, name: str, version: str, alias: str | None) -> None:
        self.model_info.clear()  # one series: the version served now (after a swap too)
        self.model_info.labels(self.project, name, version, alias or "").set(1)
        self.model_loaded.labels(self.project).set(1)

"""Monitoring: metrics exported or watched as code (1: metrics, alert rules/alarms or dashboards,
any of them), the serving side monitored (2), alerts covering drift, latency and errors with a
remediation policy (3). Alert rules and dashboards on their own are reported as advice."""

from __future__ import annotations

import posixpath
import re

from scaffolder.assess.checks.base import (
    PREDICT_ROUTE,
    U1,
    U2,
    U3,
    Check,
    Verdict,
    found,
    notebook_stem,
    of,
    predicting_loads,
    reachable,
    tools,
)
from scaffolder.assess.checks.monitoring_batch import scored_drift
from scaffolder.assess.models import Facts, Zone

METRICS = ("prometheus.metric", "prometheus.export", "metrics.export", "metrics.scrape")


def _alerts(f: Facts) -> list:
    return [x for x in f.of("prometheus.rule") if x.detail.get("alert")] + of(f, "alert.rule")


DRIFT_ROUTE = re.compile(r"drift|monitor", re.I)


def drift_routes(f: Facts) -> list:
    """Routes of the serving API named for drift or monitoring (`/monitor-model/{name}`,
    `/monitoring/drift/check`) whose app, or the project modules it imports, runs drift
    detection (Evidently reports, a drift function): the served predictions are watched for
    drift on request, which monitors the serving side without a metrics library."""
    routes = f.of("fastapi.route") + f.of("flask.route")
    serving = {x.path for x in routes if PREDICT_ROUTE.search(str(x.detail.get("route")))}
    # a drift library, or a drift function other than the route itself (named for drift)
    lines = {(x.path, x.line) for x in routes}
    drift = {x.path for x in of(f, "drift.library")} | {
        x.path for x in of(f, "drift.function") if (x.path, x.line) not in lines
    }
    return [
        x
        for x in routes
        if x.path in serving
        and DRIFT_ROUTE.search(str(x.detail.get("route")))
        and reachable(f, {x.path}) & drift
    ]


def captured_drift(f: Facts) -> list:
    """Served predictions kept by the serving app (python_prediction_capture) in a project that
    detects drift: the captured traffic is what drift is measured on, as Model Monitor does on
    an endpoint's data capture. Capture without drift detection, or drift only on training
    data with nothing captured, is not this."""
    captures = of(f, "prediction.capture")
    if not captures:
        return []
    drift = of(f, "drift.library", "drift.function", "drift.test")
    return captures + drift[:1] if drift else []


FAILURE_HOOKS = {"on_failure_callback", "sla_miss_callback", "on_failure"}


def reported_runs(f: Facts) -> list:
    """A pipeline that reports every run's outcome (Airflow callbacks, ZenML/Prefect hooks on
    success and on failure, in the same file): its runs are watched. A failure callback alone
    is the orchestrator's error notice (as `email_on_failure` is), not monitoring."""
    notices = of(f, "alert.notify")
    failing = {x.path for x in notices if x.detail.get("via") in FAILURE_HOOKS}
    succeeding = {x.path for x in notices if x.detail.get("via") not in FAILURE_HOOKS}
    return [x for x in notices if x.path in failing & succeeding]


RETRAIN_ACTION = re.compile(r"trigger|dispatch", re.I)
TRAINING_TARGET = re.compile(r"train", re.I)


def drift_retrains(f: Facts) -> list:
    """Drift measured by a job that acts on it: a retraining trigger (a function named for
    triggering retraining, `trigger_retrain_pipeline`, or a TriggerDagRunOperator starting a
    training DAG) in a file that detects drift or imports the project module that does. The
    drift is watched, by the job, on every run; a drift report nothing reads, or a trigger of
    a DAG other than training, is not this."""
    drift = {x.path for x in of(f, "drift.library", "drift.function", "drift.test")}
    if not drift:
        return []
    actions = [
        x for x in of(f, "retrain.function") if RETRAIN_ACTION.search(str(x.detail.get("name")))
    ]
    actions += [
        x for x in of(f, "retrain.trigger") if TRAINING_TARGET.search(str(x.detail.get("target")))
    ]
    return [x for x in actions if reachable(f, {x.path}) & drift]


def r_pipeline_metrics(f: Facts) -> Verdict:
    watched = of(f, *METRICS) + _alerts(f) + of(f, "grafana.dashboard", "serving.monitor")
    watched += _store_in_service(f)
    watched += job_notebook_monitors(f)
    watched += drift_routes(f) + captured_drift(f) + scored_drift(f)
    watched += reported_runs(f)
    watched += of(f, "drift.logged")  # drift a monitoring run logs (python_drift_metrics)
    watched += drift_retrains(f)
    return found(
        watched,
        "metrics are exported or watched as code" + tools(watched),
        "no metrics, alert rules or dashboards (prometheus_client, OpenTelemetry, CloudWatch "
        "alarms, Prometheus rules, Grafana)",
    )


def r_alert_rules(f: Facts) -> Verdict:
    alerts = _alerts(f)
    return found(alerts, f"{len(alerts)} alert rules", "no alert rules or alarms")


def r_dashboard(f: Facts) -> Verdict:
    return found(
        f.of("grafana.dashboard"), "a Grafana dashboard is kept as code", "no dashboard as code"
    )


SERVER_METRICS = re.compile(
    r"\b(kserve_\w*(request|predict|inference)|seldon_api_|revision_request_|nv_inference_|"
    r"ts_inference_|:tensorflow:serving:)"
)


def _serves_a_model(f: Facts) -> bool:
    """Something to serve: a model loaded, resolved from a registry, a route that predicts or a
    model server (deployment.predict-script reads the same evidence)."""
    predicting = [
        x for x in f.of("fastapi.route") if PREDICT_ROUTE.search(str(x.detail.get("route")))
    ]
    return bool(predicting or of(f, "model.load", "mlflow.model_uri", "registry.*", "serving.app"))


REQUEST_METRICS = re.compile(r"(request|response_time|latency)\w*(_total|_seconds|_bucket|_count)")
METRICS_ROUTE = re.compile(r"^/?metrics/?$")


def r_serving_metrics(f: Facts) -> Verdict:
    # `/metrics`, where a scraper looks; a route nested under another resource (`/health/metrics`
    # reporting the process's uptime, `/experiments/{id}/metrics` a run's scores) is that
    # resource's detail, no metrics endpoint
    routes = [x for x in f.of("fastapi.route") if METRICS_ROUTE.match(str(x.detail.get("route")))]
    routes += [x for x in f.of("fastapi.mount") if "metrics" in str(x.detail.get("route"))]
    routes += [
        x
        for x in f.of("prometheus.export")
        if x.detail.get("via") in ("instrumentator", "make_asgi_app", "make_wsgi_app")
        or x.detail.get("served")  # a /metrics handler of the app returns generate_latest()
    ]
    if of(f, "model.save") and not _serves_a_model(f):
        # training saves a model that no app loads: /metrics of an app that serves none (health
        # and a monitoring job's gauges) is no serving side watched
        routes = []
    monitored = _serving_monitors(f) + _bentoml_metrics(f) + _exporter_in_service(f)
    monitored += _store_in_service(f)
    monitored += drift_routes(f) + captured_drift(f) + scored_drift(f)
    # an alert rule on the model server's own request metrics (KServe's latency histogram,
    # Seldon's API metrics, Knative revisions, Triton, TorchServe, TF Serving) watches it
    monitored += [
        x for x in f.of("prometheus.rule") if SERVER_METRICS.search(str(x.detail.get("expr")))
    ]
    # an alert rule on the requests the project's model server answers (their latency or error
    # rate: `rate(..._requests_total{status="error"}[5m])`, a response-time histogram), when a
    # serving app or model server is there to answer them
    if _serves_a_model(f) and of(f, "serving.app", "fastapi.app", "flask.route"):
        monitored += [
            x
            for x in f.of("prometheus.rule")
            if x.detail.get("alert") and REQUEST_METRICS.search(str(x.detail.get("expr")))
        ]
    return found(
        routes + monitored,
        "the serving side is monitored" + (tools(monitored) or " (/metrics)"),
        "the serving side is not monitored (/metrics, Model Monitor, App Insights)",
    )


# Python telemetry SDKs that send a process's logs and traces to Azure Monitor / Application
# Insights: the process they watch is whichever imports them, a batch job as well as a service
TELEMETRY_SDK = re.compile(
    r"^(opencensus\.ext\.azure|azure\.monitor\.opentelemetry|applicationinsights)"
)


def _serving_monitors(f: Facts) -> list:
    """Monitors of the serving side; a telemetry SDK imported in a project that serves nothing
    (no endpoint, app or route: training and batch scoring jobs) watches those jobs only."""
    monitors = of(f, "serving.monitor") + job_notebook_monitors(f)
    if of(f, "serving.app", "fastapi.app", "fastapi.route", "flask.route"):
        return monitors
    return [x for x in monitors if not TELEMETRY_SDK.search(str(x.detail.get("module") or ""))]


def job_notebook_monitors(f: Facts) -> list:
    """Lakehouse monitors created by a notebook (.ipynb) that a bundle job runs: the job sets
    the monitor up on the inference table, so it is the project's code, not exploration. The
    same call in a notebook no job runs does not count, like any notebook's."""
    run = {notebook_stem(str(x.detail.get("notebook"))) for x in of(f, "job.notebook")}
    return [
        x
        for x in f.of("serving.monitor", Zone.NOTEBOOK)
        if x.detail.get("tool") == "Databricks Lakehouse Monitoring"
        and notebook_stem(x.path) in run
    ]


# a Prometheus exporter: prometheus_client's, or OpenTelemetry's reader and its metrics server
EXPORTER = re.compile(r"(^|\.)(start_http_server|PrometheusMetricReader)$")


def _exporter_in_service(f: Facts) -> list:
    """A metrics server a serving app starts beside itself (`start_http_server(8001)` of
    prometheus_client or of OpenTelemetry's Prometheus exporter, in the app's own file): what
    it exports is the serving process's metrics. The same exporter in a batch job is not."""
    apps = {x.path for x in f.of("fastapi.app") + f.of("serving.app")}
    # a stream consumer that loads the model to predict on each message serves it too
    predicting = {x.path for x in predicting_loads(f)}
    apps |= {x.path for x in of(f, "stream.consumer")} & predicting
    # in the app's file or a project module it imports (`app/utils/metrics_config.py`
    # configuring the exporter the app's `main.py` imports): the app's process starts it
    near = reachable(f, apps)
    started = [
        x
        for x in f.of("prometheus.export") + f.of("metrics.export")
        if x.path in near
        and EXPORTER.search(str(x.detail.get("via") or x.detail.get("module") or ""))
    ]
    return started


def _store_in_service(f: Facts) -> list:
    """A model-monitoring store or platform (InfluxDB behind Grafana, Superwise, Arize, WhyLabs,
    Fiddler) the serving app sends to: the client in the app's file, a project module it
    imports, a module beside it, or one the serving image ships with it (the Dockerfile copying
    the app's folder copies the module's too), imported at run time by names the scan does not
    resolve (`from app.predictor import ...`, `helpers.influx`). Each served prediction is
    recorded where it is watched; the same client in a training or batch job only is not."""
    apps = {x.path for x in of(f, "serving.app", "fastapi.app", "flask.route")}
    stores = f.of("monitoring.store")
    if not apps or not stores:
        return []
    near = reachable(f, apps)
    folders = {posixpath.dirname(a) for a in apps}
    for image in f.of("docker.image"):
        copied = _copied_folders(image)
        if any(_under(a, copied) for a in apps):
            folders |= copied
    return [
        x
        for x in stores
        if x.path in near or posixpath.dirname(x.path) in folders or _under(x.path, folders)
    ]


def _copied_folders(image) -> set[str]:
    """What a Dockerfile copies, from the root or from its own folder (`COPY src/helpers/.`);
    the whole context (`COPY . .`) names no folder."""
    context = posixpath.dirname(image.path)
    sources = [str(c).rstrip("/.").rstrip("/") for c in image.detail.get("copies") or []]
    paths = {posixpath.normpath(p) for p in sources if p}
    paths |= {posixpath.normpath(posixpath.join(context, p)) for p in sources if p}
    return paths - {"."}


def _under(path: str, folders: set[str]) -> bool:
    return any(path.startswith(folder.rstrip("/") + "/") for folder in folders if folder)


def _bentoml_metrics(f: Facts) -> list:
    """Prometheus metrics a BentoML service defines or imports: BentoML serves every service's
    `/metrics` with the metrics of its process, so they are the serving side's metrics."""
    services = {x.path for x in f.of("serving.app") if x.detail.get("tool") == "BentoML"}
    if not services:
        return []
    files = reachable(f, services)
    defined = [x for x in f.of("prometheus.metric") if x.path in files]
    # BentoML serves /metrics (request counts and latency) of every service by default: a
    # Prometheus scrape config in the project collects them
    scraped = [x for x in f.of("metrics.scrape") if x.detail.get("tool") == "Prometheus"]
    return defined + scraped


ALERT_KINDS = {
    "drift": re.compile(r"drift|psi|ks_", re.I),
    "latency": re.compile(r"latency|duration|slo", re.I),
    "error rate": re.compile(r"error|5xx|status=~?\"5", re.I),
}


def r_slo_alerts(f: Facts) -> Verdict:
    alerts = _alerts(f)
    covered = {
        k
        for k, p in ALERT_KINDS.items()
        for a in alerts
        if p.search(str(a.detail.get("alert", "")) + str(a.detail.get("expr", "")))
    }
    if covered == set(ALERT_KINDS):
        return Verdict(
            True, [a.where for a in alerts[:5]], "alerts cover drift, latency and error rate"
        )
    missing = sorted(set(ALERT_KINDS) - covered)
    return Verdict(False, [a.where for a in alerts[:2]], f"no alert rules for {', '.join(missing)}")


def r_remediation(f: Facts) -> Verdict:
    return found(
        f.of("policy.remediation"),
        "a remediation policy maps alerts to actions",
        "no remediation policy mapping alerts to actions",
    )


CHECKS = [
    Check(
        "monitoring.pipeline-metrics",
        "Metrics are exported or watched",
        "monitoring",
        1,
        f"{U1} adds pipeline metrics in Prometheus format",
        "prometheus_client/OpenTelemetry/CloudWatch metrics, Prometheus scrape configs, alert "
        "rules or alarms, Grafana dashboards (any of them)",
        r_pipeline_metrics,
        ("python",),
        "monitoring",
    ),
    Check(
        "monitoring.alert-rules",
        "Alert rules exist",
        "monitoring",
        1,
        f"{U1} adds Prometheus rules for pipeline failure and staleness",
        "Prometheus rule files (YAML); CloudWatch alarms; Azure metric alerts",
        r_alert_rules,
        ("yaml",),
        "monitoring",
        "monitoring/prometheus/alerts.yml",
        advice=True,
    ),
    Check(
        "monitoring.dashboard",
        "A dashboard is kept as code",
        "monitoring",
        1,
        f"{U1} adds a Grafana dashboard of the pipeline metrics",
        "Grafana dashboard JSON",
        r_dashboard,
        ("json",),
        "monitoring",
        "monitoring/grafana/dashboard.json",
        advice=True,
    ),
    Check(
        "monitoring.serving-metrics",
        "Serving is monitored",
        "monitoring",
        2,
        f"{U2} adds /metrics to the serving app",
        "a /metrics route or Prometheus ASGI app (AST); SageMaker Model Monitor schedules, "
        "Vertex model monitoring, Application Insights on the service",
        r_serving_metrics,
        ("python",),
        "monitoring",
    ),
    Check(
        "monitoring.slo-alerts",
        "Alerts cover drift, latency and errors",
        "monitoring",
        3,
        f"{U3} adds drift, latency-SLO and error-rate alert rules",
        "alert names and expressions (YAML); alarm names",
        r_slo_alerts,
        ("yaml",),
        "monitoring",
    ),
    Check(
        "monitoring.remediation-policy",
        "Alerts map to remediation actions",
        "monitoring",
        3,
        f"{U3} adds a remediation policy file",
        "a remediation policy file",
        r_remediation,
        ("yaml",),
        None,
    ),
]

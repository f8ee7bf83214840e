"""Pipeline metrics: the file the textfile collector reads, and a push to a Pushgateway."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from mlops_runtime.pipeline_metrics import metrics_path, write_pipeline_metrics
from prometheus_client.parser import text_string_to_metric_families

LABELS = {"project": "churn", "pipeline": "churn_training"}


def _samples(path):
    return {
        (sample.name, sample.labels.get("metric")): sample
        for family in text_string_to_metric_families(path.read_text())
        for sample in family.samples
    }


@pytest.fixture
def root(tmp_path, monkeypatch):
    monkeypatch.setenv("MLOPS_PROJECT_ROOT", str(tmp_path))
    monkeypatch.delenv("PIPELINE_METRICS_FILE", raising=False)
    monkeypatch.delenv("PUSHGATEWAY_URL", raising=False)
    return tmp_path


def test_success_then_failure(root):
    path = write_pipeline_metrics(
        **LABELS,
        success=True,
        started_at=100.0,
        finished_at=160.0,
        model_metrics={"roc_auc": 0.8, "accuracy": 0.75},
        promoted=True,
    )
    assert path == metrics_path() == root / "metrics" / "pipeline.prom"
    samples = _samples(path)
    assert samples[("mlops_pipeline_last_run_success", None)].value == 1
    assert samples[("mlops_pipeline_run_duration_seconds", None)].value == 60
    assert samples[("mlops_model_metric", "roc_auc")].value == 0.8
    assert samples[("mlops_model_promoted", None)].value == 1
    assert samples[("mlops_pipeline_last_run_timestamp_seconds", None)].labels == LABELS

    write_pipeline_metrics(**LABELS, success=False, started_at=200.0, finished_at=210.0)
    samples = _samples(path)
    assert samples[("mlops_pipeline_last_run_success", None)].value == 0
    assert samples[("mlops_pipeline_last_run_timestamp_seconds", None)].value == 210
    assert samples[("mlops_pipeline_last_success_timestamp_seconds", None)].value == 160
    assert samples[("mlops_model_promoted", None)].value == 0


def _pairs(path: str) -> list[str]:
    parts = path.split("/")[4:]  # after /metrics/job/<job>/
    return [f"{parts[i]}/{parts[i + 1]}" for i in range(0, len(parts) - 1, 2)]


class _Gateway(BaseHTTPRequestHandler):
    received: list[tuple[str, str, bytes]] = []

    def do_PUT(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.received.append(("PUT", self.path, body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_the_run_is_pushed_to_a_pushgateway_and_a_dead_one_does_not_fail_it(root, monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setenv("PUSHGATEWAY_URL", f"http://127.0.0.1:{server.server_port}")
        write_pipeline_metrics(**LABELS, success=True, started_at=1.0, finished_at=2.0)
    finally:
        server.shutdown()
        server.server_close()
    [(method, path, body)] = _Gateway.received
    assert method == "PUT"
    assert path.startswith("/metrics/job/churn_churn_training/")
    assert {"project/churn", "pipeline/churn_training"} <= set(_pairs(path))
    assert b"mlops_pipeline_last_run_success" in body
    # Nobody listens there now: the run's metrics are still written, the push is only logged.
    path = write_pipeline_metrics(**LABELS, success=False, started_at=3.0, finished_at=4.0)
    assert _samples(path)[("mlops_pipeline_last_run_success", None)].value == 0

"""The prediction log's hook: rows handed over, a dead sink counted and made visible to
readiness, a shutdown bounded by its budget."""

from __future__ import annotations

import threading
import time

import pandas as pd
from fastapi.testclient import TestClient
from mlops_runtime.contract import ColumnSpec
from mlops_runtime.serving.app import ServingOptions, create_app
from mlops_runtime.serving.hooks import PredictionLogHook, ServingHooks
from prometheus_client import CollectorRegistry


class FakeLogger:
    """A logger with the PredictionLogger interface whose sink can be switched off."""

    def __init__(self):
        self.sink_up = True
        self.written, self.errors, self.dropped = [], 0, 0
        self.queue: list = []
        self.lock = threading.Lock()
        self.started = self.stopped = False

    def start(self):
        self.started = True

    def log(self, batch):
        with self.lock:
            self.queue.append(batch)
        return True

    def _write(self):
        with self.lock:
            if not self.queue:
                return True
            if not self.sink_up:
                self.errors += 1
                return False
            self.written.extend(self.queue)
            self.queue = []
            return True

    def flush(self, timeout=30.0):
        deadline = time.monotonic() + timeout
        while not self._write():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)
        return True

    def stop(self, timeout=30.0):
        self.flush(timeout)
        self.stopped = True

    def stats(self):
        return {"rows_written": len(self.written), "rows_dropped": self.dropped,
                "rows_queued": len(self.queue), "write_errors": self.errors}  # fmt: skip


def test_rows_reach_the_logger_with_the_served_version(serving_project):
    logger = FakeLogger()
    hook = PredictionLogHook(logger, to_batch=lambda e: (e.request_id, e.model_version))
    features = [ColumnSpec("x", "number")]

    def scorer(model, frame):
        p = [float(v) for v in model.predict_proba(frame)[:, 1]]
        return p, [int(v >= 0.5) for v in p]

    app = create_app(serving_project, features, scorer, hooks=ServingHooks([hook]),
                     options=ServingOptions(reload_seconds=0))  # fmt: skip
    with TestClient(app) as client:
        answer = client.post("/predict", json={"rows": [{"x": 1.0}]})
        metrics = client.get("/metrics").text
    assert logger.started and logger.stopped
    assert logger.written == [(answer.headers["X-Request-ID"], "1")]
    assert 'mlops_prediction_log_rows_dropped_total{project="fake"} 0.0' in metrics


def test_a_sink_down_past_the_threshold_fails_readiness_and_is_counted():
    now = [1000.0]
    logger = FakeLogger()
    hook = PredictionLogHook(logger, to_batch=lambda e: e, unhealthy_after=60, clock=lambda: now[0])
    registry = CollectorRegistry()
    hook.register_metrics(registry, "p")
    logger.sink_up = False
    hook.after_predict("row")
    logger._write()  # the writer's try fails
    assert hook.ready() == (True, None)  # down, but not for long yet
    now[0] += 61
    logger._write()
    ok, why = hook.ready()
    assert not ok and "61 s" in why
    assert (
        registry.get_sample_value("mlops_prediction_log_sink_errors_total", {"project": "p"}) == 2
    )
    assert (
        registry.get_sample_value("mlops_prediction_log_sink_down_seconds", {"project": "p"}) == 61
    )
    logger.sink_up = True
    logger._write()  # back: the next write succeeds
    assert hook.ready() == (True, None)


def test_shutdown_with_the_sink_down_ends_within_its_budget_and_counts_the_loss():
    logger = FakeLogger()
    logger.sink_up = False
    hook = PredictionLogHook(logger, to_batch=lambda e: e, stop_seconds=0.5)
    registry = CollectorRegistry()
    hook.register_metrics(registry, "p")
    for _ in range(3):
        hook.after_predict(pd.DataFrame({"x": [1]}))
    started = time.monotonic()
    hook.stop()
    # Within its 0.5 s budget, not the logger's own 30 s default (a generous bound: a busy
    # machine may stall the flush loop, it must still give up long before 30 s).
    assert time.monotonic() - started < 10.0
    assert hook.shutdown_dropped == 3
    assert (
        registry.get_sample_value("mlops_prediction_log_rows_dropped_total", {"project": "p"}) == 3
    )


def _scorer(model, frame):
    p = [float(v) for v in model.predict_proba(frame)[:, 1]]
    return p, [int(v >= 0.5) for v in p]


def test_the_projects_prediction_log_is_keyed_by_the_servers_request_ids(
    serving_project, tmp_path, monkeypatch
):
    from mlops_runtime.monitoring.prediction_log import read_partitioned
    from mlops_runtime.serving.hooks import prediction_log_hooks

    for variable in ("PREDICTION_LOG_URI", "MLOPS_ARTIFACT_ROOT", "MONITORING_CONFIG"):
        monkeypatch.delenv(variable, raising=False)
    (tmp_path / "config").mkdir()
    config = tmp_path / "config" / "monitoring.yaml"
    config.write_text("prediction_log: {enabled: true, batch_rows: 1000, flush_seconds: 60}\n")
    features = [ColumnSpec("x", "number")]
    rows = [{"x": 1.0}, {"x": 2.0}, {"x": 3.0}]
    hooks = ServingHooks(prediction_log_hooks(serving_project))
    app = create_app(serving_project, features, _scorer, hooks=hooks,
                     options=ServingOptions(reload_seconds=0))  # fmt: skip
    with TestClient(app) as client:
        given = client.post("/predict", json={"rows": rows}, headers={"X-Request-ID": "abc-1"})
        first_id = given.headers["X-Request-ID"]
        assert given.status_code == 200 and first_id != "abc-1"  # a caller cannot pick the key
        second_id = client.post("/predict", json={"rows": rows[:1]}).headers["X-Request-ID"]
    # leaving the client stops the app, which writes what the log still held (default location)
    frame = read_partitioned((tmp_path / "artifacts" / "predictions").as_uri(), 0, time.time() + 1)
    assert sorted(frame["request_id"].unique()) == sorted([first_id, second_id])
    first = frame[frame["request_id"] == first_id].sort_values("row")
    assert first["row"].tolist() == [0, 1, 2] and first["x"].tolist() == [1.0, 2.0, 3.0]
    assert (first["model_version"] == "1").all() and (first["model_alias"] == "champion").all()
    assert first["probability"].tolist() == [0.1] * 3  # the fake registry's version 1

    monkeypatch.setenv("PREDICTION_LOG_ENABLED", "0")
    assert prediction_log_hooks(serving_project) == []
    monkeypatch.delenv("PREDICTION_LOG_ENABLED")
    config.write_text("prediction_log: {enabled: false}\n")
    assert prediction_log_hooks(serving_project) == []


def test_prediction_log_hook_takes_its_limits_from_the_environment(monkeypatch):
    from mlops_runtime.serving.hooks import prediction_log_hook

    monkeypatch.delenv("PREDICTION_LOG_UNHEALTHY_SECONDS", raising=False)
    monkeypatch.delenv("PREDICTION_LOG_STOP_SECONDS", raising=False)
    logger = FakeLogger()
    default = prediction_log_hook(logger, list)
    assert (default.unhealthy_after, default.stop_seconds) == (120.0, 20.0)
    assert default.logger is logger and default.to_batch is list
    monkeypatch.setenv("PREDICTION_LOG_UNHEALTHY_SECONDS", "5")
    monkeypatch.setenv("PREDICTION_LOG_STOP_SECONDS", "2.5")
    tuned = prediction_log_hook(logger, list)
    assert (tuned.unhealthy_after, tuned.stop_seconds) == (5.0, 2.5)


def test_event_batch_keys_the_rows_by_the_servers_request_id():
    from mlops_runtime.monitoring.prediction_log import PredictionBatch
    from mlops_runtime.serving.hooks import PredictionEvent, event_batch

    frame = pd.DataFrame({"tenure": [1, 2]})
    event = PredictionEvent(request_id="srv-1", features=frame, probabilities=[0.2, 0.9],
                            labels=[0, 1], model_name="m", model_version="3",
                            model_alias="champion", correlation_id="caller-7")  # fmt: skip
    batch = event_batch(event)
    assert isinstance(batch, PredictionBatch)
    assert batch.request_id == "srv-1"  # never the caller's correlation id
    assert batch.features is frame and batch.predictions == [0, 1]
    assert (batch.probabilities, batch.model_version, batch.model_alias) == ([0.2, 0.9], "3",
                                                                             "champion")  # fmt: skip

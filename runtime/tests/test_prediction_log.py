"""The prediction log: batched Parquet files per day, bounded, crash-tolerant, with retention."""

from __future__ import annotations

import threading
import time

import pandas as pd
import pytest
from mlops_runtime.monitoring.prediction_log import (
    PredictionBatch,
    PredictionLogger,
    labelled,
    purge,
    read_partitioned,
    write_feedback,
    write_partitioned,
)
from sampleproj.data import FEATURE_COLUMNS, generate

DAY = 86400.0


def batch(request_id: str, rows: int = 3, timestamp: float | None = None) -> PredictionBatch:
    features = generate(rows, seed=len(request_id))[FEATURE_COLUMNS]
    return PredictionBatch(
        request_id=request_id,
        features=features,
        probabilities=[0.25] * rows,
        predictions=[0] * rows,
        model_name="m",
        model_version="3",
        model_alias="champion",
        timestamp=timestamp if timestamp is not None else time.time(),
    )


def test_batches_are_written_per_day_and_read_back(tmp_path):
    uri = (tmp_path / "log").as_uri()
    logger = PredictionLogger(uri, batch_rows=1000, flush_seconds=60)
    now = time.time()
    logger.log(batch("a", 3, now - DAY))
    logger.log(batch("b", 2, now))
    assert logger.flush(10)
    logger.stop()
    days = sorted(p.name for p in (tmp_path / "log").iterdir())
    assert len(days) == 2 and all(d.startswith("date=") for d in days)
    frame = read_partitioned(uri, now - 2 * DAY, now + 1)
    assert len(frame) == 5
    assert set(frame["request_id"]) == {"a", "b"}
    assert frame.loc[frame["request_id"] == "b", "row"].tolist() == [0, 1]
    assert set(FEATURE_COLUMNS) <= set(frame.columns)
    assert (frame["model_version"] == "3").all()
    assert str(frame["timestamp"].dt.tz) == "UTC"
    assert len(read_partitioned(uri, now - 0.5 * DAY, now + 1)) == 2  # the window filters


def test_a_full_queue_drops_and_counts_without_blocking(tmp_path):
    release = threading.Event()

    def slow_writer(frame, uri):
        release.wait(10)

    logger = PredictionLogger("memory://never", queue_size=5, batch_rows=1, writer=slow_writer)
    started = time.perf_counter()
    accepted = [logger.log(batch(f"r{i}", 2)) for i in range(10)]
    # The request path never waits for the sink: waiting would last the slow writer's 10 s
    # (a generous bound, so a busy machine's stall is not mistaken for waiting).
    assert time.perf_counter() - started < 5.0
    assert not all(accepted)
    assert logger.rows_dropped >= 10
    release.set()
    logger.stop(5)


def test_a_failing_sink_is_retried_and_does_not_lose_rows(tmp_path):
    uri = (tmp_path / "log").as_uri()
    failures = {"left": 2}

    def flaky(frame, target):
        if failures["left"]:
            failures["left"] -= 1
            raise OSError("sink unavailable")
        from mlops_runtime.monitoring.prediction_log import write_partitioned

        return write_partitioned(frame, target)

    logger = PredictionLogger(uri, batch_rows=1, flush_seconds=0.05, writer=flaky)
    logger.log(batch("x", 4))
    assert logger.flush(20)
    logger.stop()
    assert logger.write_errors == 2
    assert len(read_partitioned(uri, 0, time.time() + 1)) == 4


def test_a_dead_writer_is_replaced(tmp_path):
    uri = (tmp_path / "log").as_uri()
    logger = PredictionLogger(uri, batch_rows=1, flush_seconds=0.05)
    logger.log(batch("first", 1))
    assert logger.flush(10)
    logger._stopping = True  # make the writer thread exit, as if it had crashed
    logger._queue.put(None)
    logger._thread.join(5)
    assert not logger._thread.is_alive()
    logger._stopping = False
    assert logger.log(batch("second", 1))  # starts a new writer
    assert logger.flush(10)
    logger.stop()
    assert set(read_partitioned(uri, 0, time.time() + 1)["request_id"]) == {"first", "second"}


def test_retention_deletes_old_days(tmp_path):
    uri = (tmp_path / "log").as_uri()
    now = time.time()
    write_partitioned(batch("old", 1, now - 40 * DAY).to_frame(), uri)
    write_partitioned(batch("new", 1, now).to_frame(), uri)
    removed = purge(uri, retention_days=30, now=now)
    assert len(removed) == 1
    assert set(read_partitioned(uri, 0, now + 1)["request_id"]) == {"new"}

    # The logger applies the retention itself while it runs.
    write_partitioned(batch("old", 1, now - 40 * DAY).to_frame(), uri)
    logger = PredictionLogger(uri, batch_rows=1, retention_days=30)
    logger.log(batch("newer", 1, now))
    assert logger.flush(10)
    logger.stop()
    assert set(read_partitioned(uri, 0, now + 1)["request_id"]) == {"new", "newer"}


def test_feedback_joins_on_request_id_and_row(tmp_path):
    log_uri, feedback_uri = (tmp_path / "log").as_uri(), (tmp_path / "fb").as_uri()
    logger = PredictionLogger(log_uri, batch_rows=1)
    logger.log(batch("req-1", 2))
    assert logger.flush(10)
    logger.stop()
    write_feedback(pd.DataFrame({"request_id": ["req-1"], "row": [1], "label": [0]}), feedback_uri)
    write_feedback(pd.DataFrame({"request_id": ["req-1"], "row": [1], "label": [1]}), feedback_uri)
    now = time.time() + 1
    joined = labelled(read_partitioned(log_uri, 0, now), read_partitioned(feedback_uri, 0, now))
    assert joined[["request_id", "row", "label"]].values.tolist() == [["req-1", 1, 1]]
    with pytest.raises(ValueError, match="request_id and label"):
        write_feedback(pd.DataFrame({"label": [1]}), feedback_uri)

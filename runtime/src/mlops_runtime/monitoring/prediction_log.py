"""The prediction log: what the model was asked and what it answered, written off the request path.

Serving and batch scoring hand each scored batch to a `PredictionLogger`. It puts the batch on a
bounded queue (never blocking: when the queue is full the rows are dropped and counted) and a
background thread writes them in batches as Parquet files under the log URI (any fsspec URI:
`file://`, `s3://`, `gs://`), one folder per UTC day:

    <uri>/date=2026-12-02/part-<epoch ms>-<id>.parquet

Columns: request_id, row (position in the request), timestamp (UTC), source (serving or batch),
model_name, model_version, model_alias, the raw feature columns, probability, prediction, and
for served rows the knowledge limits (`ood_score`, `confidence`, `limit_flags`: see
`mlops_runtime.limits`).
A failed write is retried with the next batch; if the writer thread dies, the next `log` call
starts a new one. `purge` deletes days older than the retention. Labels that arrive later go to
the feedback log (`write_feedback`), keyed by request id and row.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

META_COLUMNS = [
    "request_id",
    "row",
    "timestamp",
    "source",
    "model_name",
    "model_version",
    "model_alias",
]
OUTPUT_COLUMNS = ["probability", "prediction"]
FEEDBACK_COLUMNS = ["request_id", "row", "label", "timestamp"]
_DAY = 86400.0


@dataclass
class PredictionBatch:
    """One scored request (or batch-scoring chunk): raw features and the model's answers."""

    request_id: str
    features: pd.DataFrame
    probabilities: Any  # sequence of floats, one per row
    predictions: Any  # sequence of 0/1, one per row
    model_name: str
    model_version: str
    model_alias: str | None = None
    source: str = "serving"
    timestamp: float = field(default_factory=time.time)
    limits: Any = None  # mlops_runtime.limits.RowLimits per row, when serving checked them

    def to_frame(self) -> pd.DataFrame:
        return batches_to_frame([self])


def batches_to_frame(batches: list[PredictionBatch]) -> pd.DataFrame:
    """One table of many batches, built column by column (not batch by batch: a one-row
    request must not cost the writer a DataFrame of its own)."""
    sizes = [len(b.features) for b in batches]

    def repeat(values: list) -> np.ndarray:
        return np.repeat(np.asarray(values, dtype=object), sizes)

    meta = pd.DataFrame(
        {
            "request_id": repeat([b.request_id for b in batches]),
            "row": np.concatenate([np.arange(n, dtype="int64") for n in sizes]),
            "timestamp": pd.to_datetime(
                np.repeat([b.timestamp for b in batches], sizes), unit="s", utc=True
            ),
            "source": repeat([b.source for b in batches]),
            "model_name": repeat([b.model_name for b in batches]),
            "model_version": repeat([str(b.model_version) for b in batches]),
            "model_alias": repeat([b.model_alias or "" for b in batches]),
        }
    )
    features = pd.concat([b.features for b in batches], ignore_index=True)
    outputs = pd.DataFrame(
        {
            "probability": np.concatenate(
                [np.asarray(b.probabilities, dtype="float64") for b in batches]
            ),
            "prediction": np.concatenate(
                [np.asarray(b.predictions, dtype="int64") for b in batches]
            ),
        }
    )
    if any(b.limits is not None for b in batches):
        outputs = pd.concat([outputs, _limits_columns(batches, sizes)], axis=1)
    return pd.concat([meta, features, outputs], axis=1)


def _limits_columns(batches: list[PredictionBatch], sizes: list[int]) -> pd.DataFrame:
    """`ood_score`, `confidence` and `limit_flags` (comma-separated, empty: within the limits)
    of each row; NaN and empty for batches that were not checked."""
    scores, confidence, flags = [], [], []
    for batch, n in zip(batches, sizes, strict=True):
        rows = batch.limits if batch.limits is not None else [None] * n
        scores += [r.ood_score if r else np.nan for r in rows]
        confidence += [r.confidence if r and r.confidence is not None else np.nan for r in rows]
        flags += [",".join(r.flags) if r else "" for r in rows]
    return pd.DataFrame({
        "ood_score": np.asarray(scores, dtype="float64"),
        "confidence": np.asarray(confidence, dtype="float64"),
        "limit_flags": np.asarray(flags, dtype=object),
    })  # fmt: skip


def _fs(uri: str):
    from fsspec.core import url_to_fs

    return url_to_fs(uri)


def _day(ts: float) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(ts))


def write_partitioned(frame: pd.DataFrame, uri: str, prefix: str = "part") -> list[str]:
    """Write `frame` (with a UTC `timestamp` column) as one Parquet file per day; return paths."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    fs, root = _fs(uri)
    written = []
    days = frame["timestamp"].dt.strftime("%Y-%m-%d")
    for day, part in frame.groupby(days, sort=True):
        folder = f"{root.rstrip('/')}/date={day}"
        fs.makedirs(folder, exist_ok=True)
        path = f"{folder}/{prefix}-{int(time.time() * 1000)}-{uuid.uuid4().hex[:8]}.parquet"
        part = part.reset_index(drop=True)
        stamps = part.pop("timestamp").dt.tz_convert(None).to_numpy(dtype="datetime64[us]")
        table = pa.Table.from_pandas(part, preserve_index=False).append_column(
            "timestamp", pa.array(stamps).cast(pa.timestamp("us", tz="UTC"))
        )
        tmp = path + ".tmp"
        with fs.open(tmp, "wb") as handle:  # readers never see a half-written file
            pq.write_table(table, handle)
        fs.mv(tmp, path)
        written.append(path)
    return written


def read_partitioned(
    uri: str, start: float, end: float, columns: list[str] | None = None
) -> pd.DataFrame:
    """Every row with start <= timestamp < end (epoch seconds), from the day folders in range;
    only `columns` (and the timestamp) when given, which saves most of the time on big windows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    fs, root = _fs(uri)
    if not fs.exists(root):
        return pd.DataFrame()
    first, last = _day(start), _day(end)
    tables = []
    for folder in sorted(fs.ls(root, detail=False)):
        name = folder.rstrip("/").rsplit("/", 1)[-1]
        if not name.startswith("date=") or not first <= name[5:] <= last:
            continue
        for path in sorted(fs.ls(folder, detail=False)):
            if path.endswith(".parquet"):
                with fs.open(path, "rb") as handle:
                    wanted = None
                    if columns is not None:
                        names = pq.read_schema(handle).names
                        handle.seek(0)
                        wanted = list(
                            dict.fromkeys(c for c in [*columns, "timestamp"] if c in names)
                        )
                    tables.append(pq.read_table(handle, columns=wanted))
    if not tables:
        return pd.DataFrame()
    frame = pa.concat_tables(tables, promote_options="permissive").to_pandas()
    lo = pd.Timestamp(start, unit="s", tz="UTC")
    hi = pd.Timestamp(end, unit="s", tz="UTC")
    return frame[(frame["timestamp"] >= lo) & (frame["timestamp"] < hi)].reset_index(drop=True)


def purge(uri: str, retention_days: float, now: float | None = None) -> list[str]:
    """Delete the day folders older than `retention_days`; return the folders deleted."""
    fs, root = _fs(uri)
    if retention_days <= 0 or not fs.exists(root):
        return []
    cutoff = _day((now if now is not None else time.time()) - retention_days * _DAY)
    removed = []
    for folder in fs.ls(root, detail=False):
        name = folder.rstrip("/").rsplit("/", 1)[-1]
        if name.startswith("date=") and name[5:] < cutoff:
            fs.rm(folder, recursive=True)
            removed.append(folder)
    return removed


def write_feedback(labels: pd.DataFrame, uri: str, now: float | None = None) -> list[str]:
    """Append labels (columns request_id, label; row optional, default 0) to the feedback log."""
    missing = [c for c in ("request_id", "label") if c not in labels.columns]
    if missing:
        raise ValueError(f"feedback needs the columns request_id and label (missing: {missing})")
    frame = labels.copy()
    if "row" not in frame.columns:
        frame["row"] = 0
    frame["request_id"] = frame["request_id"].astype(str)
    frame["row"] = frame["row"].astype("int64")
    frame["label"] = frame["label"].astype("int64")
    stamp = now if now is not None else time.time()
    frame["timestamp"] = pd.to_datetime(stamp, unit="s", utc=True)
    return write_partitioned(frame[FEEDBACK_COLUMNS], uri, prefix="feedback")


def labelled(predictions: pd.DataFrame, feedback: pd.DataFrame) -> pd.DataFrame:
    """The logged predictions that have a label (the latest label wins), with a `label` column."""
    if predictions.empty or feedback.empty:
        return pd.DataFrame(
            {
                "timestamp": pd.Series(dtype="datetime64[us, UTC]"),
                "probability": pd.Series(dtype="float64"),
                "label": pd.Series(dtype="int64"),
            }
        )
    latest = feedback.sort_values("timestamp").drop_duplicates(["request_id", "row"], keep="last")
    return predictions.merge(latest[["request_id", "row", "label"]], on=["request_id", "row"])


class PredictionLogger:
    """Bounded, batched, crash-tolerant writer of `PredictionBatch`es to the prediction log."""

    def __init__(
        self,
        uri: str,
        queue_size: int = 10000,
        batch_rows: int = 1000,
        flush_seconds: float = 5.0,
        retention_days: float = 30,
        writer=write_partitioned,
    ):
        self.uri = uri
        self.batch_rows = batch_rows
        self.flush_seconds = flush_seconds
        self.retention_days = retention_days
        self.queue_rows = queue_size
        self._writer = writer
        self._queue: queue.SimpleQueue[PredictionBatch | None] = queue.SimpleQueue()
        self._queued = 0  # rows in the queue (approximate across threads; bounds memory)
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._pending: list[PredictionBatch] = []
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._last_purge = 0.0
        self.rows_written = 0
        self.rows_dropped = 0
        self.write_errors = 0

    # -- request path: never blocks, never raises ------------------------------------------
    def log(self, batch: PredictionBatch) -> bool:
        """Queue `batch` for writing; False (and counted as dropped) when the queue is full."""
        rows = len(batch.features)
        with self._lock:
            if self._stopping or self._queued + rows > self.queue_rows:
                self.rows_dropped += rows
                return False
            self._queued += rows
        if self._thread is None or not self._thread.is_alive():
            self.start()  # first use, or the writer died: start a new one
        self._queue.put(batch)
        return True

    # -- life cycle ---------------------------------------------------------------------------
    def start(self) -> None:
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stopping = False
            self._thread = threading.Thread(
                target=self._run, name="prediction-log-writer", daemon=True
            )
            self._thread.start()

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every queued row was written (or given up on); False on timeout."""
        self._queue.put(None)  # wakes the writer to write what it holds now
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._queued > 0 or self._pending:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._thread is None or not self._thread.is_alive():
                    return False
                self._idle.wait(min(remaining, 0.1))
        return True

    def stop(self, timeout: float = 30.0) -> None:
        """Write what is queued, then stop the writer thread."""
        self.flush(timeout)
        with self._lock:
            self._stopping = True
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout)

    def stats(self) -> dict[str, int]:
        return {
            "rows_written": self.rows_written,
            "rows_dropped": self.rows_dropped,
            "rows_queued": self._queued,
            "write_errors": self.write_errors,
        }

    # -- writer thread ------------------------------------------------------------------------
    def _run(self) -> None:
        first_at: float | None = None
        while True:
            timeout = (
                self.flush_seconds
                if first_at is None
                else max(0.0, first_at + self.flush_seconds - time.monotonic())
            )
            try:
                item = self._queue.get(timeout=timeout)
            except queue.Empty:
                item = None
            if item is not None:
                self._pending.append(item)
                first_at = first_at or time.monotonic()
                if sum(len(b.features) for b in self._pending) < self.batch_rows:
                    continue
            if self._pending:
                self._write_pending()
                first_at = None if not self._pending else time.monotonic()
            with self._idle:
                self._idle.notify_all()
                if self._stopping and self._queue.empty() and not self._pending:
                    return
            self._maybe_purge()

    def _write_pending(self) -> None:
        batches, rows = self._pending, sum(len(b.features) for b in self._pending)
        try:
            frame = batches_to_frame(batches)
            self._writer(frame, self.uri)
        except Exception:  # the sink failed: keep the rows for the next try, within bounds
            self.write_errors += 1
            log.exception("prediction log: writing %d rows to %s failed", rows, self.uri)
            if rows > self.queue_rows:  # give up on the oldest rather than grow without bound
                dropped = batches.pop(0)
                self.rows_dropped += len(dropped.features)
                with self._lock:
                    self._queued -= len(dropped.features)
            time.sleep(min(self.flush_seconds, 1.0))
            return
        self._pending = []
        self.rows_written += rows
        with self._lock:
            self._queued -= rows

    def _maybe_purge(self) -> None:
        if time.time() - self._last_purge < 3600:
            return
        self._last_purge = time.time()
        try:
            purge(self.uri, self.retention_days)
        except Exception:
            log.exception("prediction log: retention purge of %s failed", self.uri)

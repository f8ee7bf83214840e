"""The load generator: an open-loop schedule of POST /predict requests from a pool of threads.

Request i is due at start + i / rps whatever happened to the others (open loop), so a slow
server does not slow the traffic down and hide its own slowness: each latency is counted from
the time the request was due, not from when a free connection sent it ("coordinated omission").
Python's standard library only (threads and `http.client` with keep-alive connections), so CD
runs it with nothing but the runtime installed.
"""

from __future__ import annotations

import http.client
import json
import math
import threading
import time
import urllib.parse
from dataclasses import dataclass

from .objectives import LoadPlan


class TargetError(Exception):
    """The service cannot be load-tested: bad URL, or no example row to send."""


@dataclass(frozen=True)
class Outcome:
    """One request: `status` (0: no HTTP answer), `error` (why it failed, '' when it did not),
    `latency` from the time it was due and `service` from the time it was sent, in seconds."""

    status: int
    error: str
    latency: float
    service: float
    finished: float


@dataclass(frozen=True)
class Measurement:
    """What a load test measured."""

    url: str
    plan: LoadPlan
    requests: int
    errors: int
    errors_by_kind: dict[str, int]
    elapsed_seconds: float
    latency_ms: dict[str, float | None]
    service_ms: dict[str, float | None]

    @property
    def error_rate(self) -> float:
        """Failed requests over all requests."""
        return self.errors / self.requests if self.requests else 1.0

    @property
    def achieved_rps(self) -> float:
        """Successful answers per second, over the schedule's window or until the last answer,
        whichever is longer."""
        return (self.requests - self.errors) / self.elapsed_seconds if self.elapsed_seconds else 0.0

    def as_objectives(self) -> dict[str, float | None]:
        """The figures the objectives name."""
        return {
            "p95_ms": self.latency_ms["p95"],
            "p99_ms": self.latency_ms["p99"],
            "error_rate": self.error_rate,
            "rps": self.achieved_rps,
        }


def percentile(sorted_values: list[float], q: float) -> float | None:
    """The nearest-rank percentile `q` (0-100) of ascending values; None when there are none."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def summary_ms(values: list[float]) -> dict[str, float | None]:
    """p50, p95, p99, max and mean of durations in seconds, in milliseconds."""
    ordered = sorted(values)
    figures = {f"p{q}": percentile(ordered, q) for q in (50, 95, 99)}
    figures["max"] = ordered[-1] if ordered else None
    figures["mean"] = sum(ordered) / len(ordered) if ordered else None
    return {k: None if v is None else round(v * 1000, 3) for k, v in figures.items()}


class _Endpoint:
    """Where to send: scheme, host, port and the path prefix of a base URL."""

    def __init__(self, base_url: str):
        parts = urllib.parse.urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise TargetError(f"{base_url!r} is not an http(s) URL; e.g. http://127.0.0.1:8000")
        self.https = parts.scheme == "https"
        self.host = parts.hostname
        self.port = parts.port
        self.prefix = parts.path.rstrip("/")

    def connect(self, timeout: float) -> http.client.HTTPConnection:
        kind = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
        return kind(self.host, self.port, timeout=timeout)


def example_rows(base_url: str, count: int) -> list[dict]:
    """`count` copies of the example row of the app's OpenAPI schema (the data contract's)."""
    from ..cd.smoke import example_row

    try:
        row = example_row(base_url)
    except (OSError, ValueError) as exc:
        raise TargetError(f"{base_url}/openapi.json could not be read: {exc}") from None
    if row is None:
        raise TargetError(
            f"{base_url}/openapi.json has no example row (schema Row); is it the serving app?"
        )
    return [row] * count


def _send(connection: http.client.HTTPConnection, path: str, body: bytes) -> int:
    connection.request("POST", path, body=body, headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    response.read()  # the whole answer, so the connection can be reused
    return response.status


def run_load(
    base_url: str, plan: LoadPlan, rows: list[dict] | None = None, warmup_seconds: float = 60.0
) -> Measurement:
    """Offer `plan` to the serving app at `base_url` (POST /predict) and measure it. Not
    counted: a first request, given up to `warmup_seconds` (what a model does once, on its first
    call, is a cold start, not the steady state the SLO is about), then one request per
    connection (connection set-up); then the schedule starts."""
    endpoint = _Endpoint(base_url)
    rows = rows if rows is not None else example_rows(base_url, plan.rows_per_request)
    body = json.dumps({"rows": rows}).encode()
    path = endpoint.prefix + "/predict"
    first = endpoint.connect(max(warmup_seconds, plan.timeout_seconds))
    try:
        _send(first, path, body)
    except (OSError, http.client.HTTPException):
        pass  # the measured requests will fail the same way, and be counted
    finally:
        first.close()
    total = max(1, round(plan.rps * plan.duration_seconds))
    interval = 1.0 / plan.rps
    outcomes: list[Outcome | None] = [None] * total
    next_index = iter(range(total))
    lock = threading.Lock()
    start = [0.0]

    def begin() -> None:  # run once, when every connection is warm, before any is released
        start[0] = time.perf_counter()

    ready = threading.Barrier(plan.concurrency + 1, action=begin)

    def worker() -> None:
        connection = endpoint.connect(plan.timeout_seconds)
        try:
            _send(connection, path, body)
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = endpoint.connect(plan.timeout_seconds)
        ready.wait()
        try:
            while True:
                with lock:
                    i = next(next_index, None)
                if i is None:
                    return
                due = start[0] + i * interval
                delay = due - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                sent = time.perf_counter()
                status, error = 0, ""
                try:
                    status = _send(connection, path, body)
                    if not 200 <= status < 300:
                        error = f"HTTP {status}"
                except TimeoutError:
                    error = "timeout"
                except (OSError, http.client.HTTPException) as exc:
                    error = type(exc).__name__
                if status == 0:  # the connection is in an unknown state: a fresh one
                    connection.close()
                    connection = endpoint.connect(plan.timeout_seconds)
                finished = time.perf_counter()
                outcomes[i] = Outcome(status, error, finished - due, finished - sent, finished)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(plan.concurrency)]
    for thread in threads:
        thread.start()
    ready.wait()
    for thread in threads:
        thread.join()
    done = [o for o in outcomes if o is not None]
    ok = [o for o in done if not o.error]
    kinds: dict[str, int] = {}
    for outcome in done:
        if outcome.error:
            kinds[outcome.error] = kinds.get(outcome.error, 0) + 1
    last = max((o.finished for o in done), default=start[0])
    return Measurement(
        url=base_url,
        plan=plan,
        requests=total,
        errors=total - len(ok),
        errors_by_kind=dict(sorted(kinds.items())),
        elapsed_seconds=max(total * interval, last - start[0]),
        latency_ms=summary_ms([o.latency for o in ok]),
        service_ms=summary_ms([o.service for o in ok]),
    )

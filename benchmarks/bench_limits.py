"""Per-request cost of the knowledge limits (out-of-distribution score and confidence) and of
explanations, against `/predict` p50 (issue 22: the limits' goal is at most 5% of p50).

It serves a churn-like scikit-learn pipeline (4 numeric and 1 categorical column, scaling,
one-hot encoding, logistic regression, fitted on 2000 synthetic rows) with the runtime's
`create_app` under uvicorn (one worker, 127.0.0.1, a free port, pinned to one CPU with taskset
when available), and sends single-row requests over one keep-alive connection from this process:

1. `/predict` with the limits on (training ranges loaded: the real path);
2. `/predict` with the limits' checker replaced by a no-op (the same server code otherwise);
3. `/predict?explain=true` (baseline substitution over the 5 features);
and, in this process, `LimitsChecker.assess` on one row alone (the added work, without HTTP).
Prints one JSON object with p50/p99 in milliseconds and the ratios.

    .venv/bin/python benchmarks/bench_limits.py [--requests 2000]

Needs the runtime with its `serving` extra and scikit-learn in this interpreter.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

SERVER = textwrap.dedent(
    """
    import os, sys
    import numpy as np, pandas as pd, uvicorn
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
    from mlops_runtime import Project, explain, limits
    from mlops_runtime.contract import ColumnSpec
    from mlops_runtime.serving import app as serving_app
    from mlops_runtime.serving.loader import LoadedModel

    rng = np.random.default_rng(0)
    n = 2000
    frame = pd.DataFrame({
        "tenure_months": rng.integers(1, 73, n), "monthly_charges": rng.normal(70, 20, n),
        "support_calls": rng.poisson(1.5, n), "age": rng.integers(18, 80, n),
        "contract": rng.choice(["month-to-month", "one-year", "two-year"], n),
    })
    logit = -0.6 - 0.045 * frame.tenure_months + 0.5 * frame.support_calls
    target = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    numeric = ["tenure_months", "monthly_charges", "support_calls", "age"]
    model = make_pipeline(ColumnTransformer([
        ("n", StandardScaler(), numeric),
        ("c", OneHotEncoder(handle_unknown="ignore"), ["contract"])]), LogisticRegression())
    model.fit(frame, target)
    features = [ColumnSpec(c, "number", minimum=0, maximum=1000) for c in numeric] + [
        ColumnSpec("contract", "string",
                   allowed_values=["month-to-month", "one-year", "two-year"])]
    ranges, baseline = limits.training_ranges(frame), explain.baseline_row(frame)
    if os.environ.get("BENCH_NO_LIMITS"):
        class NoOp:
            policy = limits.LimitsPolicy("return")
            def assess(self, frame, probabilities):
                return [limits.RowLimits(0.0, (), 1.0, ())] * len(frame)
        from mlops_runtime.serving import limits as serving_limits
        serving_limits.Checkers.of = lambda self, loaded: NoOp()

    def scorer(m, f):
        p = m.predict_proba(f)[:, 1]
        return [float(v) for v in p], [int(v >= 0.5) for v in p]

    app = serving_app.create_app(
        Project(name="bench", package="bench"), features, scorer,
        loader=lambda alias: LoadedModel(model, "bench", "1", "champion"),
        baseline_loader=lambda loaded: baseline, ranges_loader=lambda loaded: ranges,
        limits=limits.LimitsPolicy("flag"),
        options=serving_app.ServingOptions(reload_seconds=0))
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning",
                access_log=False)
    """
)
ROW = {"tenure_months": 12, "monthly_charges": 80.5, "support_calls": 2, "age": 41,
       "contract": "month-to-month"}  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def measure(port: int, path: str, requests: int) -> dict[str, float]:
    body = json.dumps({"rows": [ROW]})
    headers = {"Content-Type": "application/json"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for _ in range(100):  # warm-up (first-version caches, allocator)
        conn.request("POST", path, body, headers)
        assert conn.getresponse().read() and True
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        conn.request("POST", path, body, headers)
        response = conn.getresponse()
        response.read()
        times.append(time.perf_counter() - started)
        assert response.status == 200, response.status
    conn.close()
    times.sort()
    return {"p50_ms": statistics.median(times) * 1000,
            "p99_ms": times[int(len(times) * 0.99) - 1] * 1000}  # fmt: skip


def serve(script: Path, no_limits: bool) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {**os.environ, **({"BENCH_NO_LIMITS": "1"} if no_limits else {})}
    cmd = [sys.executable, str(script), str(port)]
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", "0", *cmd]
    proc = subprocess.Popen(cmd, env=env, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/ready")
            if conn.getresponse().status == 200:
                return proc, port
        except OSError:
            time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGTERM)
    raise SystemExit("the benchmark server did not become ready in 60 s")


def assess_alone(iterations: int = 20000) -> float:
    """Microseconds of `LimitsChecker.assess` on one row, in this process."""
    from mlops_runtime.limits import LimitsChecker, LimitsPolicy

    ranges = {"tenure_months": {"min": 1, "max": 72}, "monthly_charges": {"min": 18, "max": 120},
              "support_calls": {"min": 0, "max": 9}, "age": {"min": 18, "max": 79},
              "contract": {"values": ["month-to-month", "one-year", "two-year"]}}  # fmt: skip
    checker, records = LimitsChecker(ranges, LimitsPolicy()), [dict(ROW)]  # as the app has them
    started = time.perf_counter()
    for _ in range(iterations):
        checker.assess(records, [0.7])
    return (time.perf_counter() - started) / iterations * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    results: dict[str, object] = {"requests": args.requests, "cpu_count": os.cpu_count()}
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "bench_server.py"
        script.write_text(SERVER)
        cases = (
            ("predict_limits_on", False, "/predict"),
            ("predict_limits_off", True, "/predict"),
            ("predict_explain", False, "/predict?explain=true"),
        )
        for name, no_limits, path in cases:
            proc, port = serve(script, no_limits)
            try:
                results[name] = measure(port, path, args.requests)
            finally:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=30)
    on, off = results["predict_limits_on"]["p50_ms"], results["predict_limits_off"]["p50_ms"]
    results["assess_one_row_us"] = assess_alone()
    results["limits_p50_delta_ms"] = on - off
    results["limits_share_of_p50"] = (results["assess_one_row_us"] / 1000) / on
    results["explain_p50_over_plain"] = results["predict_explain"]["p50_ms"] / on
    print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

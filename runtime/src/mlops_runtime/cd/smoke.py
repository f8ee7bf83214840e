"""Smoke test of a running serving app: /health, /ready, /predict (good and bad rows), /metrics.

    python scripts/smoke_test.py --base-url http://127.0.0.1:8000 [--wait 120]

Exits 0 when every check passed, 1 otherwise, printing each check. Standard library only, so it
runs anywhere Python does (CD runs it against staging and production, through `cd.deploy`).
"""

from __future__ import annotations

import argparse
import json
import time
import urllib.error
import urllib.request
from collections.abc import Collection
from pathlib import Path


def call(base_url: str, path: str, body: object | None = None) -> tuple[int, bytes]:
    """(status, body) of GET `path`, or POST of `body` as JSON; HTTP errors are returned too."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        base_url.rstrip("/") + path,
        data=data,
        headers={"Content-Type": "application/json"} if data else {},
        method="GET" if data is None else "POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_for(base_url: str, path: str, seconds: float, every: float = 2.0) -> tuple[int, bytes]:
    """Poll `path` until it answers 200 or `seconds` pass; the last answer (0 if none)."""
    deadline = time.monotonic() + seconds
    last: tuple[int, bytes] = (0, b"no answer")
    while True:
        try:
            last = call(base_url, path)
        except (urllib.error.URLError, OSError) as error:  # not listening (yet)
            last = (0, str(error).encode())
        if last[0] == 200 or time.monotonic() >= deadline:
            return last
        time.sleep(every)


def example_row(base_url: str) -> dict | None:
    """The example row of the app's OpenAPI schema (built from the data contract)."""
    status, body = call(base_url, "/openapi.json")
    if status != 200:
        return None
    schemas = json.loads(body).get("components", {}).get("schemas", {})
    examples = schemas.get("Row", {}).get("examples") or [None]
    return examples[0]


def run_checks(
    base_url: str,
    wait: float,
    expect_version: str | None = None,
    labels: Collection[object] | None = None,
) -> tuple[list[str], str | None]:
    """The failed checks (empty when all passed) and the model version served. Probabilities,
    where the model gives them, must be in [0, 1]; with `labels`, every label must be one."""
    failures: list[str] = []

    def check(ok: bool, what: str, detail: object = "") -> bool:
        print(f"{'ok  ' if ok else 'FAIL'} {what}" + ("" if ok else f": {detail}"))
        if not ok:
            failures.append(what)
        return ok

    status, body = wait_for(base_url, "/health", wait)
    if not check(status == 200, "GET /health answers 200", f"{status} {body[:200]!r}"):
        return failures, None
    status, body = wait_for(base_url, "/ready", wait)
    if not check(status == 200, "GET /ready answers 200", f"{status} {body[:300]!r}"):
        return failures, None
    version = json.loads(body).get("model_version")
    if expect_version is not None:
        check(version == expect_version, f"serves model version {expect_version}", version)

    row = example_row(base_url)
    if not check(row is not None, "GET /openapi.json has an example row", row):
        return failures, version
    rows = [row, row]
    status, body = call(base_url, "/predict", {"rows": rows})
    if check(status == 200, "POST /predict answers 200", f"{status} {body[:300]!r}"):
        answer = json.loads(body)
        predictions = answer.get("predictions", [])
        check(len(predictions) == len(rows), "one prediction per row", predictions)
        in_range = [p.get("probability") is None or 0 <= p["probability"] <= 1 for p in predictions]
        check(
            all(in_range),
            "probabilities (where the model gives them) in [0, 1]",
            predictions,
        )
        if labels is not None:
            check(
                all(p.get("label") in labels for p in predictions),
                f"labels in {sorted(labels, key=str)}",
                predictions,
            )
        check(answer.get("model_version") == version, "the ready model scored", answer)

    status, body = call(base_url, "/predict", {"rows": [{**row, "not_a_column": 1}]})
    check(status == 422, "an invalid row is refused with 422", f"{status} {body[:300]!r}")

    status, body = call(base_url, "/metrics")
    check(
        status == 200 and b"mlops_serving_requests_total" in body,
        "GET /metrics exposes the request counter",
        f"{status} {body[:200]!r}",
    )
    return failures, version


def main(argv: list[str] | None = None, *, labels: Collection[object] | None = None) -> int:
    """`scripts/smoke_test.py --base-url URL [--wait S] [--expect-version N] [--version-file F]`:
    0 when every check passed, 1 otherwise. `labels`: the labels the model may answer."""
    parser = argparse.ArgumentParser(prog="smoke_test.py", description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True, help="e.g. http://127.0.0.1:8000")
    parser.add_argument("--wait", type=float, default=60, help="seconds to wait for readiness")
    parser.add_argument("--expect-version", help="fail unless this model version is served")
    parser.add_argument("--version-file", help="write the served model version to this file")
    args = parser.parse_args(argv)
    failures, version = run_checks(args.base_url, args.wait, args.expect_version, labels)
    if args.version_file and version is not None:
        Path(args.version_file).write_text(f"{version}\n")
    print(f"{len(failures)} check(s) failed" if failures else f"all checks passed, model {version}")
    return 1 if failures else 0

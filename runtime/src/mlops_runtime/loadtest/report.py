"""The load test's report: JSON for machines, Markdown for people, one verdict per objective."""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

from .objectives import Verdict
from .runner import Measurement

UNITS = {"p95_ms": "ms", "p99_ms": "ms", "error_rate": "", "rps": "/s"}
LABELS = {
    "p95_ms": "p95 latency",
    "p99_ms": "p99 latency",
    "error_rate": "error rate",
    "rps": "throughput (successful requests per second)",
}


def figure(name: str, value: float) -> str:
    """A measured or limit value as a person reads it."""
    if math.isnan(value):
        return "not measured"
    if name == "error_rate":
        return f"{value:.2%}"
    return f"{value:.1f} {UNITS[name]}".replace(" /s", "/s")


def describe(verdict: Verdict) -> str:
    """`p99_ms 812.0 ms > 500.0 ms`: the objective, what was measured, the limit."""
    relation = verdict.comparison if verdict.passed else {"<=": ">", ">=": "<"}[verdict.comparison]
    return (
        f"{verdict.name} {figure(verdict.name, verdict.measured)} {relation} "
        f"{figure(verdict.name, verdict.limit)}"
    )


def as_json(measurement: Measurement, verdicts: list[Verdict]) -> dict:
    """The report as JSON-ready data."""
    return {
        "url": measurement.url,
        "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "passed": all(v.passed for v in verdicts),
        "objectives": [
            {
                "name": v.name,
                "limit": v.limit,
                "measured": None if math.isnan(v.measured) else round(v.measured, 4),
                "comparison": v.comparison,
                "passed": v.passed,
            }
            for v in verdicts
        ],
        "load": asdict(measurement.plan),
        "requests": measurement.requests,
        "errors": measurement.errors,
        "errors_by_kind": measurement.errors_by_kind,
        "error_rate": round(measurement.error_rate, 6),
        "achieved_rps": round(measurement.achieved_rps, 3),
        "elapsed_seconds": round(measurement.elapsed_seconds, 3),
        "latency_ms": measurement.latency_ms,
        "service_ms": measurement.service_ms,
    }


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def as_markdown(measurement: Measurement, verdicts: list[Verdict]) -> str:
    """The report as Markdown."""
    plan = measurement.plan
    passed = all(v.passed for v in verdicts)
    lines = [
        "# Load test",
        "",
        f"**{'Passed' if passed else 'FAILED'}**: {sum(v.passed for v in verdicts)} of "
        f"{len(verdicts)} objectives met against `{measurement.url}` (POST /predict).",
        "",
        "| objective | limit | measured | result |",
        "|---|---|---|---|",
    ]
    for v in verdicts:
        lines.append(
            f"| {LABELS[v.name]} | {v.comparison} {figure(v.name, v.limit)} | "
            f"{figure(v.name, v.measured)} | {'pass' if v.passed else '**FAIL**'} |"
        )
    lat, svc = measurement.latency_ms, measurement.service_ms
    lines += [
        "",
        "## Measured",
        "",
        f"- offered: {plan.rps:g} requests/s for {plan.duration_seconds:g} s from "
        f"{plan.concurrency} connections, {plan.rows_per_request} row(s) per request, "
        f"timeout {plan.timeout_seconds:g} s",
        f"- requests: {measurement.requests}, failed: {measurement.errors} "
        f"({measurement.error_rate:.2%})"
        + "".join(f"; {kind}: {n}" for kind, n in measurement.errors_by_kind.items()),
        f"- achieved: {measurement.achieved_rps:.1f} successful requests/s over "
        f"{measurement.elapsed_seconds:.1f} s",
        "",
        "| latency (ms) | p50 | p95 | p99 | max | mean |",
        "|---|---|---|---|---|---|",
        "| from the time the request was due | "
        + " | ".join(_ms(lat[k]) for k in ("p50", "p95", "p99", "max", "mean"))
        + " |",
        "| from the time it was sent | "
        + " | ".join(_ms(svc[k]) for k in ("p50", "p95", "p99", "max", "mean"))
        + " |",
        "",
        "Latency counts successful requests only, from the time each was due on the schedule "
        "(a server that falls behind makes the next callers wait; that wait is counted). "
        "The load generator runs where this report was written: a saturated client shows as "
        "a gap between the two rows.",
        "",
    ]
    return "\n".join(lines)


def write_report(
    folder: Path, measurement: Measurement, verdicts: list[Verdict]
) -> tuple[Path, Path]:
    """`load_test.json` and `load_test.md` in `folder` (made if missing); their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    json_path, md_path = folder / "load_test.json", folder / "load_test.md"
    json_path.write_text(json.dumps(as_json(measurement, verdicts), indent=2) + "\n")
    md_path.write_text(as_markdown(measurement, verdicts))
    return json_path, md_path

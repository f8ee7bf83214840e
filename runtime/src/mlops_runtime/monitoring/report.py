"""The monitoring report: JSON for machines, Markdown for people, under MONITORING_REPORT_URI.

<uri>/reports/<UTC time>.json and .md, plus <uri>/latest.json and latest.md
"""

from __future__ import annotations

import json
import time
from typing import Any


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}g}" if abs(value) < 1e-3 and value else f"{value:.{digits}f}"
    return str(value)


def _when(ts: float | None) -> str:
    return "-" if ts is None else time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(ts))


def to_markdown(report: dict[str, Any]) -> str:
    """The report as Markdown for a person: decision, reasons, drift per column, decay windows."""
    decision, drift, decay, guards = (
        report["decision"],
        report["drift"],
        report["decay"],
        report["guards"],
    )
    model = report.get("model") or {}
    lines = [
        f"# Model monitoring report: {report['project']}",
        "",
        f"Generated {_when(report['generated_at'])} for model {model.get('name', '-')} "
        f"version {model.get('version', '-')}; window {_when(report['window']['start'])} to "
        f"{_when(report['window']['end'])}.",
        "",
        f"## Decision: {decision['action']}",
        "",
    ]
    lines += [f"- {reason}" for reason in decision["reasons"]] or ["- nothing calls for a retrain"]
    lines += [f"- blocked: {reason}" for reason in decision["blocked_by"]]
    lines += ["", "## Drift", ""]
    if not drift["enough_data"]:
        lines.append(f"{drift['rows']} rows in the window: too few to judge.")
    else:
        lines += [
            f"{drift['rows']} rows; drifted: {', '.join(drift['drifted']) or 'none'}.",
            "",
            "| column | kind | rows | PSI | test | statistic | p (corrected) | drifted |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for c in drift["columns"]:
            lines.append(
                f"| {c['column']} | {c['kind']} | {c['rows']} | {_fmt(c['psi'])} | {c['test']} "
                f"| {_fmt(c['statistic'])} | {_fmt(c['p_adjusted'])} | "
                f"{'**yes**: ' + c['reason'] if c['drifted'] else 'no'} |"
            )
    lines += [
        "",
        "## Performance on labelled feedback",
        "",
        f"{decay['metric']} threshold {decay['threshold']}: {decay['violations']} of "
        f"{decay['judged']} judged windows under it "
        f"(decay {'detected' if decay['detected'] else 'not detected'}).",
        "",
        "| window start | labelled | value | violated |",
        "|---|---|---|---|",
    ]
    for w in decay["windows"]:
        lines.append(
            f"| {_when(w['start'])} | {w['labelled']} | {_fmt(w['value'])} "
            f"| {_fmt(w['violated'])} |"
        )
    if report.get("kpi"):
        lines += ["", "## Business KPI", "", kpi_summary(report["kpi"], below="**below**") + "."]
    lines += [
        "",
        "## Storm guards",
        "",
        f"- retrain in progress: {guards['in_flight']}",
        f"- circuit breaker open: {guards['circuit_open']} "
        f"({guards['consecutive_failures']} failures in a row)",
        f"- last retrain started: {_when(guards['last_started_at'])}; "
        f"cool-down until {_when(guards['cooldown_until'])}",
        f"- retrains in the rate-limit window: {guards['retrains_in_window']}",
        f"- totals: {', '.join(f'{k} {v}' for k, v in guards['totals'].items())}",
        "",
    ]
    return "\n".join(lines)


def kpi_summary(kpi: dict[str, Any], below: str = "below") -> str:
    """One line on the business KPI of a report (`report["kpi"]`): its value against its floor
    on how many labelled predictions of which window, or why it was not measured."""
    if kpi["value"] is None:
        state = f"not measured: {kpi['note']}"
    else:
        state = f"{_fmt(kpi['value'])}, {below if kpi['below'] else 'at or above'} its floor"
    return (
        f"{kpi['name']} ({kpi['measure']} on {kpi['labelled']} labelled predictions of the last "
        f"{kpi['window_hours']:g} h, floor {kpi['threshold']}): {state}"
    )


def write_report(report: dict[str, Any], uri: str) -> dict[str, str]:
    """Write the report as JSON and Markdown (timestamped and `latest`); return the URIs."""
    import fsspec
    from fsspec.core import url_to_fs

    fs, root = url_to_fs(uri)
    root = root.rstrip("/")
    fs.makedirs(f"{root}/reports", exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(report["generated_at"]))
    text = json.dumps(report, indent=1, default=str)
    markdown = to_markdown(report)
    written = {}
    for name, body in (
        (f"reports/{stamp}.json", text),
        (f"reports/{stamp}.md", markdown),
        ("latest.json", text),
        ("latest.md", markdown),
    ):
        target = f"{uri.rstrip('/')}/{name}"
        with fsspec.open(target, "w", encoding="utf-8") as handle:
            handle.write(body)
        written[name] = target
    return {"json": written[f"reports/{stamp}.json"], "markdown": written[f"reports/{stamp}.md"]}

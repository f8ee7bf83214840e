"""The review of predictions past the model's knowledge limits (`make review`): the logged rows
flagged `out_of_range` or `low_confidence` in a window, for a person to look at, as Markdown.

    python -m <package>.monitoring review [--hours 24] [--output reports/limits_review.md]

It reads the prediction log (`PREDICTION_LOG_URI`), whose served rows carry `ood_score`,
`confidence` and `limit_flags` (`mlops_runtime.limits`), and lists the flagged rows, most out of
distribution first, with their feature values, the counts per reason and per model version.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

DEFAULT_OUTPUT = Path("reports/limits_review.md")
MAX_LISTED = 200


def flagged_rows(frame: Any) -> Any:
    """The rows of a prediction-log table that carry a limit flag, most out of range first."""
    if frame.empty or "limit_flags" not in frame.columns:
        return frame.iloc[0:0]
    flagged = frame[frame["limit_flags"].fillna("").astype(str) != ""]
    return flagged.sort_values(["ood_score", "confidence"], ascending=[False, True])


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def render_review(frame: Any, hours: float, features: list[str], now: float) -> str:
    """The report's Markdown for a window of the prediction log."""
    flagged = flagged_rows(frame)
    checked = int(frame["ood_score"].notna().sum()) if "ood_score" in frame.columns else 0
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(now))
    out = [
        "# Predictions past the model's knowledge limits",
        "",
        f"The last {hours:g} hours of the prediction log up to {stamp}: {len(frame)} rows logged, "
        f"{checked} checked against the training ranges, {len(flagged)} flagged. Each needs a "
        "person: is the input wrong, or is the model asked about customers it never saw?",
        "",
    ]
    if flagged.empty:
        return "\n".join([*out, "Nothing flagged.", ""])
    reasons: dict[str, int] = {}
    for flags in flagged["limit_flags"]:
        for reason in str(flags).split(","):
            reasons[reason] = reasons.get(reason, 0) + 1
    out += ["| reason | rows |", "|---|---|"]
    out += [f"| {reason} | {count} |" for reason, count in sorted(reasons.items())]
    out += ["", "| model version | flagged rows |", "|---|---|"]
    for version, count in flagged["model_version"].astype(str).value_counts().sort_index().items():
        out.append(f"| {_cell(version)} | {count} |")
    shown = [c for c in features if c in flagged.columns]
    header = ["time", "request_id", "row", "version", "flags", "ood_score", "confidence",
              "probability", *shown]  # fmt: skip
    out += ["", f"## Flagged rows (at most {MAX_LISTED}, most out of range first)", "",
            "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]  # fmt: skip
    for _, row in flagged.head(MAX_LISTED).iterrows():
        values = [row["timestamp"].strftime("%Y-%m-%d %H:%M:%S"), row["request_id"], row["row"],
                  row["model_version"], row["limit_flags"], row["ood_score"], row["confidence"],
                  row["probability"], *[row[c] for c in shown]]  # fmt: skip
        out.append("| " + " | ".join(_cell(v) for v in values) + " |")
    return "\n".join(out) + "\n"


def write_review(
    project: Any, hours: float = 24.0, output: str | Path = DEFAULT_OUTPUT,
    now: float | None = None,
) -> tuple[Path, int]:  # fmt: skip
    """Write the review of the last `hours` to `output` (under the project root); the path and
    the number of flagged rows."""
    from ..settings import load_settings
    from .prediction_log import META_COLUMNS, OUTPUT_COLUMNS, read_partitioned

    if hours <= 0:
        raise ValueError(f"--hours {hours:g}: give a positive number of hours")
    now = time.time() if now is None else now
    frame = read_partitioned(load_settings(project).prediction_log_uri, now - hours * 3600, now)
    known = {*META_COLUMNS, *OUTPUT_COLUMNS, "ood_score", "confidence", "limit_flags"}
    features = [c for c in frame.columns if c not in known]
    text = render_review(frame, hours, features, now)
    path = project.path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path, len(flagged_rows(frame))

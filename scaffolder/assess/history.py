"""The history file: one JSON line per run (when, commit, levels), to show progress over time."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from scaffolder.assess.models import AssessError, Report

MAX_HISTORY_BYTES = 64 * 1024 * 1024  # a line a run: far more runs than anyone keeps


def append_history(path: Path, report: Report, now: dt.datetime | None = None) -> str | None:
    """Append this run; return a one-line comparison with the previous run, if there was one."""
    import os

    from scaffolder.safe_read import UnsafeFileError, read_text

    previous = None
    text = ""
    if os.path.lexists(path):  # only a regular file: a FIFO would hang the append below
        try:
            text = read_text(path, limit=MAX_HISTORY_BYTES, what="history file")
        except FileNotFoundError:
            pass  # a dangling link: the append below creates its target
        except UnsafeFileError as exc:
            raise AssessError(f"{exc}; choose another --history") from None
    if text:
        for line in reversed(text.splitlines()):
            if line.strip():
                try:
                    previous = json.loads(line)
                except ValueError:
                    raise AssessError(
                        f"history file {path} has a damaged last line; fix or move it"
                    ) from None
                break
    entry = {
        "time": (now or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds"),
        "commit": report.commit,
        "rubric_version": report.rubric_version,
        "level": report.level,
        "dimensions": {d.dimension: d.level for d in report.dimensions},
        "passed": sum(r.counts_as_passed for r in report.checks),
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry) + "\n")
    except OSError as exc:
        raise AssessError(
            f"cannot append to history file {path}: {exc.strerror}; choose another --history"
        ) from None
    if previous is None:
        return None
    changes = []
    for dimension, level in entry["dimensions"].items():
        before = previous.get("dimensions", {}).get(dimension)
        if before is not None and before != level:
            changes.append(f"{dimension} {before}→{level}")
    delta = entry["passed"] - int(previous.get("passed", 0))
    return (
        f"Since {previous.get('time', '?')}: overall {previous.get('level')}→{report.level}, "
        f"{delta:+d} checks passed" + (f"; {', '.join(changes)}" if changes else "")
    )

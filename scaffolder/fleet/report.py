"""Fleet status for people: a terminal summary, and a Markdown or HTML page to publish."""

from __future__ import annotations

import html
from collections import Counter

COLUMNS = ("repository", "level", "assessed", "template", "overlays", "upgrade", "dry run",
           "problems")  # fmt: skip


def _release(source: dict | None) -> str:
    if not source:
        return ""
    text = f"{source['version']}"
    if source.get("behind"):
        text += f" (newest {source['newest']}, {source['behind']} behind)"
    return text


def _dry_run(row: dict) -> str:
    run = row.get("dry_run") or {}
    outcome = run.get("outcome", "")
    if outcome == "conflicts":
        return f"{len(run['conflicts'])} conflict(s)"
    if outcome == "clean":
        return f"clean ({run['files']} file(s))"
    if outcome == "refused":
        return f"refused: {run['reason']}"
    return outcome


def cells(row: dict) -> list[str]:
    """One table row, as text."""
    if row.get("error"):
        return [row["repo"], "", "", "", "", "", "", f"error: {row['error']}"]
    overlays = ", ".join(f"{o['name']} {_release(o)}" for o in row.get("overlays") or [])
    problems = ", ".join(sorted({p["code"] for p in row.get("problems") or []}))
    return [
        row["repo"],
        str(row.get("declared_level", "")),
        str(row.get("assessed_level", "") if row.get("assessed_level") is not None else ""),
        _release(row.get("template")),
        overlays,
        _upgrade_cell(row),
        _dry_run(row),
        problems or "none",
    ]


def is_current(row: dict) -> bool:
    """Current: readable, nothing due, and a dry run that found nothing to do. A repository
    stuck mid-merge or with uncommitted work cannot be checked, so it is not current."""
    unfinished = any(p["code"] == "unfinished-upgrade" for p in row.get("problems") or [])
    outcome = (row.get("dry_run") or {}).get("outcome")
    return (
        not row.get("error")
        and not row.get("upgrade_due")
        and outcome == "up-to-date"
        and (not unfinished)
    )


def _upgrade_cell(row: dict) -> str:
    if row.get("upgrade_due"):
        return "due"
    return "current" if is_current(row) else "not checked"


def summary(rows: list[dict]) -> str:
    """`52 repositories: 40 current, 10 upgrade due (8 clean, 2 with conflicts), 2 errors`."""
    errors = sum(1 for r in rows if r.get("error"))
    due = [r for r in rows if not r.get("error") and r.get("upgrade_due")]
    outcomes = Counter((r.get("dry_run") or {}).get("outcome") for r in due)
    below = sum(1 for r in rows if any(p["code"] == "below-level" for p in r.get("problems") or []))
    current = sum(1 for r in rows if is_current(r))
    blocked = len(rows) - errors - len(due) - current
    return (
        f"{len(rows)} repositories: {current} current, "
        f"{len(due)} upgrade due ({outcomes['clean']} clean, "
        f"{outcomes['conflicts']} with conflicts, {outcomes['refused']} refused), "
        f"{blocked} not checked (mid-merge, uncommitted work or a refused source), "
        f"{below} below their level, {errors} error(s)"
    )


def terminal_table(rows: list[dict]):
    from rich.table import Table

    table = Table(*COLUMNS, title="mlops-scaffold fleet status", show_lines=False)
    for row in rows:
        table.add_row(*cells(row))
    return table


def markdown(rows: list[dict]) -> str:
    def esc(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["# Fleet status", "", summary(rows), "", "| " + " | ".join(COLUMNS) + " |",
             "|" + "---|" * len(COLUMNS)]  # fmt: skip
    lines += ["| " + " | ".join(esc(c) for c in cells(row)) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def status_table(rows: list[dict]) -> str:
    """The status columns as an escaped HTML table."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in COLUMNS)
    body = "\n".join(
        "<tr" + (' class="error"' if row.get("error") else "") + ">"
        + "".join(f"<td>{html.escape(c)}</td>" for c in cells(row)) + "</tr>"
        for row in rows
    )  # fmt: skip
    return f"<table><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>"


def html_page(rows: list[dict], reports_dir: str | None = None) -> str:
    """The self-contained fleet page (`html_report`): maturity heatmap, distribution, trend,
    shared next steps, and the status table."""
    from scaffolder.fleet import html_report

    return html_report.html_page(rows, status_table(rows), summary(rows), reports_dir)


def write_html(rows: list[dict], path) -> None:
    """The page at `path`, and one Markdown assess report per assessed repository in the
    folder `<stem>-reports/` beside it (the page links to them)."""
    from scaffolder.fleet.html_report import REPORTS_SUFFIX, report_name

    folder = path.with_name(path.stem + REPORTS_SUFFIX)
    written = False
    for index, row in enumerate(rows):
        text = (row.get("assessment") or {}).get("report_markdown")
        if text:
            folder.mkdir(exist_ok=True)
            (folder / report_name(index, row["repo"])).write_text(text, encoding="utf-8")
            written = True
    path.write_text(html_page(rows, folder.name if written else None), encoding="utf-8")

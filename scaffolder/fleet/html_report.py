"""The fleet's HTML page: one self-contained file (no server, no external asset, no CDN) that a
platform lead can mail or publish. The data is in the page as JSON; the charts are drawn from it
by the page's own script (`fleet_page.js`) as HTML and SVG:

- a heatmap of repositories × dimensions (sortable by any column, filterable by name or by a
  shared next step), each repository linking to its own assess report;
- the distribution of levels per dimension;
- the trend over time, from each repository's recorded `assess --history` and this run;
- the next steps most repositories share, with the command that provides each;
- the status table of `fleet status` (releases, upgrades, problems) as before.

Every string from a repository (names, paths, messages) reaches the page escaped: through
`html.escape` in markup, and as JSON with `<`, `>`, `&` and line separators escaped inside the
data script, which the page's script only ever writes through `textContent`.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from importlib import resources

from scaffolder.assess.models import DIMENSIONS

REPORTS_SUFFIX = "-reports"
PLACEHOLDER = re.compile(r"@@(\w+)@@")


def _asset(name: str) -> str:
    return resources.files("scaffolder.fleet").joinpath(name).read_text(encoding="utf-8")


def script_json(data: object) -> str:
    """JSON safe inside a `<script>` element: no `</script>`, `<!--` or line separators."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    for char, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escaped)
    return text


def report_name(index: int, repo: str) -> str:
    """The file name of one repository's report: its position and a slug of its name, only
    `[A-Za-z0-9._-]` (safe in a URL and on any file system)."""
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", repo.rstrip("/").rsplit("/", 1)[-1]).strip("-.")
    return f"{index + 1:03d}-{base[:60] or 'repo'}.md"


def page_data(rows: list[dict], reports_dir: str | None, now: dt.datetime | None = None) -> dict:
    """The JSON the page draws from."""
    now = now or dt.datetime.now(dt.timezone.utc)
    repos = []
    for index, row in enumerate(rows):
        info = row.get("assessment") or {}
        link = None
        if reports_dir and info.get("report_markdown"):
            link = f"{reports_dir}/{report_name(index, row['repo'])}"
        repos.append(
            {
                "name": row["repo"],
                "declared": row.get("declared_level"),
                "level": info.get("level"),
                "profile": info.get("profile") or {},
                "next_steps": info.get("next_steps") or [],
                "history": info.get("history") or [],
                "error": row.get("error"),
                "report": link,
            }
        )
    return {
        "generated": now.isoformat(timespec="seconds"),
        "dimensions": [{"id": key, "title": title} for key, title in DIMENSIONS.items()],
        "repos": repos,
    }


def html_page(
    rows: list[dict],
    status_table: str,
    summary: str,
    reports_dir: str | None = None,
    now: dt.datetime | None = None,
) -> str:
    """The whole page. `status_table` is the already escaped `<table>` of fleet status."""
    data = page_data(rows, reports_dir, now)
    values = {
        "css": _asset("fleet_page.css"),
        "js": _asset("fleet_page.js"),
        "count": str(len(rows)),
        "assessed": str(sum(1 for r in data["repos"] if r["level"] is not None)),
        "generated": html.escape(data["generated"]),
        "summary": html.escape(summary),
        "status_table": status_table,
        "data": script_json(data),
    }
    # one pass: what a value brings in (a repository named `@@data@@`) is never substituted
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], _asset("fleet_page.html"))

"""`fleet status --report fleet.html`: one self-contained page, checked as HTML and in a real
browser (Debian's chromium driven by Playwright, headless, nothing fetched from the network)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scaffolder.assess.models import DIMENSIONS
from scaffolder.fleet import report as fleet_report
from scaffolder.fleet.html_report import page_data, script_json
from tests.fleet.fleet_repos import build_fleet
from tests.fleet.test_fleet import allow_acme

ARTIFACTS = Path(__file__).resolve().parents[2] / "build" / "test-artifacts"
HOSTILE = "team</script><script>alert(1)</script>&<b>\"'\u2028x@@data@@"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


def _row(name: str, profile: dict[str, int], history=(), error=None) -> dict:
    steps = [
        {
            "dimension": d,
            "level": lvl,
            "target": lvl + 1,
            "provided_by": f"mlops-scaffold adopt --level {lvl + 1}",
            "checks": [{"id": f"{d}.next", "title": f"{d} next <step>"}],
        }
        for d, lvl in profile.items()
        if lvl < 3
    ]
    return {
        "repo": name,
        "declared_level": None,
        "error": error,
        "problems": [],
        "assessment": {
            "level": min(profile.values()),
            "profile": profile,
            "next_steps": steps,
            "history": list(history),
            "report_markdown": f"# report of {name}\n",
        },
    }


def _profile(seed: int) -> dict[str, int]:
    return {d: (seed + i) % 4 for i, d in enumerate(DIMENSIONS)}


def test_page_is_self_contained_and_escapes_every_repository_string(tmp_path):
    rows = [_row(HOSTILE, _profile(1)), _row("plain", _profile(2), error="<i>bad</i>")]
    page = tmp_path / "fleet.html"
    fleet_report.write_html(rows, page)
    text = page.read_text(encoding="utf-8")
    # nothing outside the page: no external script, style, font, image or link
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text)
    assert "<link" not in text and "@import" not in text and "url(" not in text
    # the hostile name never appears as markup: once escaped in the status table, once as JSON
    assert "<script>alert(1)" not in text and "</script><script>" not in text
    assert "team&lt;/script&gt;" in text
    data_text = re.search(
        r'<script id="fleet-data" type="application/json">(.*?)</script>', text, re.S
    ).group(1)
    assert "<" not in data_text and "\u2028" not in data_text
    data = json.loads(data_text)
    assert data["repos"][0]["name"] == HOSTILE
    assert data["repos"][1]["error"] == "<i>bad</i>"
    # each assessed repository links to its own report, written beside the page
    links = [r["report"] for r in data["repos"]]
    assert links[1] == "fleet-reports/002-plain.md"
    assert all(re.fullmatch(r"fleet-reports/\d{3}-[A-Za-z0-9._-]+\.md", link) for link in links)
    for link in links:
        assert (tmp_path / link).read_text(encoding="utf-8").startswith("# report of ")


def test_script_json_cannot_close_the_script_element():
    text = script_json({"a": "</script><!-- \u2028 & >"})
    assert "</" not in text and "<!--" not in text and "\u2028" not in text
    assert json.loads(text) == {"a": "</script><!-- \u2028 & >"}


def test_page_data_of_100_repositories_is_fast():
    rows = [_row(f"team{i:03d}", _profile(i)) for i in range(100)]
    start = time.perf_counter()
    page = fleet_report.html_page(rows, "fleet-reports")
    assert time.perf_counter() - start < 2
    assert page.count('href="') == 0  # links are drawn by the page's script from the data
    assert page.count("team099") == 3  # the status table, the name and its report link
    assert len(page_data(rows, None)["repos"]) == 100


def _chromium() -> str:
    found = shutil.which("chromium")
    if not found:
        pytest.fail("chromium is not installed: `apt-get install -y chromium` (.ci/run does)")
    return found


def _browse(page_path: Path, check, screenshot: Path) -> None:
    """Open the page headless; fail on any console error, page error or network request."""
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on(
                "console",
                lambda m: (
                    errors.append(f"console {m.type}: {m.text}")
                    if m.type in ("error", "warning")
                    else None
                ),
            )
            page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
            page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
            page.on(
                "request",
                lambda r: requests.append(r.url) if not r.url.startswith("file://") else None,
            )
            page.goto(page_path.as_uri())
            page.wait_for_selector("body[data-ready='1']", timeout=10_000)
            check(page)
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    assert errors == [], errors
    assert requests == [], requests


@pytest.fixture(scope="module")
def fleet_page(tmp_path_factory):
    """`fleet status --report` over a fleet of every kind (generated projects, a plain folder,
    a damaged state), with one repository's history recorded."""
    tmp = tmp_path_factory.mktemp("fleet-html")
    fleet, kinds = build_fleet(tmp, 9)
    history = fleet / next(n for n, k in kinds.items() if k == "current-1")
    entries = [
        {
            "time": "2026-10-01T09:00:00+00:00",
            "level": 0,
            "dimensions": dict.fromkeys(DIMENSIONS, 0),
        },
        {
            "time": "2026-11-01T09:00:00+00:00",
            "level": 0,
            "dimensions": dict.fromkeys(DIMENSIONS, 1),
        },
        "damaged line",
    ]
    (history / ".mlops-assess-history.jsonl").write_text(
        "\n".join(e if isinstance(e, str) else json.dumps(e) for e in entries) + "\n"
    )
    config = allow_acme(tmp)
    report = tmp / "out" / "fleet.html"
    report.parent.mkdir()
    binary = Path(sys.executable).parent / "mlops-scaffold"
    start = time.perf_counter()
    done = subprocess.run(
        [str(binary), "fleet", "status", "--dir", str(fleet), "--jobs", "2",
         "--report", str(report), "--config", str(config)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    elapsed = time.perf_counter() - start
    assert done.returncode == 1, done.stderr  # two repositories cannot be read as projects
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    return report, rows, kinds, elapsed


def test_fleet_status_rows_carry_the_profile_and_the_page_links_reports(fleet_page):
    report, rows, kinds, _ = fleet_page
    assessed = [r for r in rows if r.get("assessment")]
    # every folder assess can read has a profile: generated projects, and a damaged state file
    # too; the plain folder that is not a repository has none
    names = {Path(r["repo"]).name for r in assessed}
    assert names == {n for n, k in kinds.items() if k != "not-a-repo"}
    for row in assessed:
        info = row["assessment"]
        assert set(info["profile"]) == set(DIMENSIONS)
        assert info["level"] == min(info["profile"].values())
        assert "report_markdown" not in info  # the JSON lines stay small
    current1 = next(r for r in rows if r["repo"].endswith("current-1"))
    assert [h["time"][:10] for h in current1["assessment"]["history"]] == [
        "2026-10-01",
        "2026-11-01",
    ]
    reports = sorted((report.parent / "fleet-reports").glob("*.md"))
    assert len(reports) == len(assessed)
    assert all(r.read_text().startswith("# MLOps maturity profile:") for r in reports)


def test_fleet_page_in_a_real_browser(fleet_page):
    report, rows, _, _ = fleet_page
    expected = {r["repo"]: r["assessment"]["profile"] for r in rows if r.get("assessment")}

    def check(page):
        cells = page.eval_on_selector_all(
            "#heatmap tbody td.cell:not([data-dimension='overall'])",
            "els => els.map(e => [e.closest('tr').dataset.repo, e.dataset.dimension,"
            " e.dataset.level])",
        )
        got: dict[str, dict[str, int]] = {}
        for repo, dimension, level in cells:
            if level != "":
                got.setdefault(repo, {})[dimension] = int(level)
        # a cell per repository × dimension, with the level assess gave
        assert got == expected
        assert len(cells) == len(rows) * len(DIMENSIONS)
        # sort: by overall level, highest first
        page.select_option("#sort", "overall")
        overall = page.eval_on_selector_all(
            "#heatmap tbody td[data-dimension='overall']", "els => els.map(e => e.dataset.level)"
        )
        levels = [int(x) for x in overall if x != ""]
        assert levels == sorted(levels, reverse=True) and len(levels) == len(expected)
        # filter by name
        target = sorted(expected)[0]
        page.fill("#filter", Path(target).name)
        shown = page.eval_on_selector_all(
            "#heatmap tbody tr", "els => els.map(e => e.dataset.repo)"
        )
        assert shown == [target]
        page.click("#clear")
        # a shared next step filters to the repositories that need it
        first = page.query_selector("#shared li")
        check_id = first.get_attribute("data-check")
        first.click()
        shown = page.eval_on_selector_all(
            "#heatmap tbody tr", "els => els.map(e => e.dataset.repo)"
        )
        needing = [
            r["repo"]
            for r in rows
            if any(
                c["id"] == check_id
                for m in (r.get("assessment") or {}).get("next_steps", [])
                for c in m["checks"]
            )
        ]
        assert sorted(shown) == sorted(needing) and shown
        # distribution: a bar segment per dimension and level, counts adding up to the fleet
        counts = page.eval_on_selector_all(
            "#distribution rect", "els => els.map(e => [e.dataset.dimension, +e.dataset.count])"
        )
        for dimension in DIMENSIONS:
            assert sum(c for d, c in counts if d == dimension) == len(expected)
        # trend: the recorded dates and today
        dates = page.eval_on_selector_all(
            "#trend circle[data-series='overall']", "els => els.map(e => e.dataset.date)"
        )
        assert dates[:2] == ["2026-10-01", "2026-11-01"] and len(dates) == 3
        # the report link of a repository opens its Markdown report, next to the page
        href = page.get_attribute("#heatmap tbody tr a", "href")
        assert (report.parent / href).is_file()

    _browse(report, check, ARTIFACTS / "fleet-report.png")
    assert (ARTIFACTS / "fleet-report.png").stat().st_size > 10_000


def test_hostile_names_stay_text_in_the_browser(tmp_path):
    rows = [_row(HOSTILE, _profile(0)), _row("b", _profile(3))]
    page_path = tmp_path / "fleet.html"
    fleet_report.write_html(rows, page_path)

    def check(page):
        names = page.eval_on_selector_all(
            "#heatmap tbody tr", "els => els.map(e => e.dataset.repo)"
        )
        assert HOSTILE in names
        # `<b>` and `<script>` stayed text: no element made of them (an alert would be a
        # dialog, which _browse fails on)
        assert page.query_selector("#heatmap b") is None
        assert page.eval_on_selector_all("script", "els => els.length") == 2
        assert page.get_attribute("#heatmap td.name[title^='team']", "title") == HOSTILE

    _browse(page_path, check, ARTIFACTS / "fleet-report-hostile.png")

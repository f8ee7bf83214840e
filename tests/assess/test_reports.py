import io
import json

from rich.console import Console

from scaffolder.assess.models import REPORT_SCHEMA_VERSION, Report
from scaffolder.assess.report_json import json_schema, render_json
from scaffolder.assess.report_markdown import render_markdown
from scaffolder.assess.report_sarif import render_sarif
from scaffolder.assess.report_text import render_text
from scaffolder.assess.run import assess_repo
from tests.assess.repos import level0_repo, write


def report_of(tmp_path) -> Report:
    level0_repo(tmp_path)
    write(tmp_path, {"Dockerfile": "FROM python\n"})
    return assess_repo(tmp_path)


def test_json_is_the_versioned_report_and_round_trips(tmp_path):
    report = report_of(tmp_path)
    data = json.loads(render_json(report))
    assert data["schema_version"] == REPORT_SCHEMA_VERSION
    assert data["commit"] == "0123456789abcdef0123456789abcdef01234567"
    assert {
        "level",
        "google_level",
        "microsoft_level",
        "ml_test_score",
        "dimensions",
        "checks",
        "roadmap",
    } <= set(data)
    assert Report.model_validate(data) == report
    schema = json.loads(json_schema())
    assert "schema_version" in schema["properties"]


def test_markdown_has_levels_roadmap_and_checks(tmp_path):
    text = render_markdown(report_of(tmp_path))
    # the profile leads; the overall weakest-link level is one line beside it
    assert text.startswith("# MLOps maturity profile: reproducibility 0 · quality ")
    assert "| Reproducibility | □□□ 0 |" in text
    assert "**Overall level (weakest link): 0 (manual process)**" in text
    assert "## Roadmap" in text and "`mlops-scaffold adopt --level 1`" in text
    assert "| ✅ | `repro.seeds` | 0 |" in text


def test_sarif_results_point_at_files(tmp_path):
    report = report_of(tmp_path)
    sarif = json.loads(render_sarif(report, {"pyproject.toml", "Dockerfile"}))
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    rule_ids = {r["id"] for r in run["tool"]["driver"]["rules"]}
    results = {r["ruleId"]: r for r in run["results"]}
    assert set(results) <= rule_ids
    hardened = results["deployment.image-hardened"]["locations"][0]["physicalLocation"]
    assert hardened == {"artifactLocation": {"uri": "Dockerfile"}, "region": {"startLine": 1}}
    # a missing file is shown at an existing anchor, never at a path that does not exist
    precommit = results["quality.pre-commit"]["locations"][0]["physicalLocation"][
        "artifactLocation"
    ]["uri"]
    assert precommit == "pyproject.toml"
    assert "repro.seeds" not in results  # passing checks are not findings


def test_text_report_plain_when_not_a_terminal(tmp_path):
    buffer = io.StringIO()
    render_text(
        report_of(tmp_path),
        Console(file=buffer, color_system=None, width=120),
        history_note="Since x",
    )
    text = buffer.getvalue()
    assert "Overall level: 0 (manual process)" in text
    assert "\x1b[" not in text
    assert "Recommendation:" in text and "Roadmap" in text and "Since x" in text
    assert "✔ L0 repro.seeds" in text and "✘ L1 repro.config-file" in text


def test_text_report_shows_file_text_as_written_and_the_way_up_for_any_repo(tmp_path):
    level0_repo(tmp_path)
    write(tmp_path, {"config/[project].yaml": "alpha: 1\n"})
    buffer = io.StringIO()
    report = assess_repo(tmp_path)
    render_text(report, Console(file=buffer, color_system=None, width=200))
    text = buffer.getvalue()
    assert "config/[project].yaml" in text  # not swallowed as rich markup
    # a repository the tool did not create is adopted, not upgraded
    assert "adopt --level 1" in text and "upgrade --to" not in text
    assert all("upgrade --to" not in step.action for step in report.roadmap)
    # each dimension says why it stopped and the next step
    assert "at 0: no parameter/config file" not in text  # config/[project].yaml is one
    assert "at 1:" in text and "next: `mlops-scaffold adopt --level 2`" in text
    # hygiene is marked as advice and comes after the gates in the roadmap
    assert "[advice]" in text
    flags = [step.advice for step in report.roadmap]
    assert flags == sorted(flags)


def test_every_format_leads_with_the_profile_and_the_next_steps(tmp_path):
    report = report_of(tmp_path)
    assert report.profile == {d.dimension: d.level for d in report.dimensions}
    # one milestone per dimension below 3, weakest first, each with the command providing it
    steps = report.next_steps
    assert {m.dimension for m in steps} == {d.dimension for d in report.dimensions if d.level < 3}
    assert [m.level for m in steps] == sorted(m.level for m in steps)
    first = steps[0]
    assert first.target == first.level + 1 and first.steps
    assert first.provided_by == f"mlops-scaffold adopt --level {first.target}"
    assert all(
        s.check in {r.id for r in report.checks if not r.counts_as_passed} for s in first.steps
    )
    data = json.loads(render_json(report))
    assert data["profile"] == report.profile
    assert data["next_steps"][0]["provided_by"] == first.provided_by
    markdown = render_markdown(report)
    assert markdown.index("## Next steps") < markdown.index("## Checks")
    assert f"### {first.title}: {first.level} → {first.target}" in markdown
    assert f"Provided by `{first.provided_by}`" in markdown
    props = json.loads(render_sarif(report))["runs"][0]["properties"]
    assert props["profile"] == report.profile and props["weakestLink"] == report.level
    assert props["nextSteps"][0]["providedBy"] == first.provided_by
    buffer = io.StringIO()
    render_text(report, Console(file=buffer, color_system=None, width=200))
    text = buffer.getvalue()
    # the profile table comes before the one overall line and the next steps
    assert text.index("Reproducibility") < text.index("Overall level:") < text.index("Next steps")
    assert f"{first.title} {first.level} → {first.target}" in text

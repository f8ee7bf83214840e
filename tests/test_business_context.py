"""The model card's business context: `check` lists each unfilled section as a to-do."""

from __future__ import annotations

import json

from scaffolder.business_context import SECTIONS, unfilled_sections
from tests.upgrade.helpers import commit, new_project

FILLED = """# Model card: business context

## Business goal

Keep customers who would leave.

## KPIs

| KPI | baseline | target | source |
|---|---|---|---|
| monthly churn | 3.1% | 2.5% | billing |

## Owners

- business: Jane Roe (retention); model: churn team; on call: #churn-oncall

## Model risk evaluation

Medium: a missed churner gets no offer. A person reviews every contact list.
"""


def test_sections_with_todo_empty_or_missing_are_unfilled():
    assert unfilled_sections(FILLED) == []
    todo = FILLED.replace("Keep customers who would leave.", "TODO: the goal")
    assert unfilled_sections(todo) == ["Business goal"]
    empty = FILLED.replace("- business: Jane Roe (retention); model: churn team; on call: "
                           "#churn-oncall", "<!-- who -->")  # fmt: skip
    assert unfilled_sections(empty) == ["Owners"]
    assert unfilled_sections(FILLED.split("## Model risk")[0]) == ["Model risk evaluation"]
    assert unfilled_sections("") == list(SECTIONS)


def test_check_lists_the_placeholders_of_a_fresh_project_until_the_team_fills_them(
    run_cli, tmp_path
):
    repo = new_project(tmp_path, level=1)
    result = run_cli("check", repo)
    assert result.exit_code == 0, result.stderr  # a to-do, not a failure
    line = next(x for x in result.stderr.splitlines() if x.startswith("business-context-"))
    assert line.startswith("business-context-unfilled: docs/business_context.md: Business goal, "
                           "KPIs, Owners, Model risk evaluation still unfilled")  # fmt: skip
    data = json.loads(run_cli("check", repo, "--format", "json").stdout)
    assert data["ok"] and [t["code"] for t in data["todos"]] == ["business-context-unfilled"]
    assert run_cli("check", repo, "--strict").exit_code == 1

    (repo / "docs/business_context.md").write_text(FILLED)
    commit(repo, "the business context")
    filled = run_cli("check", repo, "--strict")
    assert filled.exit_code == 0, filled.stderr
    assert "business-context" not in filled.stderr


# upgrade 1 -> 2 -> 3 keeping a filled business context: tests/upgrade/test_upgrade_brings_trust.py


def test_a_level0_project_has_no_business_context_to_fill(run_cli, tmp_path):
    repo = new_project(tmp_path, level=0)
    assert not (repo / "docs/business_context.md").exists()
    assert json.loads(run_cli("check", repo, "--format", "json").stdout)["todos"] == []

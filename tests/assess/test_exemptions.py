import datetime as dt

import pytest

from scaffolder.assess.exemptions import EXEMPTIONS_FILE, apply_exemptions, load_exemptions
from scaffolder.assess.models import AssessError, Outcome
from scaffolder.assess.run import assess_repo
from tests.assess.repos import checks, write


def test_not_applicable_accepted_and_expired(tmp_path):
    write(
        tmp_path,
        {
            EXEMPTIONS_FILE: """
        exemptions:
          - check: deployment.canary
            status: not_applicable
            reason: batch scoring only
          - check: governance.codeowners
            status: accepted
            reason: two-person team
            expires: 2030-01-01
          - check: monitoring.dashboard
            status: accepted
            reason: later
            expires: 2020-01-01
    """
        },
    )
    exemptions = load_exemptions(tmp_path, today=dt.date(2026, 1, 1))
    assert [(e.check, e.expired, e.line) for e in exemptions] == [
        ("deployment.canary", False, 2),
        ("governance.codeowners", False, 5),
        ("monitoring.dashboard", True, 9),
    ]
    applied = {r.id: r for r in apply_exemptions(list(checks(tmp_path).values()), exemptions)}
    assert applied["deployment.canary"].outcome is Outcome.NOT_APPLICABLE
    assert applied["deployment.canary"].message == "not applicable: batch scoring only"
    assert applied["governance.codeowners"].outcome is Outcome.FAIL
    assert applied["governance.codeowners"].counts_as_passed
    assert not applied["monitoring.dashboard"].counts_as_passed
    assert "expired 2020-01-01" in applied["monitoring.dashboard"].message


def test_report_lists_exemptions(tmp_path):
    entry = "{check: deployment.canary, status: accepted, reason: r}"
    write(tmp_path, {EXEMPTIONS_FILE: f"exemptions:\n  - {entry}\n"})
    report = assess_repo(tmp_path)
    assert [e.check for e in report.exemptions] == ["deployment.canary"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("exemptions:\n  - {check: nope, reason: r}\n", "unknown check 'nope'"),
        (
            "exemptions:\n  - {check: deployment.canary, status: maybe, reason: r}\n",
            "status 'maybe'",
        ),
        ("exemptions:\n  - {check: deployment.canary}\n", "needs a reason"),
        (
            "exemptions:\n  - {check: deployment.canary, reason: r, expires: soon}\n",
            "is not a date",
        ),
        ("exemptions: [\n", "is not valid YAML"),
    ],
)
def test_damaged_exemptions_are_one_clear_error(tmp_path, text, message):
    write(tmp_path, {EXEMPTIONS_FILE: text})
    with pytest.raises(AssessError, match=message) as info:
        load_exemptions(tmp_path)
    assert EXEMPTIONS_FILE in str(info.value)

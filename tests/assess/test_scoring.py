from scaffolder.assess.checks import CHECKS
from scaffolder.assess.models import CheckResult, Exemption, Facts, Outcome, QuestionResult
from scaffolder.assess.scoring import (
    build_report,
    dimension_levels,
    google_level,
    microsoft_level,
    ml_test_score,
    roadmap,
)


def results(
    passing_up_to: dict[str, int], override: dict[str, Outcome] | None = None
) -> list[CheckResult]:
    """Every check passes up to its dimension's given level (default 3) and fails above."""
    out = []
    for c in CHECKS:
        outcome = Outcome.PASS if c.level <= passing_up_to.get(c.dimension, 3) else Outcome.FAIL
        outcome = (override or {}).get(c.id, outcome)
        out.append(
            CheckResult(
                id=c.id,
                title=c.title,
                dimension=c.dimension,
                level=c.level,
                outcome=outcome,
                message="m",
                upgrade=c.upgrade,
            )
        )
    return out


def levels(rs) -> dict[str, int]:
    return {d.dimension: d.level for d in dimension_levels(rs)}


def test_dimension_level_is_the_highest_level_whose_checks_all_pass():
    assert levels(results({"tracking": 1, "deployment": 2})) == {
        "reproducibility": 3,
        "quality": 3,
        "tracking": 1,
        "pipelines": 3,
        "validation": 3,
        "deployment": 2,
        "monitoring": 3,
        "governance": 3,
    }


def test_a_failing_level0_check_blocks_level1_even_if_level1_passes():
    rs = results({}, {"quality.unit-tests": Outcome.FAIL})
    assert levels(rs)["quality"] == 0
    assert [d.blocking for d in dimension_levels(rs) if d.dimension == "quality"] == [
        ["quality.unit-tests"]
    ]


def test_not_applicable_passes_and_unknown_blocks():
    rs = results(
        {}, {"deployment.canary": Outcome.NOT_APPLICABLE, "monitoring.alert-rules": Outcome.UNKNOWN}
    )
    assert levels(rs)["deployment"] == 3
    assert levels(rs)["monitoring"] == 0


def test_a_level_without_checks_in_a_dimension_is_passed_trivially():
    # monitoring has no level-0 check: a repo failing all its level-1 checks is still at 0, and
    # one passing them is at 1 without any level-0 evidence.
    assert not [c for c in CHECKS if c.dimension == "monitoring" and c.level == 0]
    assert levels(results({"monitoring": 1}))["monitoring"] == 1


def test_accepted_exemption_counts_unless_expired():
    rs = results({"deployment": 2})
    canary = next(r for r in rs if r.id == "deployment.canary")
    canary.exemption = Exemption(check=canary.id, status="accepted", reason="batch only")
    assert levels(rs)["deployment"] == 3
    canary.exemption = Exemption(check=canary.id, status="accepted", reason="x", expired=True)
    assert levels(rs)["deployment"] == 2


def test_equivalent_levels():
    assert [google_level(n) for n in range(4)] == [0, 1, 2, 2]
    assert [microsoft_level(n, results({})) for n in (1, 2, 3)] == [2, 3, 4]
    no_ci = results({}, {"quality.ci-tests": Outcome.FAIL})
    assert microsoft_level(0, no_ci) == 0 and microsoft_level(0, results({})) == 1


def test_ml_test_score_is_the_minimum_over_sections_and_manual_counts_half():
    none = ml_test_score(
        results(
            {
                d: 0
                for d in (
                    "reproducibility",
                    "quality",
                    "tracking",
                    "pipelines",
                    "validation",
                    "deployment",
                    "monitoring",
                    "governance",
                )
            }
        ),
        [],
    )
    full = ml_test_score(results({}), [])
    assert full.final == min(full.sections.values()) > none.final
    manual = QuestionResult(
        id="q",
        dimension="monitoring",
        text="t",
        weight=1,
        answer="manual",
        credit=0.5,
        source="answer",
        ml_test="data",
    )
    assert ml_test_score(results({}), [manual]).sections["data"] == full.sections["data"] + 0.5


def test_roadmap_starts_with_the_lowest_failing_level_and_report_overall_is_the_minimum():
    rs = results({"governance": 0, "tracking": 2})
    steps = roadmap(rs, dimension_levels(rs))
    assert steps[0].level == 1 and steps[0].dimension == "governance"
    report = build_report("r", None, Facts(), rs, [])
    assert report.level == 0 and report.google_level == 0
    assert report.recommendation and report.recommendation.startswith("Governance")

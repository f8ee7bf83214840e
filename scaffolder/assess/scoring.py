"""Levels from check outcomes, the Google and Microsoft equivalents, the ML Test Score estimate,
the roadmap and the recommendation.

A dimension's level is the highest N such that every check of levels 0..N counts as passed
(pass, not applicable, or an unexpired exemption); a level with no checks in a dimension is
passed trivially. The overall level is the minimum over dimensions (the ML Test Score rule).
"""

from __future__ import annotations

from scaffolder import __version__
from scaffolder.assess.checks import CHECKS_BY_ID, RUBRIC_VERSION
from scaffolder.assess.models import (
    DIMENSIONS,
    LEVEL_NAMES,
    MAX_LEVEL,
    CheckResult,
    DimensionLevel,
    Exemption,
    Facts,
    MLTestScore,
    Outcome,
    QuestionResult,
    Report,
    RoadmapStep,
)

ML_TEST_SECTIONS = ("data", "model", "infrastructure", "monitoring")
ML_TEST_MAX_PER_SECTION = 7.0


def dimension_levels(results: list[CheckResult]) -> list[DimensionLevel]:
    levels = []
    for dimension, title in DIMENSIONS.items():
        mine = [r for r in results if r.dimension == dimension and not r.advice]
        level = 0
        blocking: list[str] = []
        for candidate in range(1, MAX_LEVEL + 1):
            failing = [r.id for r in mine if r.level <= candidate and not r.counts_as_passed]
            if failing:
                blocking = failing
                break
            level = candidate
        levels.append(
            DimensionLevel(
                dimension=dimension,
                title=title,
                level=level,
                passed=sum(r.counts_as_passed for r in mine),
                total=len(mine),
                blocking=blocking,
            )
        )
    return levels


def google_level(level: int) -> int:
    """Google's MLOps levels stop at 2 (CI/CD pipeline automation)."""
    return min(level, 2)


def microsoft_level(level: int, results: list[CheckResult]) -> int:
    """Microsoft's 0-4: 1 is "DevOps but no MLOps" (CI for the app, manual training)."""
    if level == 0:
        ci = any(r.id == "quality.ci-tests" and r.counts_as_passed for r in results)
        return 1 if ci else 0
    return level + 1


def ml_test_score(results: list[CheckResult], questions: list[QuestionResult]) -> MLTestScore:
    """Points per section: an automated practice (a passing check) 1, a manual one 0.5."""
    points = {s: 0.0 for s in ML_TEST_SECTIONS}
    for result in results:
        section = CHECKS_BY_ID[result.id].ml_test if result.id in CHECKS_BY_ID else None
        if section and result.outcome is Outcome.PASS:
            points[section] += 1.0
    for question in questions:
        # Evidence already counted through its check; only answered practices add here.
        if question.source == "answer" and question.ml_test in points:
            points[question.ml_test] += question.credit
    capped = {s: min(v, ML_TEST_MAX_PER_SECTION) for s, v in points.items()}
    return MLTestScore(sections=capped, final=min(capped.values()))


def roadmap(results: list[CheckResult], levels: list[DimensionLevel]) -> list[RoadmapStep]:
    """Failing checks in the order that raises the overall level soonest: by level, then by how
    far behind their dimension is."""
    by_dimension = {d.dimension: d.level for d in levels}
    failing = [r for r in results if not r.counts_as_passed]
    order = list(DIMENSIONS)
    # gates first (they raise levels), advice after
    failing.sort(
        key=lambda r: (r.advice, r.level, by_dimension[r.dimension], order.index(r.dimension))
    )
    return [
        RoadmapStep(
            check=r.id, dimension=r.dimension, level=r.level, action=r.upgrade, advice=r.advice
        )
        for r in failing
    ]


def recommendation(results: list[CheckResult], levels: list[DimensionLevel]) -> str | None:
    weakest = min(levels, key=lambda d: (d.level, list(DIMENSIONS).index(d.dimension)))
    if not weakest.blocking:
        return None
    first = next(r for r in results if r.id == weakest.blocking[0])
    return (
        f"{weakest.title} is the weakest dimension (level {weakest.level}): "
        f"{first.title.lower()} — {first.upgrade}."
    )


def build_report(
    repo: str,
    commit: str | None,
    facts: Facts,
    results: list[CheckResult],
    exemptions: list[Exemption],
    questions: list[QuestionResult] | None = None,
) -> Report:
    """Everything a report format shows, from facts already checked."""
    questions = questions or []
    levels = dimension_levels(results)
    practice: dict[str, list[tuple[float, float]]] = {}
    for q in questions:
        practice.setdefault(q.dimension, []).append((q.weight, q.credit))
    for d in levels:
        pairs = practice.get(d.dimension)
        if pairs:
            total = sum(w for w, _ in pairs)
            d.practice_score = round(sum(w * c for w, c in pairs) / total, 3) if total else None
    overall = min(d.level for d in levels)
    from scaffolder.assess.next_steps import milestones

    scaffolded = bool(facts.of("scaffold.state"))
    return Report(
        tool_version=__version__,
        rubric_version=RUBRIC_VERSION,
        repo=repo,
        commit=commit,
        level=overall,
        level_name=LEVEL_NAMES[overall],
        google_level=google_level(overall),
        microsoft_level=microsoft_level(overall, results),
        ml_test_score=ml_test_score(results, questions),
        dimensions=levels,
        checks=results,
        roadmap=roadmap(results, levels),
        recommendation=recommendation(results, levels),
        profile={d.dimension: d.level for d in levels},
        next_steps=milestones(results, levels, scaffolded),
        problems=facts.problems,
        exemptions=exemptions,
        questionnaire=questions,
        files_scanned=facts.files_scanned,
    )

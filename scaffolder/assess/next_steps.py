"""The per-dimension profile's next steps: for each dimension below level 3, weakest first, the
milestone that takes it one level up — the gates it needs, each with its fix, and the command
(with the template level) that provides them.

A team reads its profile, not one number: by the weakest-link rule almost every real repository
is level 0 overall, so what helps is which dimension is weakest and what lifts it next.
"""

from __future__ import annotations

from scaffolder.assess.models import (
    DIMENSIONS,
    LEVEL_NAMES,
    MAX_LEVEL,
    CheckResult,
    DimensionLevel,
    Milestone,
    MilestoneStep,
)


def provider(target: int, scaffolded: bool) -> str:
    """The command that brings a repository's files to `target`: `upgrade` in a project the tool
    made, `adopt` in any other."""
    if scaffolded:
        return f"mlops-scaffold upgrade --to {target}"
    return f"mlops-scaffold adopt --level {target}"


def milestones(
    results: list[CheckResult], levels: list[DimensionLevel], scaffolded: bool
) -> list[Milestone]:
    order = list(DIMENSIONS)
    out = []
    for d in levels:
        if d.level >= MAX_LEVEL:
            continue
        target = d.level + 1
        gates = [
            r
            for r in results
            if r.dimension == d.dimension
            and not r.advice
            and r.level <= target
            and not r.counts_as_passed
        ]
        out.append(
            Milestone(
                dimension=d.dimension,
                title=d.title,
                level=d.level,
                target=target,
                target_name=LEVEL_NAMES[target],
                steps=[MilestoneStep(check=r.id, title=r.title, action=r.upgrade) for r in gates],
                provided_by=provider(target, scaffolded),
                template=f"level {target}",
            )
        )
    # weakest dimensions first; among equals, the one fewest steps away (a quick win)
    out.sort(key=lambda m: (m.level, len(m.steps), order.index(m.dimension)))
    return out


def profile_line(levels: list[DimensionLevel]) -> str:
    """`reproducibility 1 · quality 0 · ...`: the profile in one line."""
    return " · ".join(f"{d.dimension} {d.level}" for d in levels)

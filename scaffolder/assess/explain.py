"""`--explain CHECK`: what a check looks at, the level it belongs to, and how to fix it."""

from __future__ import annotations

from scaffolder.assess.checks import CHECKS, CHECKS_BY_ID, RUBRIC_VERSION
from scaffolder.assess.models import DIMENSIONS, AssessError


def explain(check_id: str) -> str:
    if check_id in ("list", "all"):
        lines = [f"{len(CHECKS)} checks, rubric {RUBRIC_VERSION}:"]
        for dimension, title in DIMENSIONS.items():
            lines.append(f"{title}:")
            lines += [
                f"  L{c.level} {c.id}: {c.title}" + (" (advice)" if c.advice else "")
                for c in sorted(CHECKS, key=lambda c: c.level)
                if c.dimension == dimension
            ]
        return "\n".join(lines)
    check = CHECKS_BY_ID.get(check_id)
    if check is None:
        close = [c for c in CHECKS_BY_ID if check_id in c]
        hint = f"did you mean {', '.join(close[:3])}? " if close else ""
        raise AssessError(f"no check named '{check_id}'; {hint}`--explain list` shows them all")
    return "\n".join(
        [
            f"{check.id}: {check.title}",
            f"  dimension: {DIMENSIONS[check.dimension]}; level {check.level}; "
            + ("advice: reported, never holds the level down" if check.advice else "a gate"),
            f"  looks at:  {check.detects}",
            f"  to fix:    {check.upgrade}",
            f"  ML Test Score section: {check.ml_test or '-'}",
        ]
    )

"""The rubric: rules over facts, one module per dimension, each with its detectors' facts.

A failed rule whose inputs include a file that could not be parsed is reported `unknown`,
naming that file: we cannot tell, so we do not guess. A file read partly (a note: Python 2,
one block that does not parse) gave its facts, so it makes nothing unknown. Advice checks
(hygiene) are reported like the others but never hold a dimension down
(`scoring.dimension_levels`).
"""

from __future__ import annotations

import re

from scaffolder.assess.checks import (
    data_versioning,
    deployment,
    governance,
    monitoring,
    pipelines,
    practices,
    quality,
    reproducibility,
    tracking,
    validation,
)
from scaffolder.assess.checks.base import Check, Verdict
from scaffolder.assess.models import CheckResult, Facts, Outcome, Zone

RUBRIC_VERSION = "2.0"

CHECKS: list[Check] = [
    *reproducibility.CHECKS,
    *data_versioning.CHECKS,
    *quality.CHECKS,
    *tracking.CHECKS,
    *pipelines.CHECKS,
    *validation.CHECKS,
    *deployment.CHECKS,
    *monitoring.CHECKS,
    *governance.CHECKS,
    *practices.CHECKS,
]
CHECKS_BY_ID = {c.id: c for c in CHECKS}


UPGRADE = re.compile(r"`mlops-scaffold upgrade --to (\d)`")


def _fix_for(check: Check, facts: Facts) -> str:
    """The way up: `upgrade --to N` for a project the tool made (it has the state file);
    `adopt --level N` for any other repository, which has nothing to upgrade yet."""
    if facts.of("scaffold.state"):
        return check.upgrade
    return UPGRADE.sub(r"`mlops-scaffold adopt --level \1`", check.upgrade)


def run_checks(facts: Facts, checks: list[Check] | None = None) -> list[CheckResult]:
    """Apply every rule to the facts; never raises for a rule's sake."""
    results = []
    for check in checks or CHECKS:
        verdict = check.rule(facts)
        if verdict.passed is True:
            outcome = Outcome.PASS
        elif verdict.passed is None:
            outcome = Outcome.NOT_APPLICABLE
        else:
            outcome = Outcome.FAIL
        evidence, message = verdict.evidence, verdict.message
        if outcome is Outcome.FAIL and check.inputs:
            broken = [
                p
                for p in facts.problems
                if p.category in check.inputs or (p.category == "ci" and "yaml" in check.inputs)
            ]
            broken = [p for p in broken if p.zone is Zone.SOURCE and not p.note]
            if broken:
                outcome = Outcome.UNKNOWN
                evidence = [p.where for p in broken[:5]] + evidence
                first = broken[0]
                message = f"{message}; cannot tell: {first.where} does not parse ({first.message})"
        results.append(
            CheckResult(
                id=check.id,
                title=check.title,
                dimension=check.dimension,
                level=check.level,
                outcome=outcome,
                message=message,
                evidence=evidence,
                upgrade=_fix_for(check, facts),
                advice=check.advice,
            )
        )
    return results


__all__ = ["CHECKS", "CHECKS_BY_ID", "RUBRIC_VERSION", "Check", "Verdict", "run_checks"]

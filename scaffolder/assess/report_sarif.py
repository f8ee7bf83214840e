"""SARIF 2.1.0, so a failing check shows at its file in code-scanning UIs (GitHub, GitLab)."""

from __future__ import annotations

import json

from scaffolder.assess.checks import CHECKS_BY_ID
from scaffolder.assess.models import Outcome, Report

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _location(where: str) -> dict:
    path, _, line = where.rpartition(":")
    if not path:
        path, line = where, "1"
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": path},
            "region": {"startLine": max(int(line) if line.isdigit() else 1, 1)},
        }
    }


def render_sarif(report: Report, existing: set[str] | None = None) -> str:
    """One result per failing or unknown check; located at its evidence, else at a file the
    check would add, else at the repo's pyproject/README (code scanning needs a location)."""
    rules = []
    for check in CHECKS_BY_ID.values():
        rules.append(
            {
                "id": check.id,
                "name": check.title,
                "shortDescription": {"text": check.title},
                "fullDescription": {
                    "text": f"Level {check.level} check of {check.dimension}: {check.detects}."
                },
                "help": {"text": check.upgrade, "markdown": check.upgrade},
                "properties": {
                    "dimension": check.dimension,
                    "level": check.level,
                    "tags": ["mlops", check.dimension],
                },
            }
        )
    anchors = [p for p in ("pyproject.toml", "README.md") if existing is None or p in existing]
    results = []
    for r in report.checks:
        if r.counts_as_passed:
            continue
        check = CHECKS_BY_ID[r.id]
        if r.evidence:
            locations = [_location(e) for e in r.evidence[:1]]
        elif check.add_file and existing is not None and check.add_file in existing:
            locations = [_location(check.add_file)]
        elif anchors:
            locations = [_location(anchors[0])]
        else:
            locations = []
        # advice (hygiene) never blocks a level: a note, like checks far above the level
        severity = "error" if r.level <= report.level + 1 and not r.advice else "note"
        results.append(
            {
                "ruleId": r.id,
                "level": "warning" if r.outcome is Outcome.UNKNOWN else severity,
                "message": {"text": f"{r.message}. Fix: {r.upgrade}"},
                "locations": locations,
                "properties": {
                    "outcome": r.outcome.value,
                    "dimension": r.dimension,
                    "level": r.level,
                },
            }
        )
    sarif = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "mlops-scaffold assess",
                        "version": report.tool_version,
                        "semanticVersion": report.tool_version,
                        "informationUri": "https://github.com/mlops-scaffold/mlops-scaffold",
                        "rules": rules,
                    }
                },
                "results": results,
                "properties": {
                    # the per-dimension profile leads; the overall level is its weakest link
                    "profile": report.profile,
                    "nextSteps": [
                        {
                            "dimension": m.dimension,
                            "from": m.level,
                            "to": m.target,
                            "providedBy": m.provided_by,
                            "checks": [s.check for s in m.steps],
                        }
                        for m in report.next_steps
                    ],
                    "level": report.level,
                    "weakestLink": report.level,
                    "rubricVersion": report.rubric_version,
                },
            }
        ],
    }
    return json.dumps(sarif, indent=2) + "\n"

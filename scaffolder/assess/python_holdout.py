"""A model evaluated on a held-out half named as such: a call given the features and the labels
of the test or validation split (`evaluate(model, X_test, y_test)`, `model.score(X_val, y_val)`),
however the split was made (a time cutoff by hand, test files the data pipeline wrote, a split
function of the project's own). Read with the metrics the project imports (validation.holdout)."""

from __future__ import annotations

import ast
import re

from scaffolder.assess.models import Fact, Zone

HALF = re.compile(r"^(?P<side>[xy])_?(?P<split>test|val|valid|validation|holdout|eval)$", re.I)


def held_out_evaluations(tree: ast.AST, path: str, zone: Zone) -> list[Fact]:
    facts = []
    for call in ast.walk(tree):
        if not isinstance(call, ast.Call):
            continue
        halves: dict[str, set[str]] = {}
        for arg in call.args:
            match = HALF.match(arg.id) if isinstance(arg, ast.Name) else None
            if match:
                halves.setdefault(match["split"].lower(), set()).add(match["side"].lower())
        if any(sides == {"x", "y"} for sides in halves.values()):
            detail = {"via": "held-out X/y"}
            facts.append(
                Fact(kind="eval.split", path=path, line=call.lineno, zone=zone, detail=detail)
            )
            if len(facts) >= 3:
                break
    return facts

"""An Evidently `TestSuite` whose every test is a drift test (`TestShareOfDriftedColumns`,
`TestNumberOfDriftedColumns`, `TestColumnDrift`) compares the live data's distribution with the
reference: drift detection, not a check of the input data (missing values, types, ranges).
Its `validation.data` fact is dropped; suites with any data test keep it."""

from __future__ import annotations

import ast

from scaffolder.assess.models import Fact
from scaffolder.assess.python_libraries import last_name


def _called(node: ast.AST) -> str:
    return last_name(node.func) if isinstance(node, ast.Call) else ""


def _drift_only(call: ast.Call) -> bool:
    tests = [k.value for k in call.keywords if k.arg == "tests"] + list(call.args[:1])
    if len(tests) != 1 or not isinstance(tests[0], ast.List) or not tests[0].elts:
        return False
    return all("drift" in _called(test).lower() for test in tests[0].elts)


def drop_drift_only_suites(tree: ast.AST, facts: list[Fact]) -> list[Fact]:
    suites = {
        f.line: f
        for f in facts
        if f.kind == "validation.data" and f.detail.get("call") == "TestSuite"
    }
    if not suites:
        return facts
    dropped = [
        suites[node.lineno]
        for node in ast.walk(tree)
        if node.__class__ is ast.Call
        and _called(node) == "TestSuite"
        and node.lineno in suites
        and _drift_only(node)
    ]
    return [f for f in facts if all(f is not d for d in dropped)]

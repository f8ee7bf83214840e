"""A `validate(...)` that validates a model, not input data: a shadow validator.

A function named only `validate` or `check` counts as input-data validation (`data.validation`)
unless it, or a function of its module it calls, loads a model (`mlflow.pytorch.load_model`,
`joblib.load` of a model...): running a challenger and the production model on the same batch
and comparing them validates the model, which the quality gate and model tests judge.
"""

from __future__ import annotations

import ast

from scaffolder.assess.models import Fact

BARE = ("validate", "check")
Function = ast.FunctionDef | ast.AsyncFunctionDef


def _calls(node: ast.AST) -> set[str]:
    names = set()
    for item in ast.walk(node):
        if isinstance(item, ast.Call) and isinstance(item.func, ast.Name):
            names.add(item.func.id)
    return names


def drop_model_validators(tree: ast.AST, facts: list[Fact]) -> list[Fact]:
    bare = [f for f in facts if f.kind == "data.validation" and f.detail.get("name") in BARE]
    loads = [f.line for f in facts if f.kind == "model.load"]
    if not bare or not loads:
        return facts
    functions = [n for n in ast.walk(tree) if isinstance(n, Function)]
    by_name = {n.name: n for n in functions}
    by_line = {n.lineno: n for n in functions}

    def loads_a_model(function: Function) -> bool:
        end = function.end_lineno or function.lineno
        return any(function.lineno <= line <= end for line in loads)

    dropped = []
    for fact in bare:
        function = by_line.get(fact.line)
        if function is None:
            continue
        reached = [function] + [by_name[n] for n in _calls(function) if n in by_name]
        if any(loads_a_model(f) for f in reached):
            dropped.append(fact)
    return [f for f in facts if f not in dropped]

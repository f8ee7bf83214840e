"""A Kubeflow component that cannot run trains, saves and tracks nothing.

A lightweight KFP component (`@dsl.component def train(...)`) runs alone in its container: its
body sees its parameters, what it imports or assigns itself, builtins and the names KFP and
`typing` provide. A body reading a name none of these nor its module defines
(`pd.read_csv(training_data.path)` with the `training_data` parameter commented out) fails on its
first run, so the model it would save, the job it would start and the runs it would track are
no evidence: those facts inside it are dropped, and its `kfp.component` fact says `broken`.
"""

from __future__ import annotations

import ast
import builtins
import typing

from scaffolder.assess.models import Fact

# what KFP's executor puts in scope of a component's source, beside builtins
PROVIDED = (
    frozenset(dir(builtins))
    | frozenset(typing.__all__)
    | {
        "dsl",
        "kfp",
        "Input",
        "Output",
        "InputPath",
        "OutputPath",
        "Artifact",
        "Dataset",
        "Model",
        "Metrics",
        "ClassificationMetrics",
        "SlicedClassificationMetrics",
        "HTML",
        "Markdown",
        "__file__",
        "__name__",
    }
)
DROPPED = ("model.", "track.", "registry.", "mlflow.", "runtime.managed", "eval.")
Function = ast.FunctionDef | ast.AsyncFunctionDef


def _module_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        for item in ast.walk(node) if not isinstance(node, (Function, ast.ClassDef)) else [node]:
            if isinstance(item, (Function, ast.ClassDef)):
                names.add(item.name)
            elif isinstance(item, ast.Name) and isinstance(item.ctx, ast.Store):
                names.add(item.id)
            elif isinstance(item, (ast.Import, ast.ImportFrom)):
                names.update((a.asname or a.name).split(".")[0] for a in item.names)
    return names


def _free_names(function: Function) -> set[str]:
    defined: set[str] = set()
    read: set[str] = set()
    for item in (n for statement in function.body for n in ast.walk(statement)):
        if isinstance(item, ast.Name):
            (read if isinstance(item.ctx, ast.Load) else defined).add(item.id)
        elif isinstance(item, (ast.Import, ast.ImportFrom)):
            defined.update((a.asname or a.name).split(".")[0] for a in item.names)
        elif isinstance(item, (Function, ast.ClassDef, ast.ExceptHandler)) and item.name:
            defined.add(item.name)
        elif isinstance(item, ast.arg):
            defined.add(item.arg)
    defined.update(a.arg for a in ast.walk(function.args) if isinstance(a, ast.arg))
    return set() if "*" in defined else read - defined - PROVIDED


def drop_broken_components(tree: ast.AST, facts: list[Fact]) -> list[Fact]:
    components = [f for f in facts if f.kind == "kfp.component"]
    if not components or not isinstance(tree, ast.Module):
        return facts
    by_line = {n.lineno: n for n in ast.walk(tree) if isinstance(n, Function)}
    module = _module_names(tree)
    if "*" in module:  # `from x import *`: what the module defines is unknown
        return facts
    spans = []
    for fact in components:
        function = by_line.get(fact.line)
        if function is not None and _free_names(function) - module:
            fact.detail["broken"] = True
            spans.append((function.lineno, function.end_lineno or function.lineno))
    if not spans:
        return facts
    return [
        f
        for f in facts
        if not (f.kind.startswith(DROPPED) and any(a <= f.line <= b for a, b in spans))
    ]

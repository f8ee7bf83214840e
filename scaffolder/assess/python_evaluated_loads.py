"""A model loaded only to be measured, not to predict for anyone: `model = pickle.load(f)` in a
function whose every use of it ends in a metric, a plot, a signature or a logged/registered
copy (`accuracy_score(y_test, model.predict(x_test))`, `model.feature_importances_`,
`infer_signature(x, model.predict(x))`, `mlflow.sklearn.log_model(sk_model=model)`). Its load
is marked `evaluated`, so it is no evidence that predictions come from the saved model
(checks/deployment.py). Predictions written, returned or served keep the load as it is."""

from __future__ import annotations

import ast
import re

from scaffolder.assess.models import Fact
from scaffolder.assess.python_libraries import last_name

PREDICT_METHODS = {"predict", "predict_proba", "decision_function", "score_samples"}
# where a measured model's outputs end: metrics, plots, signatures, the tracker's copy
MEASURING = re.compile(r"score|metric|confusion|curve|error|report|signature|plot|log_model")


def _parents(function: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(function) for child in ast.iter_child_nodes(node)}


def _measured(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """The value at `node` is handed to a measuring call (through subscripts and keywords)."""
    parent = parents.get(node)
    while isinstance(parent, (ast.Subscript, ast.keyword)):
        node, parent = parent, parents.get(parent)
    return (
        isinstance(parent, ast.Call)
        and node is not parent.func
        and bool(MEASURING.search(last_name(parent.func).lower()))
    )


def _uses(function: ast.AST, name: str, after: int) -> list[ast.Name]:
    return [
        n
        for n in ast.walk(function)
        if isinstance(n, ast.Name)
        and n.id == name
        and isinstance(n.ctx, ast.Load)
        and n.lineno > after
    ]


def _only_measured(function, name, line, parents, depth=0) -> bool:
    uses = _uses(function, name, line)
    if not uses or depth > 1:
        return False
    for use in uses:
        parent = parents.get(use)
        if _measured(use, parents):
            continue
        if isinstance(parent, ast.Attribute) and parent.attr.endswith("_"):
            continue  # a fitted attribute read (feature_importances_, coef_)
        if not (isinstance(parent, ast.Attribute) and parent.attr in PREDICT_METHODS):
            return False
        call = parents.get(parent)
        if not isinstance(call, ast.Call) or _measured(call, parents):
            continue
        outer = parents.get(call)
        while isinstance(outer, ast.Subscript):
            outer = parents.get(outer)
        # predictions kept in a variable: measured wherever that variable is used
        if not (
            isinstance(outer, ast.Assign)
            and len(outer.targets) == 1
            and isinstance(outer.targets[0], ast.Name)
            and _only_measured(function, outer.targets[0].id, outer.lineno, parents, depth + 1)
        ):
            return False
    return True


def mark_evaluated_loads(tree: ast.AST, facts: list[Fact]) -> None:
    loads = {f.line: f for f in facts if f.kind == "model.load"}
    if not loads:
        return
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        parents = _parents(function)
        for node in ast.walk(function):
            if (
                isinstance(node, ast.Assign)
                and node.lineno in loads
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and _only_measured(function, node.targets[0].id, node.lineno, parents)
            ):
                loads[node.lineno].detail["evaluated"] = True

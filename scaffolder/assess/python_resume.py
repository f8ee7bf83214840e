"""A model loaded to go on training, not to predict: `model = joblib.load(base_model_path)` in a
function that fits it again (`model.fit(...)`, `model.partial_fit(...)`, or `model, ... =
train(df, model=model)`) and then saves the same variable (`joblib.dump(model, ...)`) resumes
training from a checkpoint (a warm start). Its load is marked `resumed`, so it is no evidence
that predictions come from the saved model (checks/deployment.py). A load saved again without
training in between (converting, packaging, registering the model) is left as it is."""

from __future__ import annotations

import ast

from scaffolder.assess.models import Fact

FIT_METHODS = {"fit", "partial_fit", "train", "fit_generator"}


def _passes(call: ast.Call, name: str) -> bool:
    values = [*call.args, *(k.value for k in call.keywords)]
    return any(isinstance(v, ast.Name) and v.id == name for v in values)


def _targets(node: ast.Assign) -> set[str]:
    names = set()
    for target in node.targets:
        for leaf in ast.walk(target):
            if isinstance(leaf, ast.Name):
                names.add(leaf.id)
    return names


def _trained_at(function: ast.AST, name: str) -> list[int]:
    """Lines where `name` is trained again: a fit method called on it, or the variable
    reassigned from a call that is handed it."""
    lines = []
    for node in ast.walk(function):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in FIT_METHODS
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == name
        ) or (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and name in _targets(node)
            and _passes(node.value, name)
        ):
            lines.append(node.lineno)
    return lines


def mark_resumed_loads(tree: ast.AST, facts: list[Fact]) -> None:
    loads = {f.line: f for f in facts if f.kind == "model.load"}
    saves = {f.line for f in facts if f.kind == "model.save"}
    if not loads or not saves:
        return
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        loaded: dict[str, int] = {}
        for node in ast.walk(function):
            if (
                isinstance(node, ast.Assign)
                and node.lineno in loads
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
            ):
                loaded[node.targets[0].id] = node.lineno
        for name, line in loaded.items():
            trained = [t for t in _trained_at(function, name) if t > line]
            saved = [
                call.lineno
                for call in ast.walk(function)
                if isinstance(call, ast.Call) and call.lineno in saves and _passes(call, name)
            ]
            if trained and any(s > min(trained) for s in saved):
                loads[line].detail["resumed"] = True

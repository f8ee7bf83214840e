"""An MLflow pyfunc wrapper's `load_context` packages the model; it predicts for no one.

`class Wrapper(mlflow.pyfunc.PythonModel)` with `load_context(self, context)` loading the
artifacts (`joblib.load(context.artifacts["pipeline"])`) says how MLflow restores the model
wherever it is loaded: the predictions come from the code that loads the logged model
(`mlflow.pyfunc.load_model`, a serving endpoint), which may be in another repository. The load
inside `load_context` is no prediction code of the project unless the project serves the
wrapper itself (a serving endpoint or app, as `checks/deployment.r_predict` reads it); the loads
are marked `pyfunc_context`, not dropped (what the wrapper loads still tells where a served
model comes from).
"""

from __future__ import annotations

import ast

from scaffolder.assess.models import Fact


def _context_lines(tree: ast.AST) -> list[tuple[int, int]]:
    spans = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef):
            continue
        if not any(ast.unparse(b).split(".")[-1] == "PythonModel" for b in node.bases):
            continue
        for item in node.body:
            if isinstance(item, ast.FunctionDef) and item.name == "load_context":
                spans.append((item.lineno, item.end_lineno or item.lineno))
    return spans


def mark_pyfunc_context_loads(tree: ast.AST, facts: list[Fact]) -> None:
    if not any(f.kind == "model.load" for f in facts):
        return
    spans = _context_lines(tree)
    for f in facts:
        if f.kind == "model.load" and any(a <= f.line <= b for a, b in spans):
            f.detail["pyfunc_context"] = True

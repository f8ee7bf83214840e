"""A serving route that keeps every prediction it serves: the data capture of a hand-written
service.

A route of a FastAPI or Flask app that predicts and, in its own body or in a function of the same
file it calls or schedules (`background_tasks.add_task(write_prediction, ...)`), writes the
prediction to a store — a database session's `add` + `commit`, an `INSERT`, a CSV appended to,
`to_sql(..., if_exists="append")`, a document store's `insert_one`, a `log_prediction(...)` of
the project's own store — captures the served traffic, as SageMaker's data capture does for an
endpoint. Drift detection over the project (checks/monitoring.py) then watches the serving side.
"""

from __future__ import annotations

import ast
import re

from scaffolder.assess.models import Fact, Zone

ROUTE_KINDS = ("fastapi.route", "flask.route", "serving.app")
PREDICTS = re.compile(r"predict|^(run_)?infer(ence)?$", re.I)
# the project's own store of predictions, called by what it does (`db.log_prediction(...)`)
STORE_CALL = re.compile(
    r"^(log|save|store|record|persist|insert|write|track)_(predict\w*|inference\w*)$", re.I
)
INSERT = re.compile(r"^\s*insert\s+into\b", re.I)


def _const(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _kwarg(call: ast.Call, name: str) -> ast.AST | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _name(func: ast.AST) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _writes(function: ast.AST) -> str | None:
    """How `function` stores what it is given, if it does."""
    names = set()
    for call in ast.walk(function):
        if not isinstance(call, ast.Call):
            continue
        name = _name(call.func)
        names.add(name)
        if STORE_CALL.match(name):
            return name
        if name == "execute" and INSERT.match(_const(call.args[0] if call.args else None) or ""):
            return "INSERT"
        if name == "to_csv" and (_const(_kwarg(call, "mode")) or "").startswith("a"):
            return "to_csv(mode='a')"
        if name == "to_sql" and _const(_kwarg(call, "if_exists")) == "append":
            return "to_sql(if_exists='append')"
        if name == "open" and len(call.args) > 1 and (_const(call.args[1]) or "").startswith("a"):
            return "open(mode='a')"
        if name in ("insert_one", "insert_many", "put_item", "insert_rows_json"):
            return name
    if "commit" in names and names & {"add", "add_all", "merge"}:
        return "session.add + commit"
    return None


def _reached(function: ast.AST, functions: dict[str, ast.AST]) -> list[ast.AST]:
    """The function and the functions of the same file it calls or hands to a task runner
    (`add_task(fn, ...)`, `submit(fn, ...)`, `Thread(target=fn)`), one level down."""
    reached = [function]
    for call in ast.walk(function):
        if not isinstance(call, ast.Call):
            continue
        callees = [call.func, *call.args[:1], _kwarg(call, "target")]
        for callee in callees:
            if isinstance(callee, ast.Name) and callee.id in functions:
                reached.append(functions[callee.id])
    return reached


def prediction_captures(tree: ast.AST, facts: list[Fact], path: str, zone: Zone) -> list[Fact]:
    route_lines = {
        x.line
        for x in facts
        if x.kind in ROUTE_KINDS and (x.kind != "serving.app" or x.detail.get("route") is not None)
    }
    if not route_lines:
        return []
    functions = {
        node.name: node
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    captured = []
    for node in functions.values():
        if node.lineno not in route_lines:
            continue
        reached = _reached(node, functions)
        predicts = any(
            PREDICTS.search(_name(c.func))
            for f in reached
            for c in ast.walk(f)
            if isinstance(c, ast.Call)
        )
        how = next((w for f in reached if (w := _writes(f))), None)
        if predicts and how:
            captured.append(
                Fact(
                    kind="prediction.capture",
                    path=path,
                    line=node.lineno,
                    zone=zone,
                    detail={"via": how, "route": node.name},
                )
            )
    return captured

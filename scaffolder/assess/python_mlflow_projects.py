"""MLflow Projects chained by a driver script: an orchestrated pipeline.

A module that runs two or more different MLflow Projects (`mlflow.run(os.path.join(root,
"data_ingestion"), "main", ...)`, then `"pre-processing"`, `"training_validation"`...) chains
steps, each in its own environment, as an orchestrator would: its first such call is a
`pipeline.def` of the tool "MLflow Projects". A module running one project, or the same
project and entry point again (a parameter sweep), chains nothing.
"""

from __future__ import annotations

import ast

from scaffolder.assess.models import Fact, Zone

RUNS = ("mlflow.run", "mlflow.projects.run")


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_name(node.value)}.{node.attr}"
    return ""


def _step(call: ast.Call) -> str:
    """The project and entry point a call runs, as written."""
    uri = (
        call.args[0]
        if call.args
        else next((k.value for k in call.keywords if k.arg == "uri"), None)
    )
    entry = (
        call.args[1]
        if len(call.args) > 1
        else next((k.value for k in call.keywords if k.arg == "entry_point"), None)
    )
    return "|".join(ast.unparse(x) if x is not None else "" for x in (uri, entry))


def mlflow_project_chains(tree: ast.AST, path: str, zone: Zone) -> list[Fact]:
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and _name(n.func) in RUNS]
    if len({_step(c) for c in calls}) < 2:
        return []
    first = min(calls, key=lambda c: c.lineno)
    return [
        Fact(
            kind="pipeline.def",
            path=path,
            line=first.lineno,
            zone=zone,
            detail={"tool": "MLflow Projects", "call": "run", "steps": len(calls)},
        )
    ]

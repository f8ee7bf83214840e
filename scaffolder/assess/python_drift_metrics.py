"""Drift measured on each run and logged to the tracker is monitoring kept as code.

`mlflow.log_metric("data_drift_psi", psi)`, or `mlflow.log_metrics(metrics)` of a dict holding
drift keys (`"data_drift_psi"`, `f"psi_{feature}"`, `"ks_..."`), records the drift of every
monitoring run where the team watches it (the MLflow UI, a dashboard reading the runs): the
`drift.logged` fact, read by monitoring's metrics check. A model's accuracy or loss logged while
training is not monitoring.
"""

from __future__ import annotations

import ast
import re

from scaffolder.assess.models import Fact, Zone

DRIFT_KEY = re.compile(r"(^|_)(drift|psi|ks)(_|$)", re.I)
LOGGERS = ("log_metric", "log_metrics")


def _keys(node: ast.AST) -> list[str]:
    """The literal parts of a dict's keys (f-strings by their constant parts)."""
    keys = []
    if isinstance(node, ast.Dict):
        for key in node.keys:
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                keys.append(key.value)
            elif isinstance(key, ast.JoinedStr):
                keys.append(
                    "".join(str(v.value) for v in key.values if isinstance(v, ast.Constant))
                )
    return keys


def _subscript_keys(tree: ast.AST, name: str) -> list[str]:
    """Keys set one by one: `metrics[f"psi_{feature}"] = value`."""
    keys = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if (
                    isinstance(target, ast.Subscript)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == name
                ):
                    keys.extend(_keys(ast.Dict(keys=[target.slice], values=[node.value])))
    return keys


def drift_logged(tree: ast.AST, path: str, zone: Zone) -> list[Fact]:
    assigned: dict[str, list[str]] = {}
    calls = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and isinstance(node.value, ast.Dict):
                assigned.setdefault(target.id, []).extend(_keys(node.value))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in LOGGERS
            and node.args
        ):
            calls.append(node)
    facts = []
    for call in calls:
        arg = call.args[0]
        if call.func.attr == "log_metric":
            keys = _keys(ast.Dict(keys=[arg], values=[arg]))
        elif isinstance(arg, ast.Name):
            keys = assigned.get(arg.id, []) + _subscript_keys(tree, arg.id)
        else:
            keys = _keys(arg)
        drift = sorted({k for k in keys if DRIFT_KEY.search(k)})
        if drift:
            facts.append(
                Fact(
                    kind="drift.logged",
                    path=path,
                    line=call.lineno,
                    zone=zone,
                    detail={"metrics": drift[:5]},
                )
            )
    return facts

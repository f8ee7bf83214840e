"""A metric held to a number before the model is registered, deployed or promoted: a quality
gate written inline (`if model_metrics["r2"] >= 0.95: mlflow.register_model(...)`, or `if
accuracy < 0.8: raise ...` in a function that then registers), or a decision function returning
the comparison itself (`return test_acc > 0.9`: ZenML's deployment trigger, a pipeline's
condition). Read by `validation.quality-gate`; a comparison whose branch does neither decides
nothing."""

from __future__ import annotations

import ast
import re

from scaffolder.assess.models import Fact, Zone

# metric names as whole words (`test_accuracy`, `metrics["r2"]`), not a probability
METRIC = re.compile(
    r"(?<![a-z0-9])(acc|accuracy|auc|roc_auc|f1|rmse|mse|mae|mape|r2|precision|recall|"
    r"average_precision|map|ap)(?![a-z0-9])",
    re.I,
)
# what a gate lets through: the model registered, deployed, promoted or given an alias
ACTION = re.compile(
    r"(^|_)(register|deploy|promot|transition_model_version_stage|set_registered_model_alias|"
    r"create_model_version)",
    re.I,
)
ORDER = (ast.Lt, ast.Gt, ast.LtE, ast.GtE)


def _number(node: ast.expr) -> bool:
    if isinstance(node, ast.UnaryOp):
        node = node.operand
    # (a bar of 0 holds a metric to nothing: `if score > 0` checks one was computed)
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
        and node.value != 0
    )


# a name that is itself a bar (`min_f1 > 0`: is the bar set at all), not a metric measured
BAR_NAME = re.compile(r"(^|_)(min|max|threshold|thresh|target|bar|floor)(_|$)", re.I)


def _measured(node: ast.expr) -> bool:
    text = ast.unparse(node)
    return bool(METRIC.search(text)) and not BAR_NAME.search(text)


def bar_name(node: ast.expr) -> str:
    """The name a bar is kept by (`MIN_VALID_PR_AUC`, `config.training.min_auc` -> `min_auc`,
    `thresholds["min_f1"]` -> `min_f1`), or "" for anything else."""
    if isinstance(node, ast.Subscript):
        return str(node.slice.value) if isinstance(node.slice, ast.Constant) else ""
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _named_bar(node: ast.expr) -> bool:
    """A bar kept by name: a constant or a setting the team sets once, not a second metric."""
    return bool(BAR_NAME.search(bar_name(node)))


def _bar(node: ast.expr) -> bool:
    return _number(node) or _named_bar(node)


def _bars(test: ast.expr) -> list[ast.Compare]:
    found = []
    for node in ast.walk(test):
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], ORDER):
            left, right = node.left, node.comparators[0]
            if (_measured(left) and _bar(right)) or (_bar(left) and _measured(right)):
                found.append(node)
    return found


def _decision(value: ast.expr | None) -> bool:
    """`return test_acc > 0.9`, or several bars at once (`return auc >= cfg.min_auc and f1 >=
    cfg.min_f1`)."""
    if isinstance(value, ast.BoolOp):
        return all(isinstance(v, ast.Compare) for v in value.values)
    return isinstance(value, ast.Compare)


def _acts(nodes: list[ast.stmt]) -> bool:
    for stmt in nodes:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if ACTION.search(name):
                    return True
    return False


def _stops(nodes: list[ast.stmt]) -> bool:
    """The branch ends the run (`raise`, `return`, `sys.exit`)."""
    for stmt in nodes:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Raise | ast.Return):
                return True
            if isinstance(node, ast.Call) and ast.unparse(node.func) in ("sys.exit", "exit"):
                return True
    return False


def metric_bar_gates(tree: ast.AST, path: str, zone: Zone) -> list[Fact]:
    facts: list[Fact] = []
    # a check that stops the run, in a module that registers or deploys (`evaluate_candidate`
    # raising before `register_candidate_model` runs)
    module_acts = _acts(getattr(tree, "body", []))
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Return) and _decision(node.value):
                # the function is the decision: its caller deploys or not on the answer
                bars = _bars(node.value)
                gating = bool(bars)
            elif isinstance(node, ast.If):
                bars = _bars(node.test)
                # the branch registers, or stops a function (or module) that registers
                gating = bars and (_acts(node.body) or (_stops(node.body) and module_acts))
            else:
                continue
            if gating and all(f.line != bars[0].lineno for f in facts):
                bar = bars[0]
                name = f"{ast.unparse(bar.left)} vs {ast.unparse(bar.comparators[0])}"
                facts.append(
                    Fact(
                        kind="quality.gate",
                        path=path,
                        line=bar.lineno,
                        zone=zone,
                        detail={
                            "name": name[:120],
                            "via": "metric bar before registering"
                            if isinstance(node, ast.If)
                            else "decision returning a metric bar",
                        },
                    )
                )
                if len(facts) >= 3:
                    return facts
    return facts

"""A flow that scores with a trained model and trains none: batch scoring, not training.

An orchestrator's flow (`@flow`, `@pipeline`, a Metaflow `FlowSpec`...) is the training pipeline
of the project's levels only when it trains something. A flow whose body, or the functions of its
module it calls, predict (`model.predict(...)`, `predict_active(...)`, a `predictor` step) and
never fit, train, tune, cross-validate, build an estimator, log/register/save a model or run
another pipeline defines a scoring pipeline: its `pipeline.def` fact says so (`scores: True`),
and neither the pipelines dimension nor CI running it counts it as training.
"""

from __future__ import annotations

import ast
import re

from scaffolder.assess.models import Fact

# a call that predicts with a model (not `score`: sklearn's `accuracy_score`, `cross_val_score`
# and `model.score` evaluate)
PREDICTS = re.compile(r"(?i:(^|_)(predict|predictor|prediction|predictions|infer|inference)(_|$))")
# a call (or a step defined in the flow) that trains or records a model, or runs a pipeline
TRAINS = re.compile(
    r"(?i:(^|_)(fit|train|training|retrain|tune|tuning|optimize|log_model|register_model|"
    r"save_model|save_pretrained|create_model|cross_val|cross_validate|pipeline)(_|$))|"
    r"^(fit|train|retrain|tune)[A-Z]|(Classifier|Regressor|Estimator|SearchCV)$"
)
Definition = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef


def _called(node: ast.AST) -> list[str]:
    names = []
    for item in ast.walk(node):
        if isinstance(item, ast.Call):
            func = item.func
            if isinstance(func, ast.Attribute):
                names.append(func.attr)
            elif isinstance(func, ast.Name):
                names.append(func.id)
    return names


def _flow_names(flow: Definition, module: dict[str, Definition]) -> set[str]:
    """What a flow calls, with what the module's own functions it calls call (one level), and
    the steps it defines (a Metaflow step `def train(self)` runs through `self.next(...)`)."""
    names = {n for statement in flow.body for n in _called(statement)}  # not its decorators
    for name in list(names):
        if name in module and module[name] is not flow:
            names.update(_called(module[name]))
    names.update(
        item.name
        for item in ast.walk(flow)
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item is not flow
    )
    return names


def mark_scoring_flows(tree: ast.AST, facts: list[Fact]) -> None:
    """Mark the module's orchestrated flows that predict and train nothing as scoring ones."""
    flows = [f for f in facts if f.kind == "pipeline.def" and "name" in f.detail]
    if not flows:
        return
    definitions = [n for n in ast.walk(tree) if isinstance(n, Definition)]
    module = {n.name: n for n in definitions}
    by_line = {n.lineno: n for n in definitions}
    for fact in flows:
        flow = by_line.get(fact.line)
        if flow is None or flow.name != fact.detail.get("name"):
            continue
        names = _flow_names(flow, module)
        if any(PREDICTS.search(n) for n in names) and not any(TRAINS.search(n) for n in names):
            fact.detail["scores"] = True

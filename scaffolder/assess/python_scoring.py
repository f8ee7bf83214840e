"""A flow that scores with a trained model and trains none: batch scoring, not training.

An orchestrator's flow (`@flow`, `@pipeline`, a Metaflow `FlowSpec`...) is the training pipeline
of the project's levels only when it trains something. A flow whose body, or the functions of its
module it calls, predict (`model.predict(...)`, `predict_active(...)`, a `predictor` step) and
never fit, train, tune, cross-validate, build an estimator, log/register/save a model or run
another pipeline defines a scoring pipeline: its `pipeline.def` fact says so (`scores: True`),
and neither the pipelines dimension nor CI running it counts it as training.

A Kubeflow pipeline whose every step is named for moving data or predicting (`fetch_jsonl`,
`import_feature_values`, `BigqueryQueryJobOp`, `BatchPredictJobRunOp`) and none for training
ingests data or scores batches: its `kfp.pipeline` fact says `scores` or `moves_data`.
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


# words of a KFP step that moves data (Google Cloud Pipeline Components' BigQuery/GCS ops,
# fetchers, feature-store imports) or predicts in batch
DATA_STEP = re.compile(
    r"^(fetch|import|export|ingest|ingestion|query|extract|download|upload|copy|sync|bigquery|"
    r"gcs|feature|features|featurestore|store|update|write|read|dbt|sql|snapshot|dataset)$",
    re.I,
)
PREDICT_STEP = re.compile(r"^(predict|prediction|predictions|inference|infer|score|scoring)$", re.I)


def _words(name: str) -> list[str]:
    return re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+", name)


def _steps(pipeline: Definition) -> list[str]:
    """The steps a pipeline function calls by name (components, prebuilt ops)."""
    return [
        item.func.id
        for statement in pipeline.body
        for item in ast.walk(statement)
        if isinstance(item, ast.Call)
        and isinstance(item.func, ast.Name)
        and item.func.id not in ("range", "str", "int", "len", "list", "dict", "print")
    ]


def mark_data_pipelines(tree: ast.AST, facts: list[Fact]) -> None:
    """Mark the module's KFP pipelines whose steps only move data or predict."""
    pipelines = [f for f in facts if f.kind == "kfp.pipeline"]
    if not pipelines:
        return
    by_line = {
        n.lineno: n
        for n in ast.walk(tree)
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    for fact in pipelines:
        pipeline = by_line.get(fact.line)
        steps = _steps(pipeline) if pipeline is not None else []
        training = sorted({s for s in steps if TRAINS.search(s)})
        if training:
            # the steps that train, checked against the components that cannot run
            # (python_kfp_component) by checks/pipelines.orchestrated
            fact.detail["train_steps"] = training[:10]
        if not steps or training:
            continue
        words = [_words(s) for s in steps]
        if not all(any(DATA_STEP.match(w) or PREDICT_STEP.match(w) for w in ws) for ws in words):
            continue
        if any(PREDICT_STEP.match(w) for ws in words for w in ws):
            fact.detail["scores"] = True
        else:
            fact.detail["moves_data"] = True

"""The passes over a whole Python file after the visitor has read it node by node: each marks,
drops or adds facts by what the rest of the file does (a load that a scoring flow makes, a
validator of the model rather than the data, a metric bar guarding registration). Kept apart
from `parse_python`, which parses and visits; the order below is the order they must run in."""

from __future__ import annotations

import ast

from scaffolder.assess.models import Fact, Zone
from scaffolder.assess.python_column_checks import keep_checks_before_training
from scaffolder.assess.python_data_dags import mark_data_dags
from scaffolder.assess.python_drift_metrics import drift_logged
from scaffolder.assess.python_drift_suites import drop_drift_only_suites
from scaffolder.assess.python_evaluated_loads import mark_evaluated_loads
from scaffolder.assess.python_holdout import held_out_evaluations
from scaffolder.assess.python_kfp_component import drop_broken_components
from scaffolder.assess.python_metric_bars import metric_bar_gates
from scaffolder.assess.python_mlflow_projects import mlflow_project_chains
from scaffolder.assess.python_model_validation import drop_model_validators
from scaffolder.assess.python_prediction_capture import prediction_captures
from scaffolder.assess.python_pyfunc import mark_pyfunc_context_loads
from scaffolder.assess.python_resume import mark_resumed_loads
from scaffolder.assess.python_scoring import mark_data_pipelines, mark_scoring_flows
from scaffolder.assess.python_test_clients import flask_test_clients


def file_passes(tree: ast.AST, visitor, path: str, zone: Zone, is_test_file: bool) -> list[Fact]:
    """The visitor's facts after the whole-file passes (`visitor`: parse_python's visitor,
    for its facts, imports and `uses`)."""
    facts: list[Fact] = visitor.facts
    mark_scoring_flows(tree, facts)
    mark_data_pipelines(tree, facts)
    mark_data_dags(tree, facts, visitor.imports, visitor.local_imports)
    facts = drop_model_validators(tree, facts)
    facts = drop_drift_only_suites(tree, facts)
    facts = keep_checks_before_training(facts)
    mark_pyfunc_context_loads(tree, facts)
    mark_resumed_loads(tree, facts)
    mark_evaluated_loads(tree, facts)
    facts = drop_broken_components(tree, facts)
    if is_test_file:
        facts.extend(flask_test_clients(tree, path, zone))
    if not is_test_file and visitor.uses("mlflow"):
        facts.extend(drift_logged(tree, path, zone))
        facts.extend(mlflow_project_chains(tree, path, zone))
    if not is_test_file:
        facts.extend(prediction_captures(tree, facts, path, zone))
        facts.extend(held_out_evaluations(tree, path, zone))
        seen = {(x.kind, x.line) for x in facts}
        facts.extend(x for x in metric_bar_gates(tree, path, zone) if (x.kind, x.line) not in seen)
    return facts

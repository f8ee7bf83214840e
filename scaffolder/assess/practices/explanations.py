"""Explanations (questionnaire section 6): the model's outputs are explained with evidence.

Evidence: an explanation library used in the project's code (SHAP, LIME, Captum, Alibi
explainers, InterpretML, ELI5, dalex), permutation importance computed (scikit-learn's
`permutation_importance`, the runtime's `explain.global_importance`), a managed explainer
configured (SageMaker Clarify's `SHAPConfig`, Vertex AI's `explain.ExplanationMetadata` given to a
model: calls, not a type named in an annotation), the trained model's own importances recorded
(a function reading `feature_importances_`, `coef_`, a booster's `get_score` or
`get_feature_importance` that logs or writes them: an MLflow/DVCLive artifact, a saved figure, a
file; not one that only plots them on screen or picks features with them), or a route that
returns explanations (`/explain`, `/predict/explanation`; the runtime's serving app answers
`/predict?explain=true`).
"""

from __future__ import annotations

import ast
import re

KIND = "explain.model"
ENDPOINT = "explain.endpoint"

IMPORTS = [
    ("shap", KIND, "SHAP"),
    ("lime", KIND, "LIME"),
    ("captum", KIND, "Captum"),
    ("alibi.explainers", KIND, "Alibi explainers"),
    ("interpret", KIND, "InterpretML"),
    ("eli5", KIND, "ELI5"),
    ("dalex", KIND, "dalex"),
    ("mlops_runtime.explain", KIND, "mlops-scaffold-runtime permutation importance"),
]
CALLS = [
    ("sklearn.inspection.permutation_importance", KIND, "permutation importance"),
    ("inspection.permutation_importance", KIND, "permutation importance"),
    ("sagemaker.clarify.SHAPConfig", KIND, "SageMaker Clarify SHAP"),
    ("clarify.SHAPConfig", KIND, "SageMaker Clarify SHAP"),
    ("aiplatform.explain.ExplanationMetadata", KIND, "Vertex AI explanations"),
    (
        "mlops_runtime.serving.app.create_app",
        ENDPOINT,
        "mlops-scaffold-runtime /predict?explain=true",
    ),
]
# `import shap`, not every `shape`: the trigger gate reads bytes
TRIGGER_WORDS = [
    "import shap",
    "from shap",
    "import lime",
    "from lime",
    "captum",
    "alibi",
    "import interpret",
    "from interpret",
    "eli5",
    "dalex",
    "permutation_importance",
    "/explain",
    "SHAPConfig",
    "ExplanationMetadata",
    "feature_importances_",
    "get_score",
    "get_feature_importance",
]
ROUTE = re.compile(r"explain|explanation|attribution|/shap\b", re.I)


def route_facts(route: str) -> list[tuple[str, dict]]:
    return [(ENDPOINT, {"route": route})] if ROUTE.search(route) else []


# the trained model's own importances, read as an attribute, a getattr name or a booster call
IMPORTANCES = {"feature_importances_", "coef_"}
IMPORTANCE_CALLS = {"get_score", "get_feature_importance", "get_fscore"}
# what records them: a run's artifact (MLflow, DVCLive, W&B), a figure or a file written
RECORDS = {
    "log_artifact",
    "log_dict",
    "log_text",
    "log_figure",
    "log_image",
    "log_table",
    "log_plot",
    "savefig",
    "dump",
    "to_csv",
    "to_json",
    "write_text",
}


IMPORTANCE_WORD = re.compile(r"importanc|coef", re.I)


def _last(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _names_importances(call: ast.Call) -> bool:
    """Whether what a record call writes is named for importances (`log_dict(importances,
    "feature_importances.json")`, `log_image("importance.png", fig)`), not a model file."""
    words = []
    for arg in [*call.args, *(k.value for k in call.keywords)]:
        for inner in ast.walk(arg):
            if isinstance(inner, ast.Constant) and isinstance(inner.value, str):
                words.append(inner.value)
            elif isinstance(inner, ast.Name):
                words.append(inner.id)
    return bool(IMPORTANCE_WORD.search(" ".join(words)))


def function_facts(name: str, node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[tuple]:
    """A function that reads the model's own importances and records them (by the record's
    name, or the function's: `save_importance_plot`), never printing `coef_` beside
    `joblib.dump(model)`."""
    reads = records = False
    for inner in ast.walk(node):
        if isinstance(inner, ast.Attribute) and inner.attr in IMPORTANCES:
            reads = True
        elif isinstance(inner, ast.Constant) and inner.value in IMPORTANCES:
            reads = True  # getattr(model, "feature_importances_", None)
        elif isinstance(inner, ast.Call):
            last = _last(inner.func)
            reads = reads or last in IMPORTANCE_CALLS
            if last in RECORDS and (IMPORTANCE_WORD.search(name) or _names_importances(inner)):
                records = True
    if reads and records:
        return [(KIND, {"name": name, "tool": "the model's importances recorded"})]
    return []

"""Explanations (questionnaire section 6): the model's outputs are explained with evidence.

Evidence: an explanation library used in the project's code (SHAP, LIME, Captum, Alibi
explainers, InterpretML, ELI5, dalex), permutation importance computed (scikit-learn's
`permutation_importance`, the runtime's `explain.global_importance`), a managed explainer
configured (SageMaker Clarify's `SHAPConfig`, Vertex AI's `explain.ExplanationMetadata` given to a
model: calls, not a type named in an annotation), or a route that returns explanations
(`/explain`, `/predict/explanation`; the runtime's serving app answers `/predict?explain=true`).
"""

from __future__ import annotations

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
]
ROUTE = re.compile(r"explain|explanation|attribution|/shap\b", re.I)


def route_facts(route: str) -> list[tuple[str, dict]]:
    return [(ENDPOINT, {"route": route})] if ROUTE.search(route) else []

"""Knowledge limits (questionnaire 4.4.2 and 6.4): the system knows when it is outside what it
learnt, and low-certainty predictions are flagged for review.

Evidence: an outlier/out-of-distribution detector library (alibi-detect's `od`, PyOD), a
conformal or uncertainty library (MAPIE, crepes), the runtime's `mlops_runtime.limits` (an OOD
score, a confidence and a return/flag/refuse policy per row), or a function of the project's
own named for it (`is_ood`, `out_of_distribution`, `novelty_score`, `low_confidence`,
`uncertainty`) that compares values. Drift detection (`alibi_detect.cd`) is not this: it looks
at a window of rows, not at one prediction.
"""

from __future__ import annotations

import ast
import re

KIND = "limits.ood"

IMPORTS = [
    ("alibi_detect.od", KIND, "alibi-detect outlier detector"),
    ("pyod", KIND, "PyOD"),
    ("mapie", KIND, "MAPIE conformal prediction"),
    ("crepes", KIND, "crepes conformal prediction"),
    ("mlops_runtime.limits", KIND, "mlops-scaffold-runtime limits"),
]
CALLS = [
    ("mlops_runtime.serving.app.create_app", KIND, "mlops-scaffold-runtime limits on /predict"),
]
TRIGGER_WORDS = [
    "alibi_detect",
    "pyod",
    "mapie",
    "crepes",
    "_ood",
    "ood_",
    "out_of_distribution",
    "novelty",
    "uncertain",
    "low_confidence",
    "knowledge_limit",
]
NAME = re.compile(
    r"(^|_)(ood|out_of_distribution|novelty|uncertain(ty)?|low_confidence|knowledge_limits?)"
    r"($|_)",
    re.I,
)


def function_facts(name: str, node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[tuple]:
    if not NAME.search(name):
        return []
    compares = any(
        isinstance(n, ast.Compare)
        and any(isinstance(op, (ast.Lt, ast.Gt, ast.LtE, ast.GtE)) for op in n.ops)
        for n in ast.walk(node)
    )
    return [(KIND, {"name": name, "tool": "own check"})] if compares else []

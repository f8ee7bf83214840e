"""Knowledge limits (questionnaire 4.4.2 and 6.4): the system knows when it is outside what it
learnt, and low-certainty predictions are flagged for review.

Evidence: an outlier/out-of-distribution detector library (alibi-detect's `od`, PyOD), a
conformal or uncertainty library (MAPIE, crepes), the runtime's `mlops_runtime.limits` (an OOD
score, a confidence and a return/flag/refuse policy per row), or a function of the project's
own named for it (`is_ood`, `out_of_distribution`, `novelty_score`, `low_confidence`,
`uncertainty`) that compares values; a function named for unseen categories that checks values
against a reference set (`summarize_unseen_categories`: categories the training data never had);
a check of values against stored baseline statistics in sigmas (`abs(v - mean) > 3 * std`, the
mean and std read from a baseline, not computed from the rows at hand as outlier removal does).
Drift detection (`alibi_detect.cd`) is not this: it looks
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
    "unseen",
    "sigma",
    "SIGMA",
]
NAME = re.compile(
    r"(^|_)(ood|out_of_distribution|novelty|uncertain(ty)?|low_confidence|knowledge_limits?)"
    r"($|_)",
    re.I,
)


UNSEEN = re.compile(r"unseen|unknown_categor|new_categor", re.I)
SPREAD = re.compile(r"std|sigma|stdev", re.I)


def _words(node: ast.AST) -> str:
    return " ".join(
        n.id if isinstance(n, ast.Name) else n.attr
        for n in ast.walk(node)
        if isinstance(n, (ast.Name, ast.Attribute))
    )


def _computes_stats(node: ast.AST) -> bool:
    """`df.mean()`, `np.std(x)`: statistics of the rows at hand, not of a stored baseline."""
    return any(
        isinstance(n, ast.Call)
        and (n.func.attr if isinstance(n.func, ast.Attribute) else getattr(n.func, "id", ""))
        in ("mean", "std", "median", "var", "quantile", "stdev")
        for n in ast.walk(node)
    )


def _sigma_check(compare: ast.Compare) -> bool:
    """`abs(v - mean) > k * std` with the mean and std read from somewhere else (a baseline)."""
    if not any(isinstance(op, (ast.Gt, ast.GtE)) for op in compare.ops):
        return False
    left, right = compare.left, compare.comparators[-1]
    distance = any(
        isinstance(n, ast.Call)
        and getattr(n.func, "id", getattr(n.func, "attr", "")) in ("abs", "fabs")
        and n.args
        and isinstance(n.args[0], ast.BinOp)
        and isinstance(n.args[0].op, ast.Sub)
        for n in ast.walk(left)
    )
    spread = any(
        isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mult) and SPREAD.search(_words(n))
        for n in ast.walk(right)
    )
    return distance and spread and not _computes_stats(compare)


def _against_reference_set(node: ast.AST) -> bool:
    """`current - reference` sets, `value not in known`: values the reference never had."""
    for n in ast.walk(node):
        if isinstance(n, ast.Compare) and any(isinstance(op, ast.NotIn) for op in n.ops):
            return True
        if (
            isinstance(n, ast.BinOp)
            and isinstance(n.op, ast.Sub)
            and isinstance(n.left, ast.Name)
            and isinstance(n.right, ast.Name)
        ):
            return True
    return False


def function_facts(name: str, node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[tuple]:
    if NAME.search(name):
        compares = any(
            isinstance(n, ast.Compare)
            and any(isinstance(op, (ast.Lt, ast.Gt, ast.LtE, ast.GtE)) for op in n.ops)
            for n in ast.walk(node)
        )
        return [(KIND, {"name": name, "tool": "own check"})] if compares else []
    if UNSEEN.search(name) and _against_reference_set(node):
        return [(KIND, {"name": name, "tool": "unseen categories against a reference"})]
    if any(isinstance(n, ast.Compare) and _sigma_check(n) for n in ast.walk(node)):
        return [(KIND, {"name": name, "tool": "sigmas from baseline statistics"})]
    return []

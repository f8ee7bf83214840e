"""What every rule module shares: the verdict, the check, evidence helpers, facts of any tool.

A rule returns a verdict: passed (True), failed (False) or not applicable (None), with the
evidence (`path:line`) and one sentence. A check is a *gate* of its level (a level is reached
only when all its gates and those below pass) or *advice* (hygiene such as linters, secret
scanning or image hardening: reported with its fix, never holding a dimension down).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from scaffolder.assess.models import Fact, Facts, Zone


@dataclass(frozen=True)
class Verdict:
    passed: bool | None
    evidence: list[str]
    message: str


@dataclass(frozen=True)
class Check:
    id: str
    title: str
    dimension: str
    level: int
    upgrade: str
    detects: str
    rule: Callable[[Facts], Verdict]
    inputs: tuple[str, ...] = ()
    ml_test: str | None = None  # section of the ML Test Score it counts towards
    add_file: str | None = None  # where a finding without evidence is shown (SARIF)
    advice: bool = False  # hygiene: reported, never a gate


U1 = "`mlops-scaffold upgrade --to 1`"
U2 = "`mlops-scaffold upgrade --to 2`"
U3 = "`mlops-scaffold upgrade --to 3`"

# routes answering with the model's output: predictions, scores, inferences, and what a model
# predicts under its task's name (recommendations, classifications, forecasts)
PREDICT_ROUTE = re.compile(r"predict|score|infer|recommend|classif|forecast", re.I)


def where(facts: list[Fact], limit: int = 5) -> list[str]:
    seen: list[str] = []
    for fact in facts:
        if fact.where not in seen:
            seen.append(fact.where)
        if len(seen) >= limit:
            break
    return seen


def found(facts: list[Fact], yes: str, no: str) -> Verdict:
    return Verdict(True, where(facts), yes) if facts else Verdict(False, [], no)


def tools(facts: list[Fact]) -> str:
    """The tools named by facts' `tool` details, for a verdict's sentence."""
    names = sorted({str(f.detail["tool"]) for f in facts if f.detail.get("tool")})
    return f" ({', '.join(names)})" if names else ""


def elsewhere(facts: Facts, kinds: tuple[str, ...], no: str) -> Verdict:
    """A failure that names what was seen outside the project's own code (examples, notebooks)."""
    others = [
        x
        for kind in kinds
        for x in facts.of(kind, Zone.EXAMPLES, Zone.DOCS, Zone.NOTEBOOK, Zone.VENDORED, Zone.TESTS)
    ]
    if not others:
        return Verdict(False, [], no)
    zones = sorted({f.zone.value for f in others})
    return Verdict(
        False,
        where(others),
        f"{no} (seen only in {', '.join(zones)}: {others[0].where}, which does not count)",
    )


def of(f: Facts, *kinds: str) -> list[Fact]:
    """Facts of any of `kinds` in the project's own code."""
    return [x for kind in kinds for x in f.of(kind)]


def predicting_loads(f: Facts) -> list[Fact]:
    """Model loads that predict: not a load to go on training (a warm start: python_resume) nor
    one only measured (metrics, plots, a logged copy: python_evaluated_loads)."""
    return [
        x
        for x in of(f, "model.load")
        if not x.detail.get("resumed") and not x.detail.get("evaluated")
    ]


def module_index(f: Facts) -> dict[str, str]:
    """Dotted module name -> path, for the project's Python files the scan has facts of
    (`src/pkg/registry.py` is both `src.pkg.registry` and `pkg.registry`)."""
    index: dict[str, str] = {}
    for path in {x.path for x in f.facts if x.path.endswith(".py")}:
        dotted = path[:-3].replace("/", ".").removesuffix(".__init__")
        index[dotted] = path
        if dotted.startswith("src."):
            index.setdefault(dotted[4:], path)
    return index


def reachable(f: Facts, start: set[str], depth: int = 4) -> set[str]:
    """The project files `start` imports, directly or through its own modules (AST imports)."""
    index = module_index(f)
    imports: dict[str, list[str]] = {}
    for x in f.of("py.imports"):
        imports.setdefault(x.path, []).extend(x.detail.get("modules") or [])
        imports[x.path].extend(x.detail.get("siblings") or [])
    seen, frontier = set(start), set(start)
    for _ in range(depth):
        frontier = {
            index[m] for path in frontier for m in imports.get(path, []) if m in index
        } - seen
        if not frontier:
            break
        seen |= frontier
    return seen


def notebook_stem(path: str) -> str:
    """A notebook's path without its extension (a bundle or job may name it either way)."""
    return re.sub(r"\.(ipynb|py)$", "", path)

"""Detectors of the practices the maturity questionnaire asks about beyond the pipeline (issue
22): explanations, load tests against latency objectives, release notes, knowledge limits
(out-of-distribution and low-confidence checks), business context (goals and KPIs in the
model card) and feature stores (issue 21). One module per evidence shape; each gives the
tables the parsers consult:

- `IMPORTS` (import prefix -> kind, tool) and `CALLS` (qualified call, exact or dotted suffix
  -> kind, tool), read by `parse_python` beside `detect_python`'s tables;
- `TRIGGER_WORDS`, so a file using only these libraries is parsed;
- optional `function_facts(name, node)` for functions that do the thing by name *and* by
  what they do, `route_facts(route)` for web routes, `file_facts(path, name, zone, read)` for
  files the scan does not otherwise read, `yaml_facts(doc, path, zone)` for YAML documents,
  and `CI_STEP` (a pattern: a CI step running it).

The rules are advice checks in `checks/practices.py`, each in the dimension the questionnaire
puts the practice in; they never hold a level down.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from scaffolder.assess.models import Fact, Zone
from scaffolder.assess.practices import (
    business_context,
    explanations,
    feature_store,
    knowledge_limits,
    load_tests,
    release_notes,
)

MODULES = (
    explanations,
    load_tests,
    release_notes,
    knowledge_limits,
    business_context,
    feature_store,
)

IMPORTS: list[tuple[str, str, str]] = [i for m in MODULES for i in getattr(m, "IMPORTS", [])]
CALLS: list[tuple[str, str, str]] = [c for m in MODULES for c in getattr(m, "CALLS", [])]
TRIGGER_WORDS: list[str] = [w for m in MODULES for w in getattr(m, "TRIGGER_WORDS", [])]


def function_facts(name: str, node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[tuple]:
    """(kind, detail) of a function defined in the project's code."""
    return [
        hit for m in MODULES if hasattr(m, "function_facts") for hit in m.function_facts(name, node)
    ]


def route_facts(route: str) -> list[tuple]:
    """(kind, detail) of a web route (FastAPI, Flask) by its path."""
    return [hit for m in MODULES if hasattr(m, "route_facts") for hit in m.route_facts(route)]


def file_facts(parts: tuple[str, ...], zone: Zone, read: Callable[[], str | None]) -> list[Fact]:
    """Facts of a file by its name (and, where the name says it may matter, its text)."""
    return [
        fact
        for m in MODULES
        if hasattr(m, "file_facts")
        for fact in m.file_facts(parts, zone, read)
    ]


def yaml_facts(doc: Any, path: str, zone: Zone) -> list[Fact]:
    return [f for m in MODULES if hasattr(m, "yaml_facts") for f in m.yaml_facts(doc, path, zone)]


def text_of_card(parts: tuple[str, ...], zone: Zone, text: str) -> list[Fact]:
    """Facts of a model card's text (its sections)."""
    return business_context.card_facts("/".join(parts), zone, text)

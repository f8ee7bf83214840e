"""A metric held to a bar that decides how to train, not whether to promote: `if accuracy <
threshold: fine-tune ... log_model(...) else: log_model(...)` logs or registers the model
either way, so the comparison gates nothing. Its bar (`accuracy_threshold`) is recorded as a
trigger, so the same key in a config file is not read as a quality gate either
(checks/validation.py).

A metric held to a bar whose only consequence is an alert (`if live_accuracy < baseline -
tolerance: alert_manager.handle_alert(...)`, `if val_r2 < min_val_r2: self.add_alert(Alert(...))`)
gates nothing either: nothing is held back, the run goes on; it is monitoring, not promotion."""

from __future__ import annotations

import ast
import re

from scaffolder.assess.python_libraries import last_name

# what a gate lets through or holds back: the model logged, registered, saved, promoted
PERSISTS = re.compile(r"log_model|register|save_model|push|deploy|promot|transition|alias", re.I)
BAR = re.compile(r"threshold|baseline|minimum|^min_|^max_", re.I)


def _call_names(stmts: list[ast.stmt]) -> set[str]:
    names = {
        last_name(call.func)
        for stmt in stmts
        for call in ast.walk(stmt)
        if isinstance(call, ast.Call)
    }
    return names - {""}


def persists_either_way(node: ast.If) -> bool:
    """Both branches of the `if` log, register or promote the model with the same call."""
    if not node.orelse or not isinstance(node.test, ast.Compare):
        return False
    shared = _call_names(node.body) & _call_names(node.orelse)
    return any(PERSISTS.search(name) for name in shared)


ALERTS = re.compile(r"alert|notify|notification", re.I)
EXITS = re.compile(r"^(exit|_exit|abort|fail)$")


def _stops(stmts: list[ast.stmt]) -> bool:
    """The branch stops the run: it raises, returns or exits."""
    if any(isinstance(node, (ast.Raise, ast.Return)) for s in stmts for node in ast.walk(s)):
        return True
    return any(EXITS.match(name) for name in _call_names(stmts))


def alerts_only(node: ast.If) -> bool:
    """The `if` on a metric only raises an alert: its body alerts, stops nothing and persists
    nothing, and there is no other branch that would (an `else` that registers is a gate)."""
    if node.orelse or not isinstance(node.test, ast.Compare):
        return False
    names = _call_names(node.body)
    return (
        any(ALERTS.search(name) for name in names)
        and not any(PERSISTS.search(name) for name in names)
        and not _stops(node.body)
    )


def bar_names(compare: ast.Compare) -> list[str]:
    """The names of the bars the comparison holds a metric to (`self.cfg.accuracy_threshold`:
    `accuracy_threshold`)."""
    names = []
    for side in (compare.left, *compare.comparators):
        name = last_name(side)
        if name and BAR.search(name):
            names.append(name)
    return names

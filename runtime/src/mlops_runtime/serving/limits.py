"""The serving app's knowledge limits (`mlops_runtime.limits`): each served version's checker,
made from its training ranges where the version is loaded (before `/ready` at start-up, beside
the old version during a swap: never on a request's path), and what a response shows of a row's
limits."""

from __future__ import annotations

import logging
import threading
from typing import Any

from ..limits import LimitsChecker, LimitsPolicy, RowLimits, load_ranges
from ..project import Project
from .loader import LoadedModel

log = logging.getLogger(__name__)


class Checkers:
    """One `LimitsChecker` per served version, made by `prefetch` where the version is loaded
    (from `loader`, default the registry); a version without ranges gets the confidence check
    only."""

    def __init__(self, project: Project, policy: LimitsPolicy, loader: Any = None) -> None:
        self.project, self.policy, self.loader = project, policy, loader
        self.checkers: dict[tuple[str, str], LimitsChecker] = {}
        self.fetching: set[tuple[str, str]] = set()
        self.lock = threading.Lock()
        self.confidence_only = LimitsChecker({}, policy)

    def prefetch(self, loaded: LoadedModel) -> None:
        """Fetch the ranges of a version just loaded (once per version)."""
        key = (loaded.name, loaded.version)
        with self.lock:
            if key in self.checkers or key in self.fetching:
                return
            self.fetching.add(key)
        self._fetch(key, loaded)

    def _fetch(self, key: tuple[str, str], loaded: LoadedModel) -> None:
        try:
            ranges = (self.loader(loaded) if self.loader is not None
                      else load_ranges(self.project, loaded.name, loaded.version))  # fmt: skip
        except Exception as exc:  # never stops serving: confidence only
            log.warning("no training ranges for version %s: %s", loaded.version, exc)
            ranges = None
        with self.lock:
            self.checkers[key] = LimitsChecker(ranges or {}, self.policy)
            self.fetching.discard(key)

    def of(self, loaded: LoadedModel) -> LimitsChecker:
        """The checker of the version served (made when it was loaded)."""
        checker = self.checkers.get((loaded.name, loaded.version))
        if checker is None:
            self.prefetch(loaded)
            checker = self.checkers.get((loaded.name, loaded.version), self.confidence_only)
        return checker


def shown(limits: RowLimits, policy: LimitsPolicy) -> dict[str, Any]:
    """The fields of a `Prediction` for a row's limits: none under the policy `return`."""
    if policy.action == "return":
        return {}
    return {"confidence": limits.confidence, "ood_score": limits.ood_score,
            "flags": list(limits.flags)}  # fmt: skip


def refusal(rows: list[RowLimits]) -> list[dict[str, Any]]:
    """Why the policy `refuse` turned a request down: the rows, their flags and the features
    past the range (never the values)."""
    return [
        {"row": i, "flags": list(r.flags), "features": list(r.out_of_range)}
        for i, r in enumerate(rows) if r.flags
    ]  # fmt: skip

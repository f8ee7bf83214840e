"""The serving app's knowledge limits (`mlops_runtime.limits`): each served version's checker,
made once from its training ranges, and what a response shows of a row's limits."""

from __future__ import annotations

from typing import Any

from ..limits import LimitsChecker, LimitsPolicy, RowLimits, load_ranges
from ..project import Project
from .loader import LoadedModel


class Checkers:
    """One `LimitsChecker` per served version (its ranges fetched once)."""

    def __init__(self, project: Project, policy: LimitsPolicy, loader: Any = None) -> None:
        self.project, self.policy, self.loader = project, policy, loader
        self.checkers: dict[tuple[str, str], LimitsChecker] = {}

    def of(self, loaded: LoadedModel) -> LimitsChecker:
        """The checker of the version served (without logged ranges: confidence only)."""
        key = (loaded.name, loaded.version)
        if key not in self.checkers:
            ranges = (
                self.loader(loaded)
                if self.loader is not None
                else load_ranges(self.project, loaded.name, loaded.version)
            )
            self.checkers[key] = LimitsChecker(ranges or {}, self.policy)
        return self.checkers[key]


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

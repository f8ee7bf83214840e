"""`/predict?explain=true`: each row's top feature contributions by baseline substitution
(`mlops_runtime.explain`), with each served version's baseline fetched once."""

from __future__ import annotations

from typing import Any

import pandas as pd
from fastapi.responses import JSONResponse

from ..contract import ColumnSpec
from ..explain import contract_baseline, load_baseline, local_contributions
from ..project import Project
from .loader import LoadedModel
from .schemas import Contribution, ExplainedPrediction, ExplainedResponse


class Explainer:
    """`explain=true`: baseline substitution per row (mlops_runtime.explain), with each
    version's baseline fetched once."""

    def __init__(self, project: Project, features: list[ColumnSpec], loader: Any) -> None:
        self.features, self.loader = features, loader
        self.project = project
        self.baselines: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}

    def baseline(self, loaded: LoadedModel) -> tuple[dict[str, Any], str]:
        """The reference row of the version served and where it came from."""
        key = (loaded.name, loaded.version)
        if key not in self.baselines:
            found = (
                self.loader(loaded)
                if self.loader is not None
                else load_baseline(self.project, loaded.name, loaded.version)
            )
            self.baselines[key] = (
                (found, "training data (median / most frequent)")
                if found
                else (contract_baseline(self.features), "data contract (range midpoints)")
            )
        return self.baselines[key]

    def response(
        self, loaded: LoadedModel, frame: pd.DataFrame, probabilities: list[float],
        labels: list[int], top: int, scorer: Any,
    ) -> JSONResponse:  # fmt: skip
        """The `ExplainedResponse` of rows already scored (`probabilities`, `labels`)."""
        baseline, source = self.baseline(loaded)
        explained = local_contributions(
            lambda variants: scorer(loaded.model, variants)[0], frame, baseline,
            top=min(max(top, 1), len(self.features)),
        )  # fmt: skip
        body = ExplainedResponse(
            model_name=loaded.name,
            model_version=loaded.version,
            model_alias=loaded.alias,
            explanation={"method": "baseline substitution", "baseline": source},
            predictions=[
                ExplainedPrediction(
                    probability=p, label=label,
                    contributions=[Contribution(**vars(c)) for c in row],
                )  # fmt: skip
                for p, label, row in zip(probabilities, labels, explained, strict=True)
            ],
        )
        return JSONResponse(body.model_dump(mode="json"))

"""`/predict?explain=true`: each row's top feature contributions by baseline substitution
(`mlops_runtime.explain`), with each served version's baseline fetched once: contributions to
a binary classifier's probability, or to a regressor's predicted value."""

from __future__ import annotations

import threading
from typing import Any

import pandas as pd
from fastapi.responses import JSONResponse

from ..contract import ColumnSpec
from ..explain import contract_baseline, load_baseline, local_contributions
from ..project import Project
from .loader import LoadedModel
from .schemas import Contribution, ExplainedPrediction, ExplainedResponse


def explains_values(model: Any, labels: list[Any]) -> bool:
    """Whether a model without a class probability is explained by its predicted values: a
    regressor (numeric predictions, and not a classifier: no `classes_`)."""
    if hasattr(model, "classes_") or getattr(model, "_estimator_type", None) == "classifier":
        return False
    return bool(labels) and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in labels
    )


class Explainer:
    """`explain=true`: baseline substitution per row (mlops_runtime.explain), with each
    version's baseline fetched once."""

    def __init__(self, project: Project, features: list[ColumnSpec], loader: Any) -> None:
        self.features, self.loader = features, loader
        self.project = project
        self.baselines: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
        self.lock = threading.Lock()

    def _features(self, loaded: LoadedModel) -> list[ColumnSpec]:
        # a version served by its signature brings its own columns
        return list(loaded.features) if loaded.features else self.features

    def _fetch(self, key: tuple[str, str], loaded: LoadedModel) -> None:
        try:
            found = (self.loader(loaded) if self.loader is not None
                     else load_baseline(self.project, loaded.name, loaded.version))  # fmt: skip
        except Exception:  # the contract stands in
            found = None
        with self.lock:
            self.baselines[key] = (
                (found, "training data (median / most frequent)")
                if found
                else (contract_baseline(self._features(loaded)), "data contract (range midpoints)")
            )

    def baseline(self, loaded: LoadedModel) -> tuple[dict[str, Any], str]:
        """The reference row of the version served and where it came from (fetched by the
        first explain=true request for that version)."""
        key = (loaded.name, loaded.version)
        if key not in self.baselines:
            self._fetch(key, loaded)
        return self.baselines[key]

    def response(
        self, loaded: LoadedModel, frame: pd.DataFrame, probabilities: list[float],
        labels: list[Any], top: int, scorer: Any, answer: Any = ExplainedPrediction,
        values: bool = False,
    ) -> JSONResponse:  # fmt: skip
        """The `ExplainedResponse` of rows already scored (`probabilities`, `labels`), each row
        an `answer` (`ExplainedSignaturePrediction` for a model served by its signature). The
        contributions are to the probability, or with `values` (a regressor, `explains_values`)
        to the predicted value."""
        baseline, source = self.baseline(loaded)
        index = 1 if values else 0  # the scorer's (probabilities, labels)
        explained = local_contributions(
            lambda variants: [float(v) for v in scorer(loaded.model, variants)[index]],
            frame, baseline,
            top=min(max(top, 1), max(len(self._features(loaded)), frame.shape[1])),
        )  # fmt: skip
        body = ExplainedResponse(
            model_name=loaded.name,
            model_version=loaded.version,
            model_alias=loaded.alias,
            explanation={
                "method": "baseline substitution",
                "baseline": source,
                "of": "predicted value" if values else "probability",
            },  # fmt: skip
            predictions=[
                answer(
                    probability=p,
                    label=label,
                    contributions=[Contribution(**vars(c)) for c in row],
                )  # fmt: skip
                for p, label, row in zip(probabilities, labels, explained, strict=True)
            ],
        )
        return JSONResponse(body.model_dump(mode="json"))

"""Serving a model by its MLflow signature: the app for a project without a data contract (one
adopted around a team's package, `<package>/mlops/serving.py`).

The request schema is each served version's signature (the columns and types it was logged
with; `mlflow.models.infer_signature` on the training features): a row with a missing, unknown
or mistyped column is a 422 naming the field and the rule. Everything else is the platform's
app (`serving.app.create_app`): the alias followed without a restart, `/ready`, body limits,
metrics, `explain=true` (each row's top contributions against the training baseline the
evaluate step logged, to a binary classifier's probability or a regressor's predicted value),
the knowledge limits (the training ranges the evaluate step logged; confidence for binary
classifiers) and the limits policy. Extra `serving`.

A project describes where its registry is with three hooks (docs/runtime.md, "Hooks"):
`tracking_uri`, `load_config` (returning a `RegistryConfig`) and `champion_info` (usually
`mlops_runtime.registry.champion_info` bound to the project); the model is loaded by
`load_model_uri` (default here: `load_any_model`, a scikit-learn model as itself, any other
through its python_function wrapper's inner object).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from ..contract import ColumnSpec
from ..project import Project
from .loader import LoadedModel, resolve

log = logging.getLogger(__name__)

# MLflow's column types (mlflow.types.DataType names) as the contract's column types.
_TYPES = {
    "long": "integer", "integer": "integer",
    "double": "number", "float": "number",
    "string": "string", "boolean": "boolean",
}  # fmt: skip


@dataclass(frozen=True)
class RegistryName:
    """The registered model's name (`config.registry.model_name`, as the runtime reads it)."""

    model_name: str


@dataclass(frozen=True)
class Environment:
    """The environment's name and the alias it serves."""

    name: str
    model_alias: str


@dataclass(frozen=True)
class RegistryConfig:
    """What the runtime's registry and serving code read of a project's configuration, for a
    project whose own configuration has another shape (the `load_config` hook returns it)."""

    registry: RegistryName
    environment: Environment

    @classmethod
    def of(cls, model_name: str, model_alias: str, environment: str = "dev") -> RegistryConfig:
        """The configuration of a model `model_name` served as `model_alias` in `environment`."""
        return cls(RegistryName(model_name), Environment(environment, model_alias))


def signature_features(signature: Any) -> tuple[ColumnSpec, ...] | None:
    """The input columns of an MLflow `ModelSignature` as column specs (None: no signature, or
    one without named columns, e.g. a tensor signature). A column of another type (datetime,
    binary) is taken as a string; an optional column may be left out or null."""
    inputs = getattr(signature, "inputs", None)
    if inputs is None or not getattr(inputs, "has_input_names", lambda: False)():
        return None
    specs = []
    for column in inputs.inputs:
        kind = getattr(getattr(column, "type", None), "name", "string")
        specs.append(
            ColumnSpec(
                name=str(column.name),
                type=_TYPES.get(kind, "string"),
                nullable=not getattr(column, "required", True),
            )
        )
    return tuple(specs)


def load_any_model(uri: str) -> Any:
    """The model at a `models:/` URI or a local model folder: a scikit-learn model as itself,
    any other through its python_function wrapper's inner object when it has one (the team's
    own predict)."""
    import mlflow.pyfunc
    import mlflow.sklearn
    from mlflow.models import Model

    if "sklearn" in Model.load(uri).flavors:
        return mlflow.sklearn.load_model(uri)
    wrapped = mlflow.pyfunc.load_model(uri)
    try:
        return getattr(wrapped.unwrap_python_model(), "model", wrapped)
    except Exception:  # not a python_model flavour: the pyfunc itself predicts
        return wrapped


def load_with_signature(project: Project, alias: str | None = None) -> LoadedModel:
    """The version behind `alias` (or `$SERVING_MODEL_VERSION`), downloaded once: the model
    (hook `load_model_uri` on the local copy), its signature's columns as `features` and the
    first row of its input example as `example` (what /openapi.json shows, and what the smoke
    and load tests send)."""
    import mlflow.artifacts
    from mlflow.models import Model

    from ..registry import client

    client(project)  # the tracking URI, also for a pinned version
    name, version, resolved_alias = resolve(project, alias)
    path = mlflow.artifacts.download_artifacts(f"models:/{name}/{version}")
    meta = Model.load(path)
    example = None
    try:
        frame = meta.load_input_example(path)
        if frame is not None and hasattr(frame, "head"):
            example = json.loads(frame.head(1).to_json(orient="records"))[0]
    except Exception:  # an example is a nicety; serving works without one
        log.warning("model %s version %s has no readable input example", name, version)
    model = project.call("load_model_uri", path)
    return LoadedModel(model, name, str(version), resolved_alias,
                       features=signature_features(meta.signature), example=example)  # fmt: skip


def score(model: Any, frame: Any) -> tuple[list[float | None], list[Any]]:
    """`(probabilities, labels)`: the model's `predict`, and for a binary classifier with
    `predict_proba` the probability of its second class (None otherwise)."""
    labels = list(model.predict(frame))
    classes = getattr(model, "classes_", None)
    binary = classes is not None and len(classes) == 2
    if binary and callable(getattr(model, "predict_proba", None)):
        return [float(p) for p in model.predict_proba(frame)[:, 1]], labels
    return [None] * len(labels), labels


def create_app(project: Project, *, alias: str | None = None, **options: Any) -> Any:
    """The serving app of a model served by its signature (`serving.app.create_app` with
    `features=None`, `score` and `load_with_signature`; `options` are that function's)."""
    from .app import create_app as _create_app

    options.setdefault("loader", lambda wanted: load_with_signature(project, wanted))
    options.setdefault("summary", "Predictions from the registry's model, by its signature")
    return _create_app(project, None, options.pop("scorer", score), alias=alias, **options)

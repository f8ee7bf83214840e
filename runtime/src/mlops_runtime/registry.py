"""The MLflow model registry as the platform uses it: which version an alias names, loading a
version, moving an alias.

The tracking store is the project's (`tracking_uri` hook), the model name `registry.model_name`
of its config (`load_config` hook), and an unnamed alias is the environment's `model_alias`
(config/environments.yaml, chosen by MLOPS_ENV). MLflow (extra `governance` or `serving`) is
imported inside the functions, so importing this module is cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .project import Project

CHAMPION = "champion"
CANDIDATE = "candidate"


class ModelNotFoundError(LookupError):
    """No model version carries the alias asked for."""


@dataclass(frozen=True)
class ModelInfo:
    """A registered version: its model name, the alias it was found by, number, run and URI."""

    name: str
    alias: str
    version: str
    run_id: str | None
    uri: str


def client(project: Project):
    """An MlflowClient on the project's tracking store (also the `mlflow` module's default)."""
    import mlflow
    from mlflow.tracking import MlflowClient

    uri = project.call("tracking_uri")
    mlflow.set_tracking_uri(uri)
    return MlflowClient(tracking_uri=uri)


def model_uri(project: Project, alias: str | None = None, config: Any = None) -> str:
    """`models:/<name>@<alias>`; the alias defaults to the environment's `model_alias`."""
    cfg = config or project.call("load_config")
    return f"models:/{cfg.registry.model_name}@{alias or cfg.environment.model_alias}"


def champion_info(project: Project, alias: str | None = None, config: Any = None) -> ModelInfo:
    """The model version behind `alias` (default: the environment's `model_alias`)."""
    from mlflow.exceptions import MlflowException

    cfg = config or project.call("load_config")
    alias = alias or cfg.environment.model_alias
    name = cfg.registry.model_name
    try:
        version = client(project).get_model_version_by_alias(name, alias)
    except MlflowException as exc:
        raise ModelNotFoundError(
            f"no version of model {name!r} has alias {alias!r}; train one first (make train)"
        ) from exc
    return ModelInfo(
        name=name,
        alias=alias,
        version=str(version.version),
        run_id=version.run_id,
        uri=f"models:/{name}/{version.version}",
    )


def load_uri(project: Project, uri: str) -> Any:
    """The fitted scikit-learn model at a `models:/` (or `runs:/`) URI."""
    import mlflow.sklearn

    client(project)
    return mlflow.sklearn.load_model(uri)


def set_alias(project: Project, name: str, alias: str, version: str) -> None:
    """Point `alias` of model `name` at `version` (no policy: level 3 moves aliases through
    governance instead)."""
    client(project).set_registered_model_alias(name, alias, str(version))

"""Loads the model to serve from the MLflow registry, through the project's registry hooks
(`champion_info`, `load_model_uri`)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from ..project import Project

ALIAS_ENV = "SERVING_MODEL_ALIAS"
VERSION_ENV = "SERVING_MODEL_VERSION"


def serving_alias() -> str | None:
    """`$SERVING_MODEL_ALIAS`, else None: the environment's `model_alias` (config/environments.yaml,
    chosen by MLOPS_ENV: `champion` in dev and prod, `candidate` in staging)."""
    return os.environ.get(ALIAS_ENV) or None


@dataclass(frozen=True)
class LoadedModel:
    """A model in memory and the registry version it is."""

    model: Any
    name: str
    version: str
    alias: str | None  # None when a version was pinned
    # The version's input columns from its MLflow signature (`serving.signature`), for an app
    # whose request schema is the signature's; None under a data contract's schema.
    features: tuple[Any, ...] | None = None
    example: dict[str, Any] | None = None  # a row it was logged with (its input example)


def resolve(project: Project, alias: str | None = None) -> tuple[str, str, str | None]:
    """(model name, version, alias) that `load_model` would load now, without loading it."""
    pinned = os.environ.get(VERSION_ENV)
    if pinned:
        return project.call("load_config").registry.model_name, pinned, None
    info = project.call("champion_info", alias)
    return info.name, info.version, info.alias


def load_model(project: Project, alias: str | None = None) -> LoadedModel:
    """The version behind `alias` (None: the environment's alias); raises if there is none.

    `$SERVING_MODEL_VERSION`, when set, pins a version instead: CD pins production to the version
    tested in staging, so every pod, also one the autoscaler starts later, serves that one. An
    alias is resolved once and the version loaded by number, so the version reported is the one
    served even if the alias moves meanwhile.
    """
    name, version, resolved_alias = resolve(project, alias)
    model = project.call("load_model_uri", f"models:/{name}/{version}")
    return LoadedModel(model=model, name=name, version=version, alias=resolved_alias)


def load_alias(project: Project, alias: str) -> LoadedModel:
    """The version behind `alias`, resolved once and loaded by number (never the pinned one:
    the A/B challenger is always its alias's version)."""
    info = project.call("champion_info", alias)
    model = project.call("load_model_uri", info.uri)
    return LoadedModel(model=model, name=info.name, version=info.version, alias=info.alias)

"""Loads the model to serve from the MLflow registry (through the registry module)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from sklearn.pipeline import Pipeline

from ..config import load_config
from ..registry import champion_info, load_uri

ALIAS_ENV = "SERVING_MODEL_ALIAS"
VERSION_ENV = "SERVING_MODEL_VERSION"


def serving_alias() -> str | None:
    """`$SERVING_MODEL_ALIAS`, else None: the environment's `model_alias` (config/environments.yaml,
    chosen by MLOPS_ENV: `champion` in dev and prod, `candidate` in staging)."""
    return os.environ.get(ALIAS_ENV) or None


@dataclass(frozen=True)
class LoadedModel:
    model: Pipeline
    name: str
    version: str
    alias: str | None  # None when a version was pinned


def load_model(alias: str | None = None) -> LoadedModel:
    """The version behind `alias` (None: the environment's alias); raises if there is none.

    `$SERVING_MODEL_VERSION`, when set, pins a version instead: CD pins production to the version
    tested in staging, so every pod, also one the autoscaler starts later, serves that one. An
    alias is resolved once and the version loaded by number, so the version reported is the one
    served even if the alias moves meanwhile.
    """
    pinned = os.environ.get(VERSION_ENV)
    if pinned:
        name = load_config().registry.model_name
        model = load_uri(f"models:/{name}/{pinned}")
        return LoadedModel(model=model, name=name, version=pinned, alias=None)
    info = champion_info(alias)
    return LoadedModel(
        model=load_uri(info.uri), name=info.name, version=info.version, alias=info.alias
    )

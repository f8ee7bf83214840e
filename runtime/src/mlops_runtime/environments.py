"""A project's deployment environments: `config/environments.yaml`, one chosen by `MLOPS_ENV`
(dev when unset). Each names its MLflow tracking URI, the model alias it serves, whether the
pipeline promotes `champion` itself, and `overrides` laid over the pipeline's config there
(`merge`). The convention is the platform's: CD, serving, the registry and the pipeline all read
the same variable and file. Standard library and PyYAML.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ENV_VAR = "MLOPS_ENV"
DEFAULT_ENV = "dev"
ENVIRONMENTS_FILE = Path("config/environments.yaml")


@dataclass(frozen=True)
class EnvironmentConfig:
    """One environment: its name, tracking URI (None: the project's default), served alias and
    whether the pipeline moves `champion` itself."""

    name: str = DEFAULT_ENV
    tracking_uri: str | None = None
    model_alias: str = "champion"
    auto_promote: bool = True


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """`override` laid over `base`, section by section (nested dicts merge, the rest replaces)."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def read_environment(
    root: Path, name: str | None = None
) -> tuple[EnvironmentConfig, dict[str, Any]]:
    """The environment `name` (else `$MLOPS_ENV`, else dev) of `root`'s environments file and
    its config overrides; dev needs no entry. An unknown name or key is a ValueError naming the
    file and the known environments."""
    import yaml

    name = name or os.environ.get(ENV_VAR) or DEFAULT_ENV
    path = root / ENVIRONMENTS_FILE
    environments = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}
    environments = environments or {}
    if name not in environments:
        if name == DEFAULT_ENV:
            return EnvironmentConfig(), {}
        known = ", ".join(sorted(environments)) or "none"
        raise ValueError(f"unknown environment {ENV_VAR}={name!r} in {path} (known: {known})")
    settings = dict(environments[name] or {})
    overrides = settings.pop("overrides", None) or {}
    try:
        return EnvironmentConfig(name=name, **settings), overrides
    except TypeError as exc:
        raise ValueError(f"invalid environment {name!r} in {path}: {exc}") from exc

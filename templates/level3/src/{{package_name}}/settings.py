"""Every endpoint and storage location of the project, from environment variables, in one place:
the platform's `mlops_runtime.settings` (its docstring has the table of variables) for this
project."""

from __future__ import annotations

from mlops_runtime.settings import Settings
from mlops_runtime.settings import load_settings as _load_settings

from .platform import PROJECT


def load_settings() -> Settings:
    """The settings as the environment gives them now (read on every call: cheap, never stale)."""
    return _load_settings(PROJECT)

"""How the runtime reaches a project's own code: one `Project` value per generated project.

The runtime is the platform's code and never imports a team's package by a fixed name. A project
describes itself once (`src/<package>/platform.py` in a generated project)::

    PROJECT = Project(name="churn", package="churn")

and passes that value to the runtime's entry points. Where the runtime needs the team's code (its
config loader, its predict function, its training pipeline), it calls a *hook*: a `module:attr`
reference, relative to the package unless it starts with a package name. Hooks are resolved on
first use, so building a `Project` imports nothing; a project overrides a hook only when its code
lives elsewhere (`Project(..., hooks={"predict": "churn.model_v2:predict"})`).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT_ENV = "MLOPS_PROJECT_ROOT"

# Each hook's contract is in docs/runtime.md ("Hooks"). Defaults are where a generated project
# keeps the code, relative to its package.
DEFAULT_HOOKS: Mapping[str, str] = {
    "tracking_uri": ".tracking:tracking_uri",
    "load_config": ".config:load_config",
    "load_environment": ".config:load_environment",
    "predict": ".predict:predict",
    "run_pipeline": ".pipeline.runner:run_pipeline",
    "generate_data": ".data:generate",
    "target_column": ".data:TARGET",
    "champion_info": ".registry:champion_info",
    "load_model_uri": ".registry:load_uri",
    "log_version_card": ".model_card:log_version_card",
    # the runtime's own record helpers, unless a project lays its own over them
    "lineage_tags": "mlops_runtime.records:lineage_tags",
    "pipeline_origin": "mlops_runtime.records:origin",
}

# Hooks that name a value rather than a function.
VALUE_HOOKS = frozenset({"target_column"})


def project_root() -> Path:
    """The project folder: `$MLOPS_PROJECT_ROOT`, else the current directory."""
    return Path(os.environ.get(ROOT_ENV) or Path.cwd()).resolve()


class ProjectError(Exception):
    """The project's description does not lead to the code the runtime needs."""


@dataclass(frozen=True)
class Project:
    """A generated project as the runtime sees it.

    `name` is the project's name (metric labels, audit entries, alert routing), `package` its
    import name. `hooks` overrides entries of `DEFAULT_HOOKS`.
    """

    name: str
    package: str
    hooks: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.name or not self.package.isidentifier():
            raise ProjectError(
                f"Project(name={self.name!r}, package={self.package!r}): "
                "a name and a package import name are needed"
            )
        unknown = sorted(set(self.hooks) - set(DEFAULT_HOOKS))
        if unknown:
            raise ProjectError(
                f"unknown hook {unknown[0]!r}; the hooks are {', '.join(sorted(DEFAULT_HOOKS))}"
            )

    @property
    def root(self) -> Path:
        """The project folder: `$MLOPS_PROJECT_ROOT`, else the current directory."""
        return project_root()

    def reference(self, hook: str) -> str:
        """The `module:attr` a hook resolves to, with the package filled in."""
        try:
            target = self.hooks.get(hook) or DEFAULT_HOOKS[hook]
        except KeyError:
            raise ProjectError(
                f"unknown hook {hook!r}; the hooks are {', '.join(sorted(DEFAULT_HOOKS))}"
            ) from None
        return f"{self.package}{target}" if target.startswith(".") else target

    def hook(self, hook: str) -> Any:
        """The project's function (or, for `VALUE_HOOKS`, value) behind `hook`, imported on
        first use."""
        reference = self.reference(hook)
        module_name, _, attr = reference.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name and module_name.startswith(error.name):
                raise ProjectError(
                    f"hook {hook!r}: module {module_name} not found; add it or point the hook "
                    f"elsewhere with Project(hooks={{{hook!r}: 'module:function'}})"
                ) from None
            raise
        try:
            return getattr(module, attr)
        except AttributeError:
            raise ProjectError(
                f"hook {hook!r}: {module_name} has no {attr!r}; add it or point the hook "
                f"elsewhere with Project(hooks={{{hook!r}: 'module:function'}})"
            ) from None

    def call(self, hook: str, *args: Any, **kwargs: Any) -> Any:
        """Call the project's function behind `hook`."""
        return self.hook(hook)(*args, **kwargs)

    def path(self, relative: str | os.PathLike[str]) -> Path:
        """`relative` under the project root (an absolute path is kept)."""
        chosen = Path(relative)
        return chosen if chosen.is_absolute() else self.root / chosen

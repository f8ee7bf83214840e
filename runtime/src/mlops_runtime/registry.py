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


def promote(
    project: Project,
    from_alias: str = CANDIDATE,
    to_alias: str = CHAMPION,
    config: Any = None,
    *,
    governed: bool = False,
) -> ModelInfo:
    """Point `to_alias` at the version `from_alias` names (a promotion by hand). `governed`
    (level 3) moves it through the promotion policy and the audit log
    (`governance.aliases.move_alias`, which raises `PolicyViolation`)."""
    source = champion_info(project, from_alias, config)
    if governed:
        from .governance.aliases import move_alias

        move_alias(project, to_alias, source.version, reason=f"promote from {from_alias}",
                   config=config)  # fmt: skip
    else:
        set_alias(project, source.name, to_alias, source.version)
    return ModelInfo(source.name, to_alias, source.version, source.run_id, source.uri)


def main(project: Project, argv: list[str] | None = None, *, governed: bool = False) -> int:
    """`python -m <package>.registry info [--alias A] | promote [--from A] [--to B]`: 0 done,
    1 refused (no version behind the alias, or the policy's reasons)."""
    import argparse
    import sys
    from dataclasses import asdict

    parser = argparse.ArgumentParser(description="Model registry: show or move aliases.")
    commands = parser.add_subparsers(dest="command", required=True)
    info_cmd = commands.add_parser("info", help="show the version behind an alias")
    info_cmd.add_argument("--alias", default=None, help="default: the environment's alias")
    promote_cmd = commands.add_parser("promote", help="move an alias to another's version")
    promote_cmd.add_argument("--from", dest="source", default=CANDIDATE)
    promote_cmd.add_argument("--to", dest="target", default=CHAMPION)
    args = parser.parse_args(argv)
    refusals: tuple[type[Exception], ...] = (ModelNotFoundError,)
    if governed:
        from .governance.aliases import PolicyViolation

        refusals += (PolicyViolation,)  # a refusal lists all its reasons
    try:
        if args.command == "info":
            print(asdict(champion_info(project, args.alias)))
        else:
            moved = promote(project, args.source, args.target, governed=governed)
            print(f"{moved.name}: alias {moved.alias} -> version {moved.version}")
    except refusals as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0

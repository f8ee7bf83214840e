"""Moves a registry alias (default `champion`) to the model version that passed in staging: the
last step of CD, once production serves that version.

Two ways, by the project's level:
- governed (level 3): through `governance.aliases.move_alias`, so the promotion policy decides
  and the audit log records it (a refusal too);
- ungoverned (level 2): the version must be READY and carry the tags `quality_gate` and
  `model_tests` = `passed` the pipeline's register step sets (`allow_failed_gate` overrides).

Either way the version the alias left is kept as `<alias>-previous` (a rollback target), and a
move of `champion` writes release notes first (`mlops_runtime.release_notes`). MLflow
(extra `governance`) is imported inside the functions.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

from ..project import Project

# Tags the pipeline's register step sets on every version: "passed" or "failed".
CHECKS = ("quality_gate", "model_tests")


class PromotionError(Exception):
    """The promotion was refused; the message says why."""


@dataclass(frozen=True)
class Promotion:
    """An alias move CD made: the model, the alias, the version it left (None: first promotion)
    and the version it names now; `changed` is False when it already named that version."""

    model: str
    alias: str
    from_version: str | None
    to_version: str
    changed: bool


def promote(
    project: Project,
    version: str,
    alias: str = "champion",
    *,
    reason: str = "CD promotion",
    governed: bool = False,
    allow_failed_gate: bool = False,
) -> Promotion:
    """Point `alias` at `version`; `PromotionError` says why not. `governed` goes through the
    promotion policy and the audit log (`reason` is recorded there); otherwise the version's
    own gate tags decide, unless `allow_failed_gate`."""
    if governed:
        return _governed(project, str(version), alias, reason)
    return _ungoverned(project, str(version), alias, allow_failed_gate)


def _governed(project: Project, version: str, alias: str, reason: str) -> Promotion:
    from ..governance.aliases import GovernanceError, PolicyViolation, move_alias

    try:
        move = move_alias(project, alias, version, reason=reason, context="promote")
    except (PolicyViolation, GovernanceError) as exc:
        raise PromotionError(str(exc)) from exc
    return Promotion(move.model, alias, move.from_version, move.to_version, move.changed)


def _ungoverned(project: Project, version: str, alias: str, allow_failed_gate: bool) -> Promotion:
    from mlflow.exceptions import MlflowException
    from mlflow.tracking import MlflowClient

    name = project.call("load_config").registry.model_name
    client = MlflowClient(tracking_uri=project.call("tracking_uri"))
    try:
        target = client.get_model_version(name, version)
    except MlflowException as exc:
        raise PromotionError(f"{name} has no version {version}") from exc
    if target.status != "READY":
        raise PromotionError(f"{name} version {version} is {target.status}, not READY")
    failed = [check for check in CHECKS if target.tags.get(check) != "passed"]
    if failed and not allow_failed_gate:
        raise PromotionError(f"{name} version {version} did not pass {' and '.join(failed)}")
    try:
        previous: str | None = str(client.get_model_version_by_alias(name, alias).version)
    except MlflowException:
        previous = None  # first promotion
    if alias == "champion" and previous != version:  # a release: its notes first
        from ..release_notes import write_release_notes

        write_release_notes(project, version, previous, alias=alias, reason="CD promotion",
                            context="promote", client=client)  # fmt: skip
    if previous is not None and previous != version:
        client.set_registered_model_alias(name, f"{alias}-previous", previous)
    client.set_registered_model_alias(name, alias, version)
    client.set_model_version_tag(name, version, f"promoted.{alias}", "true")
    return Promotion(name, alias, previous, version, previous != version)


def main(project: Project, argv: list[str] | None = None, *, governed: bool = False) -> int:
    """`scripts/promote_model.py --version N [--alias champion]`: 0 moved (or already there),
    1 refused with one line on stderr."""
    parser = argparse.ArgumentParser(prog="promote_model.py", description=__doc__.splitlines()[0])
    parser.add_argument("--version", required=True, help="model version to promote")
    parser.add_argument("--alias", default="champion", help="alias to move (default champion)")
    if governed:
        parser.add_argument("--reason", default="CD promotion", help="recorded in the audit log")
    else:
        parser.add_argument(
            "--allow-failed-gate", action="store_true", help="promote even if its checks failed"
        )
    args = parser.parse_args(argv)
    try:
        moved = promote(
            project,
            args.version,
            args.alias,
            reason=getattr(args, "reason", "CD promotion"),
            governed=governed,
            allow_failed_gate=getattr(args, "allow_failed_gate", False),
        )
    except PromotionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{moved.alias}: {moved.from_version or 'none'} -> {moved.to_version}")
    return 0

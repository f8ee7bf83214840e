"""Moving model aliases: the one path, with the policy check before and the audit entry after.

`move_alias` is what the promote script, CD, the training pipeline, the A/B comparison,
`rollback` and the remediation receiver call; nothing else sets `champion` or `challenger`.
Every function takes the project (`mlops_runtime.Project`) first and reaches its code through
hooks: `load_config` (registry name, environment, primary metric), `tracking_uri`,
`log_version_card`, `lineage_tags` and `pipeline_origin`.
"""

from __future__ import annotations

import json
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from ..project import Project
from .audit import AuditLog, actor, now, record
from .policy import MODEL_CARD_ARTIFACT, Policy, VersionFacts, load_policy, violations

SINCE_TAG = "governance.{alias}_since"
ROLLED_BACK_TAG = "governance.rolled_back"
RELEASED_ALIAS = "champion"  # every move of it writes release notes (mlops_runtime.release_notes)


class PolicyViolation(Exception):
    """The policy refused the move; `problems` lists every reason."""

    def __init__(self, model: str, version: str, alias: str, problems: list[str]):
        self.problems = problems
        super().__init__(
            f"{model} version {version} may not become {alias}: " + "; ".join(problems)
        )


class GovernanceError(LookupError):
    """A version or alias asked for does not exist, or there is nothing to roll back to."""


@dataclass(frozen=True)
class Move:
    model: str
    alias: str
    from_version: str | None
    to_version: str
    changed: bool


def _record(project: Project, audit: AuditLog | None, **fields: Any) -> None:
    """One audit entry: the file (signed), its MLflow copy and the anchored head."""
    record(project, audit, **fields)


def _client(project: Project):
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=project.call("tracking_uri"))


def alias_version(client: Any, name: str, alias: str) -> str | None:
    """The version behind `alias`, or None."""
    from mlflow.exceptions import MlflowException

    try:
        return str(client.get_model_version_by_alias(name, alias).version)
    except MlflowException:
        return None


def version_facts(client: Any, name: str, version: str) -> VersionFacts:
    """What the policy needs of one version: status, tags, run metrics, model card."""
    from mlflow.exceptions import MlflowException

    try:
        mv = client.get_model_version(name, str(version))
    except MlflowException as exc:
        raise GovernanceError(f"{name} has no version {version}") from exc
    metrics: dict[str, float] = {}
    has_card = False
    if mv.run_id:
        metrics = dict(client.get_run(mv.run_id).data.metrics)
        has_card = any(a.path == MODEL_CARD_ARTIFACT for a in client.list_artifacts(mv.run_id))
    return VersionFacts(
        version=str(mv.version),
        status=str(mv.status),
        tags=dict(mv.tags),
        metrics=metrics,
        has_model_card=has_card,
    )


def check(
    project: Project,
    version: str,
    alias: str = "champion",
    *,
    context: str = "promote",
    config: Any = None,
    policy: Policy | None = None,
    client: Any = None,
) -> list[str]:
    """The policy's violations for moving `alias` to `version` (empty: allowed)."""
    cfg = config or project.call("load_config")
    client = client or _client(project)
    name = cfg.registry.model_name
    target = version_facts(client, name, version)
    current_version = alias_version(client, name, alias)
    current = version_facts(client, name, current_version) if current_version else None
    return violations(
        policy or load_policy(project),
        target,
        alias,
        environment=cfg.environment.name,
        primary_metric=cfg.quality_gate.primary_metric,
        current=current,
        context=context,
    )


def move_alias(
    project: Project,
    alias: str,
    version: str,
    *,
    reason: str,
    context: str = "promote",
    actor: str | None = None,
    config: Any = None,
    policy: Policy | None = None,
    audit: AuditLog | None = None,
) -> Move:
    """Point `alias` at `version` if the policy allows it; raise PolicyViolation otherwise.

    Refusals are audited too. The version the alias left stays reachable as `<alias>-previous`.
    """
    if audit is None:
        with closing(AuditLog.of(project)) as opened:
            return move_alias(project, alias, version, reason=reason, context=context,
                              actor=actor, config=config, policy=policy, audit=opened)  # fmt: skip
    cfg = config or project.call("load_config")
    client = _client(project)
    name = cfg.registry.model_name
    version = str(version)
    previous = alias_version(client, name, alias)
    problems = check(
        project, version, alias, context=context, config=cfg, policy=policy, client=client
    )
    from ..state import fence_problems

    problems += fence_problems()  # a retrain whose lease lapsed: its late end moves nothing
    fields = {"model": name, "alias": alias, "from": previous, "to": version, "reason": reason,
              "context": context, "environment": cfg.environment.name}  # fmt: skip
    if problems:
        _record(project, audit, action="refused", problems=problems, actor=actor, **fields)
        raise PolicyViolation(name, version, alias, problems)
    if previous == version:
        return Move(name, alias, previous, version, changed=False)
    if alias == RELEASED_ALIAS:  # a release: its notes first, so none ships without them
        from ..release_notes import write_release_notes

        notes = write_release_notes(
            project, version, previous, alias=alias, reason=reason, context=context,
            promoted_by=actor, config=cfg, client=client,
        )  # fmt: skip
        fields["release_notes"] = {"artifact": notes.artifact_uri,
                                   "file": notes.file}  # fmt: skip
    client.set_registered_model_alias(name, alias, version)
    if previous is not None:
        client.set_registered_model_alias(name, f"{alias}-previous", previous)
    stamp = now()
    client.set_model_version_tag(name, version, SINCE_TAG.format(alias=alias), stamp)
    _record(
        project, audit, action="rollback" if context == "rollback" else "move", actor=actor,
        **fields,
    )  # fmt: skip
    return Move(name, alias, previous, version, changed=True)


def approve(project: Project, version: str, by: str, note: str = "", config: Any = None) -> None:
    """Record an approval of `version` by `by` (tag `approval.<by>`), audited."""
    cfg = config or project.call("load_config")
    client = _client(project)
    name = cfg.registry.model_name
    version_facts(client, name, version)  # exists?
    approval = {"by": by, "at": now(), "note": note, "environment": cfg.environment.name,
                "recorded_by": actor()}  # fmt: skip
    client.set_model_version_tag(
        name, str(version), f"approval.{by}", json.dumps(approval, sort_keys=True)
    )
    _record(project, None, action="approve", model=name, alias=None, to=str(version),
            reason=note or "approved", approval=approval)  # fmt: skip


def previous_approved(project: Project, alias: str = "champion", config: Any = None) -> str:
    """The version `alias` pointed at before the current one that was not rolled back."""
    cfg = config or project.call("load_config")
    client = _client(project)
    name = cfg.registry.model_name
    current = alias_version(client, name, alias)
    if current is None:
        raise GovernanceError(f"no version of {name} has alias {alias}; nothing to roll back")
    since = SINCE_TAG.format(alias=alias)
    history = [
        (mv.tags[since], str(mv.version))
        for mv in client.search_model_versions(f"name='{name}'")
        if since in mv.tags and ROLLED_BACK_TAG not in mv.tags and str(mv.version) != current
    ]
    if not history:
        raise GovernanceError(
            f"{name} has no earlier {alias} to roll back to (current version {current})"
        )
    return max(history, key=lambda item: (item[0], int(item[1])))[1]


def rollback(
    project: Project, alias: str = "champion", *, reason: str, actor: str | None = None,
    config: Any = None,
) -> Move:  # fmt: skip
    """Point `alias` back at the previous approved version; mark the current one rolled back."""
    cfg = config or project.call("load_config")
    client = _client(project)
    name = cfg.registry.model_name
    current = alias_version(client, name, alias)
    target = previous_approved(project, alias, cfg)
    move = move_alias(
        project, alias, target, reason=reason, context="rollback", actor=actor, config=cfg
    )
    stamp = now()
    client.set_model_version_tag(name, str(current), ROLLED_BACK_TAG, f"{stamp} {reason}")
    client.delete_registered_model_alias(name, f"{alias}-previous")
    return move


def record_registration(
    project: Project, version: str, model_id: str | None, evaluation: dict[str, Any], cfg: Any,
    promote: bool, declined: str | None = None,
) -> bool:  # fmt: skip
    """The training pipeline's part: tag a new version's lineage, log its model card, move
    `candidate` (and `champion` when `promote`) through the policy. Whether champion moved;
    a refusal is tagged on the version (`policy.<alias>`) and audited, not raised. When the
    pipeline itself declined `champion` (`declined`: why), that is audited as a refusal too,
    with what the policy would have said."""
    from .lineage import version_tags

    client = _client(project)
    name = cfg.registry.model_name
    run_id = client.get_model_version(name, version).run_id
    run = client.get_run(run_id)
    artifacts = {a.path for a in client.list_artifacts(run_id)}
    for key, value in version_tags(project, run, model_id, evaluation, cfg, artifacts).items():
        client.set_model_version_tag(name, version, key, value)
    project.call("log_version_card", version, cfg)
    moved = False
    for alias, wanted in (("candidate", True), ("champion", promote)):
        if not wanted:
            if declined:
                _audit_declined(project, client, cfg, alias, version, declined)
            continue
        try:
            move = move_alias(
                project, alias, version, reason="training pipeline", context="train", config=cfg
            )
        except PolicyViolation as exc:
            client.set_model_version_tag(name, version, f"policy.{alias}", "; ".join(exc.problems))
            continue
        moved = moved or (alias == "champion" and move.changed)
    return moved


def _audit_declined(
    project: Project, client: Any, cfg: Any, alias: str, version: str, why: str
) -> None:
    problems = [why, *check(project, version, alias, context="train", config=cfg, client=client)]
    name = cfg.registry.model_name
    fields = {"model": name, "alias": alias, "from": alias_version(client, name, alias),
              "to": str(version), "reason": "training pipeline", "context": "train",
              "environment": cfg.environment.name}  # fmt: skip
    _record(project, None, action="refused", problems=problems, **fields)


def retire_alias(project: Project, alias: str, *, reason: str, config: Any = None) -> str | None:
    """Remove `alias` (e.g. a rejected challenger), audited; the version it pointed at."""
    cfg = config or project.call("load_config")
    client = _client(project)
    name = cfg.registry.model_name
    version = alias_version(client, name, alias)
    if version is None:
        return None
    client.delete_registered_model_alias(name, alias)
    _record(project, None, action="retire", model=name, alias=alias, to=None, reason=reason,
            **{"from": version})  # fmt: skip
    return version

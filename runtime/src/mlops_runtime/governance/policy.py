"""The promotion policy (a project's config/promotion_policy.yaml) and the one function that
checks it.

`violations()` works on plain values, so it is the same check wherever an alias moves: the
promote script, CD, the training pipeline, rollback and the A/B comparison all reach it through
`aliases.move_alias`. It returns everything that is missing, not just the first problem.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..project import Project

POLICY_ENV = "PROMOTION_POLICY"
DEFAULT_POLICY = Path("config/promotion_policy.yaml")
MODEL_CARD_ARTIFACT = "model_card.md"
APPROVAL_PREFIX = "approval."
# Contexts of a move: a rollback returns to a version that was approved before, so it is not
# compared with the version it replaces (that one is the reason for the rollback).
CONTEXTS = ("promote", "train", "ab", "rollback")


class PolicyError(ValueError):
    """The policy file is missing or malformed."""


@dataclass(frozen=True)
class Policy:
    required_tags: tuple[str, ...] = ()
    required_checks: tuple[str, ...] = ()
    guarded_aliases: tuple[str, ...] = ("champion",)
    metric_floors: dict[str, float] = field(default_factory=dict)
    max_regression: float = 0.0
    refuse_identical: bool = True
    model_card: bool = True
    approvals: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class VersionFacts:
    """What the policy looks at, fetched from the registry (see `aliases.version_facts`)."""

    version: str
    status: str = "READY"
    tags: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    has_model_card: bool = False


def policy_path(project: Project) -> Path:
    """`$PROMOTION_POLICY`, else config/promotion_policy.yaml, under the project root."""
    return project.path(os.environ.get(POLICY_ENV) or DEFAULT_POLICY)


def load_policy(source: Project | str | Path) -> Policy:
    """The policy of a project (`policy_path`) or in the file `source`."""
    path = policy_path(source) if isinstance(source, Project) else Path(source)
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise PolicyError(f"cannot read the promotion policy {path}: {exc.strerror}") from exc
    if not isinstance(raw, dict):
        raise PolicyError(f"{path}: expected a mapping of policy settings")
    known = set(Policy.__dataclass_fields__)
    unknown = set(raw) - known
    if unknown:
        raise PolicyError(f"{path}: unknown policy settings {', '.join(sorted(unknown))}")
    try:
        return Policy(
            required_tags=tuple(str(t) for t in raw.get("required_tags") or ()),
            required_checks=tuple(str(c) for c in raw.get("required_checks") or ()),
            guarded_aliases=tuple(str(a) for a in raw.get("guarded_aliases") or ()),
            metric_floors={str(k): float(v) for k, v in (raw.get("metric_floors") or {}).items()},
            max_regression=float(raw.get("max_regression", 0.0)),
            refuse_identical=bool(raw.get("refuse_identical", True)),
            model_card=bool(raw.get("model_card", True)),
            approvals={str(k): int(v) for k, v in (raw.get("approvals") or {}).items()},
        )
    except (TypeError, ValueError, AttributeError) as exc:
        raise PolicyError(f"{path}: {exc}") from exc


def approvals_of(facts: VersionFacts) -> list[str]:
    """Who approved the version (tags `approval.<who>`)."""
    return sorted(
        k.removeprefix(APPROVAL_PREFIX) for k in facts.tags if k.startswith(APPROVAL_PREFIX)
    )


def violations(
    policy: Policy,
    target: VersionFacts,
    alias: str,
    *,
    environment: str,
    primary_metric: str,
    current: VersionFacts | None = None,
    context: str = "promote",
) -> list[str]:
    """Everything that keeps `target` from alias `alias` (empty: the move is allowed).

    `current` is the version the alias points at now (None if none)."""
    found: list[str] = []
    if target.status != "READY":
        found.append(f"version {target.version} is {target.status}, not READY")
    missing = [t for t in policy.required_tags if not str(target.tags.get(t, "")).strip()]
    if missing:
        found.append(f"lineage tags missing: {', '.join(missing)}")
    for check in policy.required_checks:
        value = target.tags.get(check)
        if value != "passed":
            found.append(f"check {check} is {value or 'not recorded'}, not passed")
    if alias not in policy.guarded_aliases:
        return found
    for metric, floor in policy.metric_floors.items():
        value = target.metrics.get(metric)
        if value is None:
            found.append(f"metric {metric} not recorded (floor {floor:g})")
        elif value < floor:
            found.append(f"metric {metric} {value:.4f} below the floor {floor:g}")
    if policy.model_card and not target.has_model_card:
        found.append(f"no model card ({MODEL_CARD_ARTIFACT}) logged with the version's run")
    needed = policy.approvals.get(environment, 0)
    approved = approvals_of(target)
    if len(approved) < needed:
        found.append(
            f"{len(approved)} of {needed} approval(s) recorded for environment {environment}"
        )
    if current is None or current.version == target.version or context == "rollback":
        return found
    ours, theirs = target.metrics.get(primary_metric), current.metrics.get(primary_metric)
    if ours is not None and theirs is not None and ours < theirs - policy.max_regression:
        found.append(
            f"{primary_metric} {ours:.4f} trails version {current.version}'s {theirs:.4f} "
            f"by more than {policy.max_regression:g}"
        )
    if policy.refuse_identical and _identical(target, current):
        found.append(
            f"identical to version {current.version} (same data digest and training config)"
        )
    return found


def _identical(a: VersionFacts, b: VersionFacts) -> bool:
    keys = ("lineage.data_digest", "lineage.config_digest")
    return all(a.tags.get(k) and a.tags.get(k) == b.tags.get(k) for k in keys)

"""The remediation policy: which action each alert triggers (a project's config/remediation.yaml),
where a retrain request goes, and how often a destructive action may run."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..project import Project

ACTIONS = ("retrain", "rollback", "page", "ignore")
RETRAIN_VIA = ("local", "airflow", "kfp")
KEYS = {"alerts", "default", "dry_run", "key_ttl_hours", "action_lease_minutes", "rate_limits",
        "retrain"}  # fmt: skip


@dataclass(frozen=True)
class RetrainRoute:
    """Where a retrain request goes (`retrain:`): `local` runs the project's `monitoring
    retrain` in a process of its own (a laptop); `airflow` starts a run of the training DAG
    through Airflow's REST API (`AIRFLOW_API_URL`); `kfp` starts a run of the compiled training
    pipeline through the KFP client (`KFP_HOST`). Never in the receiver's own process."""

    via: str = "local"
    airflow_dag: str = ""
    kfp_package: str = ""
    timeout_seconds: float = 6 * 3600.0


@dataclass(frozen=True)
class Policy:
    actions: dict[str, str] = field(default_factory=dict)
    default: str = "page"
    dry_run: bool = False
    key_ttl_hours: float = 168.0
    # How long an action holds its alert's key before a repeat notification may run it again
    # (a receiver that died mid-action leaves a lease that expires).
    action_lease_minutes: float = 120.0
    # Destructive actions: at most this many an hour (rollback by default).
    rate_limits: dict[str, int] = field(default_factory=lambda: {"rollback": 1})
    retrain: RetrainRoute = field(default_factory=RetrainRoute)

    def action_for(self, alertname: str) -> str:
        return self.actions.get(alertname, self.default)


def _retrain(raw: Any, where: Path) -> RetrainRoute:
    if raw is None:
        return RetrainRoute()
    if not isinstance(raw, dict) or set(raw) - set(RetrainRoute.__dataclass_fields__):
        raise ValueError(f"{where}: retrain takes {', '.join(RetrainRoute.__dataclass_fields__)}")
    route = RetrainRoute(
        via=str(raw.get("via", "local")),
        airflow_dag=str(raw.get("airflow_dag") or ""),
        kfp_package=str(raw.get("kfp_package") or ""),
        timeout_seconds=float(raw.get("timeout_seconds", 6 * 3600.0)),
    )
    if route.via not in RETRAIN_VIA:
        raise ValueError(f"{where}: retrain.via {route.via!r}; use one of {', '.join(RETRAIN_VIA)}")
    if route.via == "airflow" and not route.airflow_dag:
        raise ValueError(f"{where}: retrain.via airflow needs retrain.airflow_dag")
    if route.via == "kfp" and not route.kfp_package:
        raise ValueError(f"{where}: retrain.via kfp needs retrain.kfp_package")
    return route


def load_policy(source: Project | str | Path) -> Policy:
    """Read the policy of a project (`$REMEDIATION_POLICY`, else config/remediation.yaml) or the
    file `source`."""
    if isinstance(source, Project):
        from ..settings import load_settings

        resolved = load_settings(source).remediation_policy
    else:
        resolved = Path(source)
    if not resolved.is_file():
        raise FileNotFoundError(
            f"remediation policy not found: {resolved} (set REMEDIATION_POLICY)"
        )
    raw = yaml.safe_load(resolved.read_text(encoding="utf-8")) or {}
    if not isinstance(raw, dict):
        raise ValueError(f"{resolved}: expected a mapping of policy settings")
    unknown = set(raw) - KEYS
    if unknown:
        raise ValueError(f"{resolved}: unknown keys {', '.join(sorted(unknown))}")
    actions = {str(k): str(v) for k, v in (raw.get("alerts") or {}).items()}
    default = str(raw.get("default", "page"))
    bad = {k: v for k, v in {**actions, "(default)": default}.items() if v not in ACTIONS}
    if bad:
        raise ValueError(f"{resolved}: unknown actions {bad}; use one of {', '.join(ACTIONS)}")
    limits = raw.get("rate_limits")
    return Policy(
        actions=actions,
        default=default,
        dry_run=bool(raw.get("dry_run", False)),
        key_ttl_hours=float(raw.get("key_ttl_hours", 168.0)),
        action_lease_minutes=float(raw.get("action_lease_minutes", 120.0)),
        rate_limits={"rollback": 1}
        if limits is None
        else {str(k): int(v) for k, v in limits.items()},  # fmt: skip
        retrain=_retrain(raw.get("retrain"), resolved),
    )

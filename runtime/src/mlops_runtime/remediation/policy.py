"""The remediation policy: which action each alert triggers (a project's config/remediation.yaml)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..project import Project

ACTIONS = ("retrain", "rollback", "page", "ignore")


@dataclass(frozen=True)
class Policy:
    actions: dict[str, str] = field(default_factory=dict)
    default: str = "page"
    dry_run: bool = False
    key_ttl_hours: float = 168.0

    def action_for(self, alertname: str) -> str:
        return self.actions.get(alertname, self.default)


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
    unknown = set(raw) - {"alerts", "default", "dry_run", "key_ttl_hours"}
    if unknown:
        raise ValueError(f"{resolved}: unknown keys {', '.join(sorted(unknown))}")
    actions = {str(k): str(v) for k, v in (raw.get("alerts") or {}).items()}
    default = str(raw.get("default", "page"))
    bad = {k: v for k, v in {**actions, "(default)": default}.items() if v not in ACTIONS}
    if bad:
        raise ValueError(f"{resolved}: unknown actions {bad}; use one of {', '.join(ACTIONS)}")
    return Policy(
        actions=actions,
        default=default,
        dry_run=bool(raw.get("dry_run", False)),
        key_ttl_hours=float(raw.get("key_ttl_hours", 168.0)),
    )

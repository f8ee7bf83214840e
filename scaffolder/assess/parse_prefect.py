"""Prefect deployments declared in `prefect.yaml`: the flows a deployment runs and its schedules.

`deployments: [{name, entrypoint: flows/x.py:flow, schedules: [{cron: "0 3 * * *"}]}]` (or the
older `schedule:` mapping) runs the flow on a schedule once `prefect deploy` has registered it.
"""

from __future__ import annotations

from typing import Any

from scaffolder.assess.models import Fact, Zone
from scaffolder.assess.parse_yaml import YMap

SCHEDULE_KEYS = ("cron", "interval", "rrule")
NAMES = ("prefect.yaml", "prefect.yml")


def _scheduled(deployment: dict) -> bool:
    schedules = deployment.get("schedules")
    entries = schedules if isinstance(schedules, list) else []
    single = deployment.get("schedule")
    if isinstance(single, dict):
        entries = [*entries, single]
    return any(
        isinstance(e, dict)
        and any(e.get(k) for k in SCHEDULE_KEYS)
        and e.get("active") is not False
        for e in entries
    )


def deployment_facts(doc: Any, path: str, zone: Zone) -> list[Fact]:
    if path.rsplit("/", 1)[-1] not in NAMES or not isinstance(doc, YMap):
        return []
    deployments = doc.get("deployments")
    if not isinstance(deployments, list):
        return []
    lines = getattr(deployments, "item_lines", [doc.line_of("deployments")] * len(deployments))
    facts = []
    for deployment, line in zip(deployments, lines, strict=False):
        if isinstance(deployment, dict) and _scheduled(deployment):
            detail = {
                "tool": "Prefect deployment schedule",
                "entrypoint": str(deployment.get("entrypoint") or ""),
            }
            facts.append(
                Fact(kind="pipeline.schedule", path=path, line=line, zone=zone, detail=detail)
            )
    return facts

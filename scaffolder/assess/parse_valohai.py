"""Valohai's `valohai.yaml`: a list of `step` (a command run in a container image on Valohai's
managed compute) and `pipeline` entries (nodes running steps, joined by edges). A pipeline is an
orchestrated pipeline; a step with an image runs in a managed job environment."""

from __future__ import annotations

from typing import Any

from scaffolder.assess.models import Fact, Zone

NAMES = ("valohai.yaml", "valohai.yml")


def valohai_facts(doc: Any, path: str, zone: Zone) -> list[Fact]:
    if not isinstance(doc, list):
        return []
    facts = []
    lines = getattr(doc, "item_lines", [])
    for i, entry in enumerate(doc):
        if not isinstance(entry, dict):
            continue
        line = lines[i] if i < len(lines) else 1
        step, pipeline = entry.get("step"), entry.get("pipeline")
        if isinstance(pipeline, dict) and isinstance(pipeline.get("nodes"), list):
            name = str(pipeline.get("name", ""))
            detail = {"tool": "Valohai", "name": name}
            facts.append(Fact(kind="pipeline.def", path=path, line=line, zone=zone, detail=detail))
        elif isinstance(step, dict) and step.get("image") and step.get("command"):
            detail = {"tool": "Valohai execution"}
            facts.append(
                Fact(kind="runtime.managed", path=path, line=line, zone=zone, detail=detail)
            )
    return facts

"""Mage (mage.ai) projects: each pipeline is a folder `pipelines/<uuid>/` whose `metadata.yaml`
lists its blocks (data loaders, transformers, custom blocks, exporters: the project's Python
files Mage runs in order) and whose `triggers.yaml` holds its schedules. A pipeline of code
blocks is an orchestrated pipeline; an active time trigger with an interval schedules it. The
pipeline's fact names its blocks' Python files (`files`), so a rule can follow what it runs."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from scaffolder.assess.models import Fact, Zone

# the block types that run the project's code (markdown, charts and scratchpads run none)
CODE_BLOCKS = {"data_loader", "transformer", "data_exporter", "custom", "sensor", "dbt"}
# where Mage keeps a block's file by default: `<project>/<folder>/<uuid>.py`
BLOCK_FOLDERS = {
    "data_loader": "data_loaders",
    "transformer": "transformers",
    "data_exporter": "data_exporters",
    "custom": "custom",
    "sensor": "sensors",
}


def _folder(path: str) -> str | None:
    """The pipeline uuid of `.../pipelines/<uuid>/<file>`, or None elsewhere."""
    parts = PurePosixPath(path).parts
    return parts[-2] if len(parts) >= 3 and parts[-3] == "pipelines" else None


def _block_files(blocks: list[dict], path: str) -> list[str]:
    """The Python files of a pipeline's blocks, from the repository root: the block's
    `file_source.path` or Mage's default place, under the project folder holding `pipelines/`."""
    project = PurePosixPath(path).parents[2]
    files = []
    for block in blocks:
        if str(block.get("language") or "python") != "python":
            continue
        config = block.get("configuration")
        source = config.get("file_source") if isinstance(config, dict) else None
        rel = source.get("path") if isinstance(source, dict) else None
        if not isinstance(rel, str) or not rel.endswith(".py"):
            folder = BLOCK_FOLDERS.get(str(block.get("type")))
            if folder is None:
                continue
            rel = f"{folder}/{block['uuid']}.py"
        if project.name and rel.startswith(project.name + "/"):
            rel = rel[len(project.name) + 1 :]  # written from the folder above the project
        files.append(str(project / rel) if str(project) != "." else rel)
    return sorted(set(files))


def mage_facts(doc: Any, path: str, zone: Zone) -> list[Fact]:
    name = PurePosixPath(path).name
    uuid = _folder(path)
    if not isinstance(doc, dict) or uuid is None:
        return []
    if name == "metadata.yaml" and str(doc.get("uuid")) == uuid:
        blocks = doc.get("blocks")
        code = [
            b
            for b in blocks or []
            if isinstance(b, dict) and b.get("uuid") and str(b.get("type")) in CODE_BLOCKS
        ]
        if isinstance(blocks, list) and code:
            detail = {"tool": "Mage", "name": uuid, "blocks": len(code)}
            detail["files"] = _block_files(code, path)
            line = getattr(doc, "line", 1)
            return [Fact(kind="pipeline.def", path=path, line=line, zone=zone, detail=detail)]
    if name == "triggers.yaml" and isinstance(doc.get("triggers"), list):
        facts = []
        lines = getattr(doc["triggers"], "item_lines", [])
        for i, trigger in enumerate(doc["triggers"]):
            if not isinstance(trigger, dict) or trigger.get("pipeline_uuid") != uuid:
                continue
            if trigger.get("schedule_type") != "time" or not trigger.get("schedule_interval"):
                continue
            if str(trigger.get("status", "active")) != "active":
                continue
            line = lines[i] if i < len(lines) else 1
            detail = {"tool": "Mage", "schedule": str(trigger["schedule_interval"])}
            facts.append(
                Fact(kind="pipeline.schedule", path=path, line=line, zone=zone, detail=detail)
            )
        return facts
    return []

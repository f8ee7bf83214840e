"""Level 1 -> 2: validation rules kept in config/pipeline.yaml move into the data contract.

Level 1 validates data with the `validation:` section of `config/pipeline.yaml` (row count,
null fraction, ranges, allowed values). Level 2 builds Great Expectations suites from
`config/data_contract.yaml` instead, and its pipeline config has no `validation:` section.
When the team tuned those rules, the merge leaves their section in place (or in a conflict
they resolve by keeping it); this migration carries the rules into the contract and removes
the section, so the tuned rules are what the checkpoints enforce.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from scaffolder.state import ProjectState
from scaffolder.upgrade.migrations import Migration

PIPELINE = Path("config/pipeline.yaml")
CONTRACT = Path("config/data_contract.yaml")


def _yaml():
    from ruamel.yaml import YAML

    yaml = YAML()  # round-trip: keeps comments and order
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap the team's long lines
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.representer.add_representer(
        type(None), lambda rep, _: rep.represent_scalar("tag:yaml.org,2002:null", "null")
    )
    return yaml


def _load(path: Path) -> Any:
    if not path.is_file():
        return None
    try:
        return _yaml().load(path.read_text(encoding="utf-8"))
    except Exception:  # a file in conflict or hand-broken: leave it to the user
        return None


def paths(state: ProjectState) -> list[str]:
    return [str(PIPELINE), str(CONTRACT)]


def is_applied(tree: Path, state: ProjectState) -> bool:
    pipeline = _load(tree / PIPELINE)
    contract = _load(tree / CONTRACT)
    if not isinstance(pipeline, dict) or not isinstance(contract, dict):
        return True  # nothing we can carry over safely
    return not isinstance(pipeline.get("validation"), dict)


def _columns(contract: dict) -> dict[str, dict]:
    return {
        c["name"]: c for c in contract.get("columns", []) if isinstance(c, dict) and "name" in c
    }


def apply(tree: Path, state: ProjectState) -> None:
    if is_applied(tree, state):
        return
    yaml = _yaml()
    pipeline = _load(tree / PIPELINE)
    contract = _load(tree / CONTRACT)
    rules = pipeline.pop("validation")
    columns = _columns(contract)
    for name, bounds in (rules.get("ranges") or {}).items():
        if name in columns and isinstance(bounds, list) and len(bounds) == 2:
            columns[name]["min"], columns[name]["max"] = bounds[0], bounds[1]
    for name, allowed in (rules.get("allowed_values") or {}).items():
        if name in columns and isinstance(allowed, list):
            columns[name]["allowed_values"] = list(allowed)
    if isinstance(rules.get("min_rows"), int):
        contract.setdefault("row_count", {}).setdefault("training", {})["min"] = rules["min_rows"]
    if float(rules.get("max_null_fraction") or 0) > 0:
        for column in columns.values():
            if column.get("role", "feature") == "feature":
                column["nullable"] = True
    for path, data in ((tree / PIPELINE, pipeline), (tree / CONTRACT, contract)):
        buffer = io.StringIO()
        yaml.dump(data, buffer)
        # The removed section's leading blank line would otherwise linger at the end.
        path.write_text(buffer.getvalue().rstrip("\n") + "\n", encoding="utf-8")


MIGRATION = Migration(
    id="0002-validation-rules-to-contract",
    from_level=1,
    stage="post",
    summary="move the validation rules of config/pipeline.yaml into config/data_contract.yaml",
    paths=paths,
    is_applied=is_applied,
    apply=apply,
)

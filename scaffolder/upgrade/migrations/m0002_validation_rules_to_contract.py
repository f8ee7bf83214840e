"""Level 1 -> 2: validation rules kept in config/pipeline.yaml move into the data contract.

Level 1 validates data with the `validation:` section of `config/pipeline.yaml` (row count,
null fraction, ranges, allowed values). Level 2 builds Great Expectations suites from
`config/data_contract.yaml` instead, and its pipeline config has no `validation:` section.
When the team tuned those rules, the merge leaves their section in place (or in a conflict
they resolve by keeping it); this migration carries the rules into the contract and removes
the section, so the tuned rules are what the checkpoints enforce.
"""

from __future__ import annotations

from pathlib import Path

from scaffolder.state import ProjectState
from scaffolder.upgrade.migrations import Migration, yaml_files

PIPELINE = Path("config/pipeline.yaml")
CONTRACT = Path("config/data_contract.yaml")


def paths(state: ProjectState) -> list[str]:
    return [str(PIPELINE), str(CONTRACT)]


def is_applied(tree: Path, state: ProjectState) -> bool:
    pipeline = yaml_files.load(tree / PIPELINE)
    contract = yaml_files.load(tree / CONTRACT)
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
    pipeline = yaml_files.load(tree / PIPELINE)
    contract = yaml_files.load(tree / CONTRACT)
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
    yaml_files.dump(tree / PIPELINE, pipeline)
    yaml_files.dump(tree / CONTRACT, contract)


MIGRATION = Migration(
    example_only=True,
    id="0002-validation-rules-to-contract",
    from_level=1,
    stage="post",
    summary="move the validation rules of config/pipeline.yaml into config/data_contract.yaml",
    paths=paths,
    is_applied=is_applied,
    apply=apply,
)

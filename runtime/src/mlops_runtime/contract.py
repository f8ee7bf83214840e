"""The data contract (a project's `config/data_contract.yaml`): what training and scoring data
look like.

The contract file is the team's; reading and checking it is the platform's. The Great
Expectations suites are built from it (`mlops_runtime.validation`), serving builds its request
schema from `features()` (`mlops_runtime.serving`), and the model card lists its columns, so one
file states the rules for every consumer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

TYPES = ("integer", "number", "string")
ROLES = ("feature", "target")
TABLES = ("training", "scoring")


@dataclass(frozen=True)
class ColumnSpec:
    """One column: type, optional inclusive bounds or allowed values, null rule, role."""

    name: str
    type: str
    minimum: float | None = None
    maximum: float | None = None
    allowed_values: list[Any] | None = None
    nullable: bool = False
    role: str = "feature"
    description: str = ""


@dataclass(frozen=True)
class RowCount:
    """Inclusive bounds on a table's row count (`maximum` None: unbounded)."""

    minimum: int = 1
    maximum: int | None = None


@dataclass(frozen=True)
class DataContract:
    """The contract: its columns in order, and row-count bounds per table."""

    name: str
    columns: list[ColumnSpec]
    row_count: dict[str, RowCount] = field(default_factory=dict)

    def features(self) -> list[ColumnSpec]:
        """The input columns (what scoring and serving receive), in contract order."""
        return [c for c in self.columns if c.role == "feature"]

    def columns_for(self, table: str) -> list[ColumnSpec]:
        """Columns a `training` table must have (features and target) or a `scoring` one."""
        return self.columns if table == "training" else self.features()


def _column(raw: dict[str, Any]) -> ColumnSpec:
    raw = dict(raw)
    name = raw.pop("name", None)
    if not name:
        raise ValueError("every contract column needs a `name`")
    spec = ColumnSpec(
        name=str(name),
        type=str(raw.pop("type", "")),
        minimum=raw.pop("min", None),
        maximum=raw.pop("max", None),
        allowed_values=raw.pop("allowed_values", None),
        nullable=bool(raw.pop("nullable", False)),
        role=str(raw.pop("role", "feature")),
        description=str(raw.pop("description", "")),
    )
    if raw:
        raise ValueError(f"column {name!r}: unknown keys {sorted(raw)}")
    if spec.type not in TYPES:
        raise ValueError(f"column {name!r}: type must be one of {TYPES}, not {spec.type!r}")
    if spec.role not in ROLES:
        raise ValueError(f"column {name!r}: role must be one of {ROLES}, not {spec.role!r}")
    return spec


def parse_contract(raw: dict[str, Any]) -> DataContract:
    """Check and type a contract read from YAML."""
    columns = [_column(c) for c in raw.get("columns") or []]
    if not columns:
        raise ValueError("the data contract lists no columns")
    row_count = {}
    for table, bounds in (raw.get("row_count") or {}).items():
        if table not in TABLES:
            raise ValueError(f"row_count: unknown table {table!r} (use {', '.join(TABLES)})")
        row_count[table] = RowCount(int(bounds.get("min", 1)), bounds.get("max"))
    return DataContract(name=str(raw.get("name", "data")), columns=columns, row_count=row_count)


def load_contract(path: str | Path) -> DataContract:
    """The contract in the YAML file at `path`; ValueError naming what is wrong with it."""
    resolved = Path(path)
    if not resolved.is_file():
        raise FileNotFoundError(f"data contract not found: {resolved}")
    return parse_contract(yaml.safe_load(resolved.read_text(encoding="utf-8")) or {})

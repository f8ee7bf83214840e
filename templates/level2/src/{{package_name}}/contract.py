"""The data contract, `config/data_contract.yaml` (the config's `data.contract`): what training
and scoring data look like. Edit the YAML; reading and checking it is the platform's
(`mlops_runtime.contract`), and the GX checkpoints, the serving schema and the model card all
follow it."""

from __future__ import annotations

from pathlib import Path

from mlops_runtime.contract import ColumnSpec, DataContract, RowCount, parse_contract
from mlops_runtime.contract import load_contract as _load

from .config import load_config, project_root

__all__ = ["ColumnSpec", "DataContract", "RowCount", "load_contract", "parse_contract"]


def load_contract(path: str | Path | None = None) -> DataContract:
    """The contract at `path`, else the one named by the config's `data.contract`."""
    chosen = Path(path or load_config().data.contract)
    return _load(chosen if chosen.is_absolute() else project_root() / chosen)

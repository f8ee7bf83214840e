"""The data contract: parsed, checked, explained."""

from __future__ import annotations

import pytest
from mlops_runtime.contract import load_contract, parse_contract

CONTRACT = """
name: t
columns:
  - {name: x, type: number, min: 0, max: 10}
  - {name: kind, type: string, allowed_values: [a, b]}
  - {name: y, type: integer, role: target}
row_count:
  training: {min: 10}
  scoring: {min: 1, max: 5}
"""


def test_a_contract_reads_its_columns_and_tables(tmp_path):
    path = tmp_path / "contract.yaml"
    path.write_text(CONTRACT)
    contract = load_contract(path)
    assert [c.name for c in contract.features()] == ["x", "kind"]
    assert [c.name for c in contract.columns_for("training")] == ["x", "kind", "y"]
    assert contract.row_count["scoring"].maximum == 5
    with pytest.raises(FileNotFoundError, match="not found"):
        load_contract(tmp_path / "missing.yaml")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"columns": []}, "no columns"),
        ({"columns": [{"type": "number"}]}, "needs a `name`"),
        ({"columns": [{"name": "x", "type": "decimal"}]}, "type must be one of"),
        ({"columns": [{"name": "x", "type": "number", "unit": "m"}]}, "unknown keys"),
        ({"columns": [{"name": "x", "type": "number", "role": "id"}]}, "role must be one of"),
        ({"columns": [{"name": "x", "type": "number"}], "row_count": {"serving": {}}}, "table"),
    ],
)
def test_broken_contracts_are_explained(raw, message):
    with pytest.raises(ValueError, match=message):
        parse_contract(raw)

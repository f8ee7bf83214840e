"""The Great Expectations checkpoints built from a contract: synced once, failures explained."""

from __future__ import annotations

import pandas as pd
import pytest
from mlops_runtime.contract import parse_contract
from mlops_runtime.validation import (
    CHECKPOINTS,
    DataValidationError,
    expectations_for,
    gx_root,
    main,
    run_checkpoint,
    sync,
    validate_frame,
)

CONTRACT = parse_contract(
    {
        "name": "t",
        "columns": [
            {"name": "x", "type": "number", "min": 0, "max": 10},
            {"name": "n", "type": "integer", "min": 0},
            {"name": "kind", "type": "string", "allowed_values": ["a", "b"]},
            {"name": "y", "type": "integer", "role": "target"},
        ],
        "row_count": {"training": {"min": 5}, "scoring": {"min": 1}},
    }
)


def frame(rows: int = 20) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "x": [float(i % 10) for i in range(rows)],
            "n": list(range(rows)),
            "kind": ["a", "b"] * (rows // 2),
            "y": [0, 1] * (rows // 2),
        }
    )


def test_the_expectations_follow_the_contract():
    training = {
        (e["type"], e["kwargs"].get("column")) for e in expectations_for(CONTRACT, "training")
    }
    scoring = {
        (e["type"], e["kwargs"].get("column")) for e in expectations_for(CONTRACT, "scoring")
    }
    assert ("expect_column_values_to_be_in_set", "kind") in training
    assert ("expect_column_to_exist", "y") in training and (
        "expect_column_to_exist",
        "y",
    ) not in scoring


def test_good_data_passes_and_gx_is_stable(tmp_path):
    assert validate_frame(frame(), CONTRACT, tmp_path, "training", "good").success
    assert validate_frame(frame(2).drop(columns=["y"]), CONTRACT, tmp_path, "scoring").success
    root = tmp_path / "gx"
    for name in CHECKPOINTS.values():
        assert (root / "checkpoints" / f"{name}.json").is_file()
    before = {p: p.read_bytes() for p in root.rglob("*.json") if "uncommitted" not in p.parts}
    sync(CONTRACT, tmp_path)  # an unchanged contract rewrites nothing
    after = {p: p.read_bytes() for p in root.rglob("*.json") if "uncommitted" not in p.parts}
    assert before == after


def test_broken_data_is_reported_expectation_by_expectation(tmp_path):
    bad = frame()
    bad.loc[:2, "x"] = -1.0
    bad.loc[3, "kind"] = "c"
    report = run_checkpoint(bad.drop(columns=["n"]), CONTRACT, tmp_path, "training", "bad.csv")
    assert not report.success
    text = "\n".join(report.failures)
    assert "bad.csv: expect_column_to_exist(n): column 'n' is missing" in text
    assert "expect_column_values_to_be_between(x): 3 of 20 rows" in text
    assert "expect_column_values_to_be_in_set(kind): 1 of 20 rows" in text
    with pytest.raises(DataValidationError, match="row_count"):
        validate_frame(frame(2), CONTRACT, tmp_path, "training", "tiny")


def test_the_command_line(serving_project, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("MLOPS_GX_ROOT", raising=False)
    assert gx_root(serving_project) == tmp_path
    frame().to_csv(tmp_path / "good.csv", index=False)
    assert main(serving_project, CONTRACT, lambda: tmp_path / "good.csv", []) == 0
    bad = frame()
    bad.loc[0, "x"] = 70
    bad.to_csv(tmp_path / "bad.csv", index=False)
    assert (
        main(serving_project, CONTRACT, lambda: tmp_path / "good.csv", [str(tmp_path / "bad.csv")])
        == 1
    )
    assert "expect_column_values_to_be_between(x): 1 of 20 rows" in capsys.readouterr().err

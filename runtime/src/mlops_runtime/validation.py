"""Data validation with Great Expectations, built from a project's data contract.

The GX file context lives in `gx/` in the project (`MLOPS_GX_ROOT` names another folder to hold
it). `sync` (re)writes its suites, validation definitions and checkpoints from the contract, and
only when the contract changed, so `gx/` stays stable under version control; run results go to
`gx/uncommitted/` (git-ignored).

Two checkpoints, one per kind of table:
- `training_data`: every contract column including the target; row-count bounds for training;
- `scoring_data`: the feature columns only; row-count bounds for scoring.

`main(project, argv)` is a project's `python -m <package>.validation [CSV] [--table ...]`: it
validates a CSV and exits 1 with a report of every failed expectation. Great Expectations
(extra `validation`) is imported inside the functions that use it: it takes seconds to import.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .contract import DataContract
from .project import Project

GX_ROOT_ENV = "MLOPS_GX_ROOT"
DATASOURCE = "pandas"
BATCH_DEFINITION = "whole_table"
CHECKPOINTS = {"training": "training_data", "scoring": "scoring_data"}

_INTEGER_TYPES = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]
_INTEGER_TYPES += ["Int8Dtype", "Int16Dtype", "Int32Dtype", "Int64Dtype"]
_TYPE_LISTS = {
    "integer": _INTEGER_TYPES,
    "number": [*_INTEGER_TYPES, "float16", "float32", "float64", "Float32Dtype", "Float64Dtype"],
    # Text columns are handed to GX as `object` (see `_for_gx`), whose values GX checks one by
    # one against Python types.
    "string": ["str"],
}


class DataValidationError(ValueError):
    """The data broke one or more checks; `failures` lists every one of them."""

    def __init__(self, failures: list[str]):
        self.failures = failures
        super().__init__(
            f"data validation failed with {len(failures)} problem(s):\n"
            + "\n".join(f"  - {failure}" for failure in failures)
        )


@dataclass
class ValidationReport:
    """The outcome of one checkpoint run over one table."""

    name: str
    table: str
    success: bool
    rows: int
    evaluated: int
    failures: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "table": self.table,
            "success": self.success,
            "rows": self.rows,
            "expectations_evaluated": self.evaluated,
            "failures": self.failures,
        }


def gx_root(project: Project) -> Path:
    """The folder holding `gx/`: `$MLOPS_GX_ROOT`, else the project root."""
    return Path(os.environ.get(GX_ROOT_ENV) or project.root)


def expectations_for(contract: DataContract, table: str) -> list[dict[str, Any]]:
    """The expectations (GX type and keyword arguments) the contract asks of a table."""
    expected: list[dict[str, Any]] = []
    bounds = contract.row_count.get(table)
    if bounds is not None:
        expected.append(
            {
                "type": "expect_table_row_count_to_be_between",
                "kwargs": {"min_value": bounds.minimum, "max_value": bounds.maximum},
            }
        )
    for column in contract.columns_for(table):
        name = column.name
        expected.append({"type": "expect_column_to_exist", "kwargs": {"column": name}})
        expected.append(
            {
                "type": "expect_column_values_to_be_in_type_list",
                "kwargs": {"column": name, "type_list": _TYPE_LISTS[column.type]},
            }
        )
        if not column.nullable:
            expected.append(
                {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": name}}
            )
        if column.minimum is not None or column.maximum is not None:
            expected.append(
                {
                    "type": "expect_column_values_to_be_between",
                    "kwargs": {
                        "column": name,
                        "min_value": column.minimum,
                        "max_value": column.maximum,
                    },
                }
            )
        if column.allowed_values is not None:
            expected.append(
                {
                    "type": "expect_column_values_to_be_in_set",
                    "kwargs": {"column": name, "value_set": list(column.allowed_values)},
                }
            )
    return expected


def _quiet() -> None:
    """No usage statistics and no progress bars; GX's own logging only for warnings."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    logging.getLogger("great_expectations").setLevel(logging.WARNING)


def get_context(root: str | Path):
    """The GX file context in `root` (created on first use) with progress bars off."""
    _quiet()
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="file", project_root_dir=str(root))
    bars = context.variables.progress_bars  # a dict when read back from great_expectations.yml
    if isinstance(bars, dict):
        bars = ProgressBarsConfig(**bars)
    if bars is None or bars.globally is not False or bars.metric_calculations is not False:
        context.variables.progress_bars = ProgressBarsConfig(
            globally=False, metric_calculations=False
        )
        context.variables.save()
    return context


def _comparable(suite_dict: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (e["type"], json.dumps(e["kwargs"], sort_keys=True, default=str))
        for e in suite_dict["expectations"]
    ]


def _sync_suite(context, name: str, expected: list[dict[str, Any]]):
    import great_expectations as gx
    from great_expectations.exceptions import DataContextError
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    wanted = gx.ExpectationSuite(
        name=name,
        expectations=[
            ExpectationConfiguration(type=e["type"], kwargs=e["kwargs"]).to_domain_obj()
            for e in expected
        ],
    )
    try:
        current = context.suites.get(name)
    except DataContextError:
        return context.suites.add(wanted)
    if _comparable(current.to_json_dict()) == _comparable(wanted.to_json_dict()):
        return current
    context.suites.delete(name)
    return context.suites.add(wanted)


def _batch_definition(context, asset_name: str):
    try:
        source = context.data_sources.get(DATASOURCE)
    except KeyError:
        source = context.data_sources.add_pandas(DATASOURCE)
    try:
        asset = source.get_asset(asset_name)
    except LookupError:
        asset = source.add_dataframe_asset(asset_name)
    try:
        return asset.get_batch_definition(BATCH_DEFINITION)
    except KeyError:
        return asset.add_batch_definition_whole_dataframe(BATCH_DEFINITION)


def sync(contract: DataContract, root: str | Path):
    """Bring `root`/gx/ in line with the contract; return the context and the checkpoints by
    table."""
    import great_expectations as gx
    from great_expectations.exceptions import DataContextError

    context = get_context(root)
    checkpoints = {}
    for table, name in CHECKPOINTS.items():
        suite = _sync_suite(context, name, expectations_for(contract, table))
        batch_definition = _batch_definition(context, name)
        try:
            definition = context.validation_definitions.get(name)
            fresh = definition.suite.to_json_dict() == suite.to_json_dict()
        except DataContextError:
            definition, fresh = None, False
        if not fresh:
            if definition is not None:
                context.validation_definitions.delete(name)
            definition = context.validation_definitions.add(
                gx.ValidationDefinition(name=name, data=batch_definition, suite=suite)
            )
        try:
            checkpoint = context.checkpoints.get(name)
            if checkpoint.validation_definitions[0].id != definition.id:
                raise DataContextError("stale checkpoint")
        except DataContextError:
            with contextlib.suppress(DataContextError):
                context.checkpoints.delete(name)
            checkpoint = context.checkpoints.add(
                gx.Checkpoint(
                    name=name,
                    validation_definitions=[definition],
                    actions=[],
                    result_format="SUMMARY",
                )
            )
        checkpoints[table] = checkpoint
    return context, checkpoints


def _for_gx(df: pd.DataFrame) -> pd.DataFrame:
    """Text columns as `object`: GX 1.x does not recognise pandas' `str` dtype in type checks."""
    text = [c for c in df.columns if isinstance(df[c].dtype, pd.StringDtype)]
    return df.astype({c: object for c in text}) if text else df


def _describe(result: dict[str, Any]) -> str | None:
    """One line for a failed expectation result; None when it passed."""
    if result.get("success"):
        return None
    config = result["expectation_config"]
    kind, kwargs = config["type"], config.get("kwargs", {})
    column = kwargs.get("column")
    details = result.get("result") or {}
    label = f"{kind}({column})" if column else kind
    exception = (result.get("exception_info") or {}).get("exception_message")
    if exception:
        return f"{label}: could not be evaluated: {exception}"
    examples = details.get("partial_unexpected_list") or []
    sample = f", e.g. {examples[:3]}" if examples else ""
    count, total = details.get("unexpected_count"), details.get("element_count")
    share = f"{count} of {total} rows ({details.get('unexpected_percent', 0):.1f}%)"
    if kind == "expect_column_to_exist":
        return f"{label}: column {column!r} is missing"
    if kind == "expect_table_row_count_to_be_between":
        low, high = kwargs.get("min_value"), kwargs.get("max_value")
        return f"{label}: {details.get('observed_value')} rows, expected {low}..{high}"
    if kind == "expect_column_values_to_be_in_type_list":
        wanted = kwargs.get("type_list")
        return f"{label}: type {details.get('observed_value')}, expected one of {wanted}"
    if kind == "expect_column_values_to_not_be_null":
        return f"{label}: {share} are null"
    if kind == "expect_column_values_to_be_between":
        low, high = kwargs.get("min_value"), kwargs.get("max_value")
        return f"{label}: {share} outside [{low}, {high}]{sample}"
    if kind == "expect_column_values_to_be_in_set":
        return f"{label}: {share} not in {kwargs.get('value_set')}{sample}"
    return f"{label}: failed ({json.dumps(details, default=str)[:200]})"


def failures_of(results: list[dict[str, Any]], name: str) -> list[str]:
    """Readable failures; a missing column is reported once, not once per expectation."""
    missing = {
        r["expectation_config"]["kwargs"]["column"]
        for r in results
        if r["expectation_config"]["type"] == "expect_column_to_exist" and not r["success"]
    }
    lines = []
    for result in results:
        config = result["expectation_config"]
        column = config.get("kwargs", {}).get("column")
        if column in missing and config["type"] != "expect_column_to_exist":
            continue
        line = _describe(result)
        if line:
            lines.append(f"{name}: {line}")
    return lines


def run_checkpoint(
    df: pd.DataFrame,
    contract: DataContract,
    root: str | Path,
    table: str = "training",
    name: str = "data",
) -> ValidationReport:
    """Run the table's checkpoint on `df`; the report lists every failed expectation."""
    if table not in CHECKPOINTS:
        raise ValueError(f"unknown table {table!r}; use one of {sorted(CHECKPOINTS)}")
    _, checkpoints = sync(contract, root)
    outcome = checkpoints[table].run(batch_parameters={"dataframe": _for_gx(df)})
    results: list[dict[str, Any]] = []
    for run_result in outcome.run_results.values():
        results.extend(run_result.to_json_dict()["results"])
    return ValidationReport(
        name=name,
        table=table,
        success=bool(outcome.success),
        rows=len(df),
        evaluated=len(results),
        failures=failures_of(results, name),
    )


def validate_frame(
    df: pd.DataFrame,
    contract: DataContract,
    root: str | Path,
    table: str = "training",
    name: str = "data",
) -> ValidationReport:
    """Run the checkpoint; raise DataValidationError listing every failure when it fails."""
    report = run_checkpoint(df, contract, root, table, name)
    if not report.success:
        raise DataValidationError(report.failures or [f"{name}: checkpoint {table} failed"])
    return report


def main(
    project: Project,
    contract: DataContract,
    default_input: Callable[[], Path],
    argv: list[str] | None = None,
) -> int:
    """`python -m <package>.validation [CSV] [--table training|scoring]`: 0 when the CSV keeps the
    contract, 1 with every failure on stderr; `default_input()` gives the CSV when none is named."""
    parser = argparse.ArgumentParser(description="Validate a CSV against the data contract.")
    parser.add_argument("input", nargs="?", help="CSV (default: data source or the sample)")
    parser.add_argument("--table", choices=sorted(CHECKPOINTS), default="training")
    args = parser.parse_args(argv)
    path = Path(args.input) if args.input else default_input()
    report = run_checkpoint(pd.read_csv(path), contract, gx_root(project), args.table, path.name)
    if not report.success:
        print(DataValidationError(report.failures), file=sys.stderr)
        return 1
    print(
        f"{path}: checkpoint {CHECKPOINTS[args.table]} passed "
        f"({report.evaluated} expectations, {report.rows} rows)"
    )
    return 0

"""A data check written by hand: code that raises when the input lacks the columns it needs
(`if "label" not in df.columns: raise ValueError(...)`, or a list of missing columns computed
from `df.columns` and raised on), or asserts it has them (`assert "label" in df.columns`).
Called from the visitor (`parse_python.visit_If`, `python_definitions.visit_Assert`) for the
project's code, never for tests."""

from __future__ import annotations

import ast
import re

from scaffolder.assess.python_metric_bars import bar_name


def _reads_columns(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Attribute) and n.attr == "columns" for n in ast.walk(node))


def _raises(body: list[ast.stmt]) -> bool:
    return any(isinstance(s, ast.Raise) for s in body)


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def raises_on_missing_columns(node: ast.If, function: ast.AST | None) -> bool:
    """An `if` that raises, whose test reads the frame's columns, or names a value the enclosing
    function computed from them (`missing = [c for c in required if c not in df.columns]`)."""
    if not _raises(node.body):
        return False
    if _reads_columns(node.test):
        return True
    if function is None:
        return False
    tested = _names(node.test)
    for item in ast.walk(function):
        if (
            isinstance(item, ast.Assign)
            and _reads_columns(item.value)
            and tested & {t.id for t in item.targets if isinstance(t, ast.Name)}
        ):
            return True
    return False


def asserts_columns(node: ast.Assert) -> bool:
    """`assert TARGET in df.columns` / `assert TARGET not in X.columns`: the run stops when the
    frame lacks a column it needs (or holds one it must not, the target among the features)."""
    test = node.test
    return (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], (ast.In, ast.NotIn))
        and _reads_columns(test.comparators[0])
    )


# what a check reads of a data frame (pandas, polars, Spark): its columns, types, nulls, size
FRAME_READS = {
    "columns",
    "dtypes",
    "dtype",
    "schema",
    "isnull",
    "isna",
    "notnull",
    "notna",
    "null_count",
    "is_null",
    "shape",
    "empty",
    "height",
    "duplicated",
    "nunique",
    "value_counts",
    "isin",
    "between",
    "select_dtypes",
    "describe",
}


def inspects_data(function: ast.AST) -> bool:
    """A `validate_*` function validates data when it reads a frame's columns, types, nulls or
    size; `validate_api_key`, `validate_image_tag` or a check that a file exists validate no
    data."""
    return any(isinstance(n, ast.Attribute) and n.attr in FRAME_READS for n in ast.walk(function))


# what a validator of the model, its settings or a request checks: not the data it is trained on
NOT_DATA = re.compile(
    r"model|metric|config|setting|param|arg|request|payload|token|key|secret|password|email|"
    r"url|path|tag|version|env|credential|auth|prediction|response|image_name",
    re.I,
)
BOUND_NAME = re.compile(r"(^|_)(min|max|lower|upper|low|high|threshold|limit|bounds?)(_|$)", re.I)


def _bound(node: ast.expr) -> bool:
    if isinstance(node, ast.UnaryOp):
        node = node.operand
    if isinstance(node, ast.Constant):
        return isinstance(node.value, int | float) and not isinstance(node.value, bool)
    return bool(BOUND_NAME.search(bar_name(node)))


def holds_records_to_bounds(function: ast.AST, name: str) -> bool:
    """A `validate_*` function over records rather than a frame (rows from SQL, dicts from a
    sensor or a JSON file) that holds their values to bounds: `if null_rate > 0.3: raise`,
    `if val < min_p: errors.append(...)`. Validators of the model, settings or a request
    (`validate_model`, `validate_config`, `validate_request`) check no training data."""
    if NOT_DATA.search(name):
        return False
    for node in ast.walk(function):
        if not isinstance(node, ast.If):
            continue
        for test in ast.walk(node.test):
            if (
                isinstance(test, ast.Compare)
                and len(test.ops) == 1
                and isinstance(test.ops[0], (ast.Lt, ast.Gt, ast.LtE, ast.GtE))
                and (_bound(test.comparators[0]) or _bound(test.left))
            ):
                return True
    return False


# what a file does when it prepares the data a model is trained on: it splits it, or it trains
# and saves the model itself
TRAINING_DATA = ("eval.split", "model.save")


def keep_checks_before_training(facts: list) -> list:
    """A column check counts where the training data is prepared (the file splits the data or
    trains), not in a client that checks an upload before calling an endpoint, nor in a feature
    helper shared with serving."""
    if any(f.kind in TRAINING_DATA for f in facts):
        return facts
    return [
        f
        for f in facts
        if not (f.kind == "data.validation" and f.detail.get("name") == "required columns")
    ]

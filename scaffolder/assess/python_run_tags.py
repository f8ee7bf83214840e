"""Lineage tags a run or a registered version is given by variable, not literally: the tags
are built elsewhere (a dict of the commit and data hashes a project helper returns, a
settings object holding `git_sha` and `job_run_id` from the job's arguments) and handed to
`mlflow.start_run(tags=self.tags)`, `mlflow.set_tags(lineage_tags)` or
`register_model(..., tags=tags)`.

Two facts, joined by checks/tracking.py through the project's imports: `mlflow.tags_given`,
a tagging call whose tags this module cannot read, and `lineage.tag_dict`, a dict literal in
a module using MLflow whose keys name the commit, the CI build, the job or the data version.
A run id alone is no lineage (python_version_lineage)."""

from __future__ import annotations

import ast

from scaffolder.assess.python_libraries import _const_str, _kwarg
from scaffolder.assess.python_version_lineage import VERSION_LINEAGE_KEY

# calls that tag a run or a registered version, and where their tags are
TAGGING_CALLS = {
    "start_run": "tags",
    "set_tags": 0,
    "register_model": "tags",
    "create_model_version": "tags",
}


def _tags_argument(node: ast.Call, last: str) -> ast.AST | None:
    where = TAGGING_CALLS[last]
    if isinstance(where, int):
        return node.args[where] if len(node.args) > where else _kwarg(node, "tags")
    return _kwarg(node, where)


def run_tags(visitor, node: ast.Call, qualified: str, last: str) -> None:
    """`mlflow.tags_given` for a tagging call whose tags are a variable, an attribute or a
    call's result (not a literal, nor a name bound to a dict literal in this module)."""
    if last not in TAGGING_CALLS or visitor.is_test_file or not visitor.uses("mlflow"):
        return
    tags = _tags_argument(node, last)
    if tags is None or isinstance(tags, ast.Dict | ast.Constant):
        return
    if isinstance(tags, ast.Name) and tags.id in visitor.dict_keys:
        return  # read where the dict is built (python_libraries)
    visitor.add("mlflow.tags_given", node, on=last)


def lineage_dict(visitor, node: ast.Dict) -> None:
    """`lineage.tag_dict` for a dict literal naming the commit, build, job or data version
    (`{"git_sha": args.git_sha, "job_run_id": args.job_run_id}`) in a module using MLflow."""
    if visitor.is_test_file or not visitor.uses("mlflow"):
        return
    keys = [_const_str(k) or "" for k in node.keys if k is not None]
    lineage = [k for k in keys if VERSION_LINEAGE_KEY.search(k)]
    if lineage:
        visitor.add("lineage.tag_dict", node, keys=lineage[:5])

"""Lineage a registered model version carries where it is registered: the tags given to the
registration (Azure ML v1 `run.register_model(tags=...)` / `Model.register(tags=...)`, an Azure
ML v2 `Model(tags=...)` entity, MLflow `create_model_version(tags=...)` and
`set_model_version_tag(...)`) that name the CI build, the training or pipeline job, the commit
or the data version, and the training datasets Azure ML v1 records with the version
(`datasets=[("training data", dataset)]`).

A run id alone (`tags={"run_id": run.id}`) is no lineage: the version's own record already
names the run that logged it, and says nothing of the code or data that run used. Metric tags
(`rmse`, `r2`) are no lineage either."""

from __future__ import annotations

import ast
import re

from scaffolder.assess.python_libraries import _const_str, _kwarg

# keys naming where a version came from: the commit, the CI build that trained it (Azure
# DevOps BuildId/BuildUri, a build reference), the training or pipeline job, the data version
VERSION_LINEAGE_KEY = re.compile(
    r"git|commit|(^|_)sha($|_)|build.?(id|uri|url|number|ref)|"
    r"(training|pipeline).?job|data.?(hash|version|digest)|dataset.?(id|version)",
    re.I,
)
AZURE_V2_MODEL = {"azure.ai.ml.entities.Model", "azure.ai.ml.entities._assets.Model"}


def _keys(visitor, value: ast.AST | None) -> list[str]:
    """The string keys of a tags argument: a dict literal (`{**metrics, "buildId": b}` keeps
    "buildId"), or a name bound to one earlier in the module (with keys set on it since)."""
    if isinstance(value, ast.Dict):
        return [_const_str(k) or "" for k in value.keys if k is not None]
    if isinstance(value, ast.Name):
        return list(visitor.dict_keys.get(value.id, []))
    return []


def _registration(visitor, qualified: str, last: str) -> str | None:
    """The tool a call registers a model version with, or None."""
    if last == "register" and qualified.endswith("Model.register") and visitor.uses("azureml"):
        return "Azure ML"
    if last == "register_model" and visitor.uses("azureml") and not qualified.startswith("mlflow"):
        return "Azure ML"
    if qualified in AZURE_V2_MODEL:
        return "Azure ML"
    if last == "create_model_version" and visitor.uses("mlflow"):
        return "MLflow"
    return None


def version_lineage(visitor, node: ast.Call, qualified: str, last: str) -> None:
    """Add a `lineage.version` fact per lineage key a registration records."""
    tool = _registration(visitor, qualified, last)
    keys: list[str] = []
    if tool:
        keys = _keys(visitor, _kwarg(node, "tags"))
        if tool == "Azure ML" and _kwarg(node, "datasets") is not None:
            keys.append("datasets")
    elif last == "set_model_version_tag" and visitor.uses("mlflow"):
        tool = "MLflow"
        key = node.args[2] if len(node.args) > 2 else _kwarg(node, "key")
        keys = [_const_str(key) or ""]
    for key in keys:
        if key == "datasets" or VERSION_LINEAGE_KEY.search(key):
            visitor.add("lineage.version", node, key=key, tool=tool)

"""An Azure ML v2 deployment of a registered model version: `ManagedOnlineDeployment` (or a
Kubernetes or batch deployment) whose `model=` is a registry reference (`"azureml:NAME:3"`,
`f"azureml:{name}:{version}"`, `azureml:NAME@latest`) or the version a `.models.get(name,
label="latest")` call fetched. The endpoint then serves what the registry holds. A deployment
of a local model folder (`Model(path="./model")`) or a job's output path (`azureml://jobs/...`)
resolves nothing of the registry."""

from __future__ import annotations

import ast
import re

from scaffolder.assess.python_libraries import _kwarg

DEPLOYMENTS = {
    "ManagedOnlineDeployment",
    "KubernetesOnlineDeployment",
    "BatchDeployment",
    "ModelBatchDeployment",
}
# `azureml:NAME:VERSION` or `azureml:NAME@label`, not a datastore or job path (`azureml://`)
REGISTERED = re.compile(r"^azureml:(?!//)")
FETCHED = re.compile(r"\.models\.get(\(\))?$")


def _text(value: ast.AST | None) -> str:
    """A string literal, or an f-string's leading literal part."""
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return value.value
    if isinstance(value, ast.JoinedStr) and value.values:
        return _text(value.values[0])
    return ""


def registered_deployment(visitor, node: ast.Call, qualified: str, last: str) -> None:
    """Add a `registry.resolve` fact where an Azure ML deployment is given a registered
    version."""
    if last not in DEPLOYMENTS or not visitor.uses("azure"):
        return
    model = _kwarg(node, "model")
    fetched = isinstance(model, ast.Name) and FETCHED.search(visitor.qualify(model) or "")
    if isinstance(model, ast.Call):
        fetched = FETCHED.search(visitor.qualify(model.func) or "")
    if REGISTERED.search(_text(model)) or fetched:
        visitor.add("registry.resolve", node, tool="Azure ML", call=last)

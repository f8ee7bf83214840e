"""An orchestrator's task that runs a Databricks notebook (`DatabricksSubmitRunOperator(
notebook_task={"notebook_path": "/Users/{{ var.value.user }}/LightGBM-Census-Classifier"})`):
the notebook of that name the repository holds is code a scheduled run executes, not
exploration. The path is the workspace's, so the notebook is known by its name alone."""

from __future__ import annotations

import ast
import posixpath
import re

OPERATORS = re.compile(r"(^|\.)Databricks(SubmitRun|RunNow)Operator$")


def job_notebook(visitor, node: ast.Call, qualified: str, last: str) -> None:
    if not OPERATORS.search(qualified):
        return
    for keyword in node.keywords:
        if keyword.arg != "notebook_task" or not isinstance(keyword.value, ast.Dict):
            continue
        for key, value in zip(keyword.value.keys, keyword.value.values, strict=False):
            if (
                isinstance(key, ast.Constant)
                and key.value == "notebook_path"
                and isinstance(value, ast.Constant)
                and isinstance(value.value, str)
            ):
                name = posixpath.basename(value.value.rstrip("/"))
                if name and "{" not in name:
                    visitor.add("job.workspace_notebook", node, name=name, tool=last)

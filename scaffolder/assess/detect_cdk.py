"""CDK Pipelines (`aws_cdk.pipelines`): a CodePipeline defined in a CDK app is the project's
CI/CD. The pipeline runs on pushes to its source branch (as a CodePipeline in CloudFormation
does), each `add_stage` deploys that stage's stacks, and the shell commands of its
`ShellStep`/`CodeBuildStep`s are CI steps, read as a workflow's `run:` lines are. Called from
the call visitor (`python_calls.py`) for every call of a file."""

from __future__ import annotations

import ast

from scaffolder.assess.parse_ci import classify
from scaffolder.assess.python_libraries import _const_str, _kwarg

TOOL = "CDK Pipelines"
STEPS = ("ShellStep", "CodeBuildStep")


def _in_cdk_pipelines(qualified: str) -> bool:
    return qualified.startswith("aws_cdk.pipelines.")


def cdk_pipeline_facts(visitor, node: ast.Call, qualified: str, last: str) -> None:
    if not _in_cdk_pipelines(qualified):
        return
    if qualified == "aws_cdk.pipelines.CodePipeline":
        name = _const_str(_kwarg(node, "pipeline_name")) or _const_str(_kwarg(node, "id"))
        visitor.add(
            "ci.workflow",
            node,
            provider="cdk-pipelines",
            triggers=["push"],
            permissions=False,
            name=name or TOOL,
        )
    elif qualified == "aws_cdk.pipelines.CodePipeline().add_stage":
        # the stage's stacks (an endpoint, a service, infrastructure) are deployed by the pipeline
        visitor.add("ci.step.deploy", node, tool=TOOL, job=TOOL)
    elif last in STEPS and qualified == f"aws_cdk.pipelines.{last}":
        commands = _kwarg(node, "commands")
        elements = commands.elts if isinstance(commands, (ast.List, ast.Tuple)) else []
        text = "\n".join(_const_str(e) or "" for e in elements)
        step = _const_str(node.args[0]) if node.args else None
        for kind in classify(text):
            visitor.add(f"ci.step.{kind}", node, tool=TOOL, job=step or last)

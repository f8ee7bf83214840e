"""CDK Pipelines (`aws_cdk.pipelines`): a CodePipeline defined in a CDK app is the project's
CI/CD. The pipeline runs on pushes to its source branch (as a CodePipeline in CloudFormation
does), each `add_stage` deploys that stage's stacks, and the shell commands of its
`ShellStep`/`CodeBuildStep`s are CI steps, read as a workflow's `run:` lines are. Called from
the call visitor (`python_calls.py`) for every call of a file."""

from __future__ import annotations

import ast
import re

from scaffolder.assess.models import Fact
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


# a CDK app in TypeScript: the SageMaker constructs imported from `aws-cdk-lib/aws-sagemaker`
_TS_SAGEMAKER_IMPORT = re.compile(
    r"import\s*\{([^}]*)\}\s*from\s*['\"](?:aws-cdk-lib/aws-sagemaker|@aws-cdk/aws-sagemaker)['\"]"
)
_TS_COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)
# a step of the pipeline definition body (`Type: 'Training'`), as SageMaker's JSON spells it
_TS_STEP = re.compile(r"\bType\s*:\s*['\"](Training|RegisterModel|Processing|Condition)['\"]")


def typescript_cdk_facts(text: str, path: str, zone) -> list[Fact]:
    """A SageMaker pipeline defined as a `CfnPipeline` in a TypeScript CDK stack: the pipeline
    (as `aws_cdk.aws_sagemaker.CfnPipeline` in Python), whose executions SageMaker records (the
    tracked runs); its definition's training steps run as managed jobs and a `RegisterModel`
    step saves and registers the model version. Commented-out code counts for nothing."""
    imported = _TS_SAGEMAKER_IMPORT.search(text)
    if not imported or "CfnPipeline" not in imported.group(1):
        return []
    code = _TS_COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    facts: list[Fact] = []
    for match in re.finditer(r"\bnew\s+CfnPipeline\s*\(", code):
        line = code.count("\n", 0, match.start()) + 1
        detail = {"tool": "SageMaker Pipelines", "call": "CfnPipeline"}
        facts.append(Fact(kind="pipeline.def", path=path, line=line, zone=zone, detail=detail))
        facts.append(Fact(kind="track.run", path=path, line=line, zone=zone, detail=detail))
    if not facts:
        return []
    kinds = {
        "Training": ("runtime.managed",),
        "Processing": ("runtime.managed",),
        "RegisterModel": ("registry.model", "model.save"),
    }
    for match in _TS_STEP.finditer(code):
        line = code.count("\n", 0, match.start()) + 1
        for kind in kinds.get(match.group(1), ()):
            detail = {"tool": "SageMaker", "step": match.group(1)}
            facts.append(Fact(kind=kind, path=path, line=line, zone=zone, detail=detail))
    return facts

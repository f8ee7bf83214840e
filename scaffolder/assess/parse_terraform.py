"""Facts from Terraform: resources of the managed ML platforms (SageMaker, Vertex, Azure ML,
Databricks), alarms and schedules, root modules and `.tfvars` per environment."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from scaffolder.assess.models import Fact, Zone
from scaffolder.assess.parse_ci import STEP_KINDS
from scaffolder.assess.parse_ci_builds import built_dockerfiles
from scaffolder.assess.parse_databricks import DATABRICKS_TASKS
from scaffolder.assess.parse_infra import (
    ENV_TOKENS,
    RUN_SETTINGS,
    _fact,
    codepipeline_facts,
    env_of,
)

TF_RESOURCES: dict[str, tuple[str, str]] = {
    "aws_sagemaker_endpoint": ("serving.app", "SageMaker endpoint"),
    "aws_sagemaker_model_package_group": ("registry.model", "SageMaker"),
    "aws_sagemaker_pipeline": ("pipeline.def", "SageMaker Pipelines"),
    "aws_cloudwatch_metric_alarm": ("alert.rule", "CloudWatch"),
    "aws_cloudwatch_event_rule": ("pipeline.schedule", "EventBridge"),
    "aws_sfn_state_machine": ("pipeline.def", "Step Functions"),
    "google_vertex_ai_endpoint": ("serving.app", "Vertex AI endpoint"),
    "google_monitoring_alert_policy": ("alert.rule", "Cloud Monitoring"),
    "google_cloud_scheduler_job": ("pipeline.schedule", "Cloud Scheduler"),
    "azurerm_monitor_metric_alert": ("alert.rule", "Azure Monitor"),
    "azurerm_application_insights": ("serving.monitor", "Application Insights"),
    "azurerm_monitor_diagnostic_setting": ("metrics.export", "Azure Monitor diagnostic settings"),
    "azurerm_machine_learning_workspace": ("runtime.managed", "Azure ML"),
    "databricks_job": ("pipeline.def", "Databricks jobs"),
    "databricks_model_serving": ("serving.app", "Databricks serving"),
}
_TF_RESOURCE = re.compile(r'^\s*resource\s+"([\w-]+)"', re.M)


# an app's setting that sends its telemetry to Application Insights (a web app, a function,
# a container app): without one, the resource only backs an Azure ML workspace's own telemetry
_APP_INSIGHTS_WIRED = re.compile(
    r"APPLICATIONINSIGHTS_CONNECTION_STRING|APPINSIGHTS_INSTRUMENTATIONKEY|"
    r"application_insights_(connection_string|key)\s*=|app_insights_enabled",
    re.I,
)
_WORKSPACE_INSIGHTS = re.compile(r"application_insights_id\s*=|applicationInsights\s*=")
_TF_BLOCK_END = re.compile(r"^\}", re.M)
_TF_LOCAL_EXEC = re.compile(r'^\s*provisioner\s+"local-exec"\s*\{', re.M)


def _tf_block(text: str, start: int) -> str:
    end = _TF_BLOCK_END.search(text, start)
    return text[start : end.end() if end else len(text)]


_TF_TASK = re.compile(r"\b(" + "|".join(DATABRICKS_TASKS) + r")\s*\{")
_TF_CLUSTER = re.compile(
    r"\b(new_cluster|job_cluster)\s*\{|\b(existing_cluster_id|job_cluster_key)\s*="
)
_TF_PARAMETERS = re.compile(
    r"\b(base_parameters|named_parameters)\s*=\s*\{([^}]*)\}|\bparameters\s*=\s*\[([^\]]*)\]"
)
_TF_KEY = re.compile(r"^\s*\"?([A-Za-z_][\w-]*)\"?\s*=", re.M)


def _tf_databricks_job(block: str, path: str, line: int, zone: Zone) -> list[Fact]:
    """A Terraform `databricks_job`: tasks that run notebooks or code on a cluster are a managed
    job environment; `base_parameters` that set more than run settings are the run's parameters
    in config (as in a Jobs API spec)."""
    code = re.sub(r"(?m)^\s*#.*$", "", block)  # commented-out clusters are not clusters
    code = re.sub(r"\$\{[^}]*\}", "", code)  # interpolations hold braces of their own
    facts = []
    if _TF_TASK.search(code) and _TF_CLUSTER.search(code):
        facts.append(_fact("runtime.managed", path, line, zone, tool="Databricks job compute"))
    keys = set()
    for match in _TF_PARAMETERS.finditer(code):
        keys |= set(_TF_KEY.findall(match.group(2) or "")) | (
            {"parameters"} if (match.group(3) or "").strip() else set()
        )
    if keys - RUN_SETTINGS:
        facts.append(_fact("config.file", path, line, zone, thresholds=False, keys=len(keys)))
    # the notebooks and scripts the job runs (paths from the repository's root, as the
    # Databricks MLOps Stacks' `fileexists` postconditions check them)
    for match in _TF_RUNS.finditer(code):
        target = match.group(2)
        if not target.startswith(("/", ".")):
            target = target if target.endswith(".py") else target + ".py"
            facts.append(_fact("job.task", path, line, zone, tool="Databricks job", runs=target))
    return facts


_TF_RUNS = re.compile(r'\b(notebook_path|python_file)\s*=\s*"([\w./-]+)"')


_TF_TASK_BLOCK = re.compile(r"^\s*task\s*\{", re.M)


def _tf_tasks(block: str) -> int:
    """The tasks of a `databricks_job` (`task { ... }` blocks; a `dynamic "task"` may be many)."""
    code = re.sub(r"(?m)^\s*#.*$", "", block)
    if re.search(r'dynamic\s+"task"', code):
        return 2
    return len(_TF_TASK_BLOCK.findall(code)) or (1 if _TF_TASK.search(code) else 0)


_TF_ACTION_CATEGORY = re.compile(r"\bcategory\s*=\s*\"(\w+)\"")
_TF_NAME = re.compile(r"^\s*name\s*=\s*\"([^\"]+)\"", re.M)


def _tf_codepipeline(block: str, path: str, line: int, zone: Zone) -> list[Fact]:
    """A CodePipeline declared in Terraform, read as the same pipeline declared in
    CloudFormation (parse_infra): a CI workflow whose `Deploy` actions (a CloudFormation stack,
    ECS, CodeDeploy) deploy and whose `Approval` actions gate them."""
    categories = set(_TF_ACTION_CATEGORY.findall(block))
    name = _TF_NAME.search(block)
    return codepipeline_facts(
        path,
        line,
        zone,
        name.group(1) if name else "",
        "Approval" in categories,
        "Deploy" in categories,
    )


def terraform_facts(text: str, path: str, zone: Zone) -> list[Fact]:
    facts = []
    wired = bool(_APP_INSIGHTS_WIRED.search(text))  # an app's telemetry sent to App Insights
    workspace_only = bool(_WORKSPACE_INSIGHTS.search(text)) and not wired
    for match in _TF_RESOURCE.finditer(text):
        hit = TF_RESOURCES.get(match.group(1))
        line = text.count("\n", 0, match.start()) + 1
        if match.group(1) == "azurerm_application_insights" and workspace_only:
            # the Application Insights every Azure ML workspace requires, wired to nothing that
            # serves: the workspace's telemetry, not the serving side monitored
            continue
        if match.group(1) == "databricks_job" and _tf_tasks(_tf_block(text, match.start())) < 2:
            # a job of one task runs one notebook or script on a cluster (a managed job,
            # below): nothing is orchestrated, as a single-container Argo workflow is no pipeline
            hit = None
        if match.group(1) == "azurerm_application_insights":
            facts.append(_fact(hit[0], path, line, zone, tool=hit[1], wired=wired))
        elif hit:
            facts.append(_fact(hit[0], path, line, zone, tool=hit[1]))
        if match.group(1) == "aws_cloudwatch_metric_alarm":
            block = _tf_block(text, match.start())
            if ("AWS/SageMaker" in block and "EndpointName" in block) or "AWS/ApiGateway" in block:
                # an alarm on a SageMaker endpoint's invocation errors or latency, or on the
                # requests of the API Gateway in front of the service, watches the serving side
                facts.append(_fact("serving.monitor", path, line, zone, tool="CloudWatch"))
        if match.group(1) == "databricks_job":
            facts.extend(_tf_databricks_job(_tf_block(text, match.start()), path, line, zone))
        if match.group(1) == "aws_codepipeline":
            facts.extend(_tf_codepipeline(_tf_block(text, match.start()), path, line, zone))
        if match.group(1) == "aws_sagemaker_pipeline":
            # as for a pipeline defined with the SDK: SageMaker keeps every execution with its
            # parameters, steps and metrics (the tracked runs)
            facts.append(_fact("track.run", path, line, zone, tool="SageMaker Pipelines"))
    for match in _TF_LOCAL_EXEC.finditer(text):
        # a provisioner that builds and pushes the image (`docker build` / `docker push` in a
        # local-exec): `terraform apply` builds it, so CD applying the configuration does
        block = _tf_block(text, match.start())
        if STEP_KINDS["build_image"].search(block):
            line = text.count("\n", 0, match.start()) + 1
            fact = _fact("iac.build_image", path, line, zone, tool="Terraform local-exec")
            # the command runs where `terraform apply` runs: this module's folder or one above
            # it (scan_image_builds keeps the one whose Dockerfiles the repository holds)
            folders = [str(p) for p in PurePosixPath(path).parents][:6]
            fact.detail["dockerfiles_from"] = [
                built_dockerfiles(block, cwd="" if f == "." else f) for f in folders
            ]
            facts.append(fact)
    if wired:
        # an app's telemetry sent to Application Insights, whichever module declares it
        facts.append(_fact("appinsights.wired", path, 1, zone))
    # a root module per environment (`terraform/envs/dev/main.tf`, `environments/prod/`): the
    # environment's infrastructure and variables as config
    env = next((p.lower() for p in PurePosixPath(path).parts[:-1] if p.lower() in ENV_TOKENS), None)
    if env and re.search(r"^\s*(module|resource|provider)\s+\"", text, re.M):
        facts.append(_fact("config.environment", path, 1, zone, env=env, via="Terraform"))
    return facts


# a variable that sets how the model is trained, evaluated or run: a pipeline's parameter map, a
# hyperparameter, a quality threshold. Region, project, CIDRs, buckets, instance types and
# credentials configure infrastructure and set no parameter of the run.
_TFVARS_ASSIGNMENT = re.compile(r"^\s*([A-Za-z_][\w-]*)\s*=", re.M)
_RUN_PARAMETER = re.compile(
    r"(^|_)(params?|parameters|hyperparameters?|threshold|epochs?|learning_rate|batch_size|"
    r"n_estimators|max_depth)($|_)",
    re.I,
)


def tfvars_facts(text: str, path: str, zone: Zone) -> list[Fact]:
    """A `.tfvars` file: its environment (by name or folder), and a parameter file only when a
    variable sets one of the run's parameters (`pipeline_parameters = {...}`,
    `quality_threshold_accuracy = 0.78`)."""
    keys = _TFVARS_ASSIGNMENT.findall(text)
    facts: list[Fact] = []
    if any(_RUN_PARAMETER.search(key) for key in keys):
        facts.append(_fact("config.file", path, 1, zone, thresholds=False, keys=len(keys)))
    env = env_of(path) or next(
        (p.lower() for p in PurePosixPath(path).parts[:-1] if p.lower() in ENV_TOKENS), None
    )
    if env:
        facts.append(_fact("config.environment", path, 1, zone, env=env))
    return facts


def workspace_insights(facts: list[Fact]) -> None:
    """After the walk: Application Insights declared in a Terraform module of its own, in a
    project whose Azure ML workspace is declared in Terraform (it requires one) and where no
    Terraform file sends an app's telemetry there, backs the workspace's own telemetry: not the
    serving side monitored (the one-file case is read in `terraform_facts`)."""
    if any(f.kind == "appinsights.wired" for f in facts):
        return
    workspace = any(
        f.kind == "runtime.managed"
        and f.path.endswith(".tf")
        and f.detail.get("tool") == "Azure ML"
        for f in facts
    )
    if workspace:
        facts[:] = [
            f
            for f in facts
            if not (
                f.kind == "serving.monitor"
                and f.path.endswith(".tf")
                and f.detail.get("wired") is False
            )
        ]

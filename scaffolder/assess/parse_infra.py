"""Facts from deployment and platform files beyond Kubernetes: docker-compose services,
CloudFormation/SAM templates, Azure ML / Anyscale job specs, conda
environment files, DVC model artifacts, Prometheus scrape configs (JSON parameter files and
templated YAML per environment: parse_json_config).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

from scaffolder.assess.detect_azureml import azureml_facts
from scaffolder.assess.models import Fact, Zone
from scaffolder.assess.parse_databricks import (
    _bundle_resources,
    _dbx_workflows,
    bundle_without_settings,
)
from scaffolder.assess.parse_yaml import YMap
from scaffolder.assess.platform_services import compose_detail

ENV_TOKENS = {
    "dev",
    "development",
    "local",
    "staging",
    "stage",
    "prod",
    "production",
    "preprod",
    "uat",
    "acc",
    "acceptance",
    "prd",
}
# environment names of manifests and config sections (folders, overlays, top-level keys)
ENV_NAMES = {
    "dev",
    "development",
    "staging",
    "stage",
    "prod",
    "production",
    "preprod",
    "qa",
    "test",
    "uat",
    # DTAP names: development, test, acceptance, production
    "acc",
    "acceptance",
    "prd",
}
SERVE_COMMAND = re.compile(
    r"mlflow\s+models\s+serve|uvicorn|gunicorn|bentoml\s+serve|tritonserver|torchserve|"
    r"serve\s+run|streamlit|flask\s+run",
    re.I,
)
MODEL_SERVER_IMAGE = re.compile(r"tensorflow/serving|tritonserver|pytorch/torchserve", re.I)
CFN_RESOURCES: dict[str, list[tuple[str, str]]] = {
    "AWS::SageMaker::Endpoint": [("serving.app", "SageMaker endpoint")],
    "AWS::SageMaker::Pipeline": [("pipeline.def", "SageMaker Pipelines")],
    "AWS::SageMaker::ModelPackageGroup": [("registry.model", "SageMaker")],
    "AWS::SageMaker::MonitoringSchedule": [
        ("serving.monitor", "SageMaker Model Monitor"),
        ("drift.monitor", "SageMaker Model Monitor"),
    ],
    "AWS::CloudWatch::Alarm": [("alert.rule", "CloudWatch")],
    "AWS::StepFunctions::StateMachine": [("pipeline.def", "Step Functions")],
    "AWS::Lambda::Function": [("runtime.managed", "Lambda")],
    "AWS::Serverless::Function": [("runtime.managed", "Lambda")],
    "AWS::CodeBuild::Project": [("runtime.managed", "CodeBuild")],
    "Microsoft.Insights/metricAlerts": [("alert.rule", "Azure Monitor")],
    "Microsoft.Insights/components": [("serving.monitor", "Application Insights")],
}


def _fact(kind: str, path: str, line: int, zone: Zone, **detail) -> Fact:
    return Fact(kind=kind, path=path, line=line, zone=zone, detail=detail)


def env_of(path: str) -> str | None:
    """The environment a file is for, from a name token (`staging-config.json`, `prod.tfvars`)."""
    stem = PurePosixPath(path).name.lower()
    for token in re.split(r"[-_.]", stem):
        if token in ENV_TOKENS:
            return token
    return None


def _provisioned(service: dict) -> bool:
    """A Grafana service given something to show: the repository's files mounted into it
    (`./grafana/provisioning:/etc/grafana/provisioning`) or provisioning set in its environment;
    with only a named data volume it starts empty and watches nothing the repository defines."""
    mounts = [
        str(v.get("source", "")) if isinstance(v, dict) else str(v)
        for v in service.get("volumes") or []
    ]
    env = str(service.get("environment", "")).upper()
    return any(m.startswith((".", "/", "~", "$")) for m in mounts) or "GF_PATHS_PROVISIONING" in env


def yaml_facts(doc: Any, path: str, zone: Zone) -> list[Fact]:
    """Platform facts of one YAML document that the manifest parser does not know."""
    if not isinstance(doc, YMap):
        return []
    facts: list[Fact] = []
    name = PurePosixPath(path).name.lower()
    services = doc.get("services")
    if name.startswith(("docker-compose", "compose")) and isinstance(services, YMap):
        for service, body in services.items():
            if not isinstance(body, dict):
                continue
            line = services.line_of(service)
            if "image" in body or "build" in body:  # a platform service? the Dockerfile built
                detail = {"tool": "docker-compose", **compose_detail(body, path)}
                facts.append(_fact("compose.service", path, line, zone, **detail))
            command = " ".join(str(body.get(k) or "") for k in ("command", "entrypoint"))
            image = str(body.get("image", ""))
            # a model server's image serves the models mounted into it, with no command of ours
            if SERVE_COMMAND.search(command) or MODEL_SERVER_IMAGE.search(image):
                facts.append(_fact("serving.app", path, line, zone, tool=f"compose {service}"))
            if "monitoring_config_file" in command:  # TF Serving exports Prometheus metrics
                facts.append(_fact("serving.monitor", path, line, zone, tool="TF Serving"))
            if "prometheus" in image:
                facts.append(_fact("metrics.scrape", path, line, zone, tool="Prometheus"))
            elif "grafana" in image and _provisioned(body):
                facts.append(_fact("metrics.scrape", path, line, zone, tool="Grafana"))
        env = env_of(path)
        if env:  # docker-compose.prod.yml: the services as run in one environment
            facts.append(_fact("config.environment", path, doc.line, zone, env=env, via="compose"))
        return facts
    resources = doc.get("Resources")
    if isinstance(resources, YMap):
        facts.extend(_cfn(resources, path, zone))
    if isinstance(doc.get("scrape_configs"), list):
        facts.append(
            _fact("metrics.scrape", path, doc.line_of("scrape_configs"), zone, tool="Prometheus")
        )
    if "appInsightsEnabled" in doc and str(doc.get("appInsightsEnabled")).lower() == "true":
        facts.append(
            _fact(
                "serving.monitor",
                path,
                doc.line_of("appInsightsEnabled"),
                zone,
                tool="Application Insights",
            )
        )
    facts.extend(azureml_facts(doc, path, zone))
    schema = str(doc.get("$schema", ""))
    if "azureml" in schema:
        kind = str(doc.get("type", "")).lower()
        if kind == "pipeline" or "pipelineJob" in schema:
            facts.append(_fact("pipeline.def", path, doc.line, zone, tool="Azure ML pipelines"))
            env = env_of(path)
            if env:
                # a pipeline job per environment (`dev-e2e-pipeline.yaml`, `prod-deploy-
                # pipeline.yaml`): each environment's compute, data and inputs as config
                facts.append(
                    _fact("config.environment", path, doc.line, zone, env=env, via="Azure ML")
                )
        elif "Deployment" in schema or "endpoint" in schema.lower():
            facts.append(_fact("serving.app", path, doc.line, zone, tool="Azure ML endpoint"))
            model = doc.get("model")
            if isinstance(model, str) and model.startswith("azureml:"):
                # a registered model (azureml:NAME@latest, azureml:NAME:3, azureml://registries/
                # .../models/NAME): what the endpoint serves is resolved from the registry
                facts.append(
                    _fact("registry.resolve", path, doc.line_of("model"), zone, tool="Azure ML")
                )
        else:
            facts.append(_fact("runtime.managed", path, doc.line, zone, tool="Azure ML"))
        jobs = doc.get("jobs") if isinstance(doc.get("jobs"), dict) else {}
        inputs = [doc.get("inputs")] + [
            j.get("inputs") for j in jobs.values() if isinstance(j, dict)
        ]
        if any(_azureml_run_parameters(i) for i in inputs):
            # a job or component that gives its run's parameters values (`learning_rate: 0.1`,
            # `test_size: {type: number, default: 0.2}`), or a pipeline job whose steps are
            # given them: the parameters live in config
            facts.append(
                _fact("config.file", path, doc.line_of("inputs"), zone, thresholds=False, keys=0)
            )
    if "entrypoint" in doc and ("compute_config" in doc or "cluster_env" in doc):
        facts.append(_fact("pipeline.def", path, doc.line, zone, tool="Anyscale/Ray job"))
        facts.append(_fact("runtime.managed", path, doc.line, zone, tool="Anyscale"))
    if "ray_serve_config" in doc or ("applications" in doc and "import_path" in str(doc)):
        facts.append(_fact("serving.app", path, doc.line, zone, tool="Ray Serve"))
    if "base_image" in doc and ("post_build_cmds" in doc or "python" in doc):
        facts.append(_fact("runtime.managed", path, doc.line, zone, tool="Anyscale"))
    bundle = doc.get("bundle")
    if isinstance(bundle, dict) and isinstance(doc.get("targets"), YMap):
        facts.append(_fact("pipeline.def", path, doc.line, zone, tool="Databricks bundle"))
    if (
        isinstance(bundle, dict)
        or name in ("databricks.yml", "databricks.yaml")
        or ("resources" in PurePosixPath(path).parts[:-1])
    ):
        facts.extend(_bundle_resources(doc, path, zone))
    facts.extend(_dbx_workflows(doc, path, zone))
    for key in ("targets", "outputs"):
        envs = doc.get(key)
        if isinstance(envs, YMap):
            found = [k for k in envs if str(k).lower() in ENV_TOKENS]
            if len(found) >= 2:
                facts.extend(
                    _fact("config.environment", path, envs.line_of(k), zone, env=str(k).lower())
                    for k in found
                )
        for value in doc.values():  # dbt profiles: <profile>: {target:, outputs: {...}}
            inner = value.get(key) if isinstance(value, YMap) else None
            if isinstance(inner, YMap):
                found = [k for k in inner if str(k).lower() in ENV_TOKENS]
                if len(found) >= 2:
                    facts.extend(
                        _fact(
                            "config.environment", path, inner.line_of(k), zone, env=str(k).lower()
                        )
                        for k in found
                    )
    if (name.startswith("catalog") or "catalog" in PurePosixPath(path).parts[:-1]) and (
        PurePosixPath(path).suffix in (".yml", ".yaml")
    ):
        for entry, body in doc.items():  # a Kedro catalog: the model datasets are saved models
            if not isinstance(body, dict):
                continue
            kind = str(body.get("type", ""))
            target = str(body.get("filepath", body.get("path", "")))
            if "model" in str(entry).lower() or "Model" in kind or KEDRO_MODEL_PATH.search(target):
                facts.append(
                    _fact(
                        "model.save",
                        path,
                        doc.line_of(entry),
                        zone,
                        via=f"catalog {kind}",
                        dataset=str(entry),
                    )
                )
    if any(x.kind == "config.environment" for x in facts) and not bundle_without_settings(doc):
        facts.append(_fact("config.file", path, doc.line, zone, thresholds=False, keys=0))
    deps = doc.get("dependencies")
    if isinstance(deps, list) and ("channels" in doc or "name" in doc) and deps:
        facts.append(
            _fact("deps.declared", path, doc.line_of("dependencies"), zone, count=len(deps))
        )
    return facts


KEDRO_MODEL_PATH = re.compile(r"(^|/)(\d\d_)?models?/|\.(pkl|pickle|joblib|h5|keras|pt|onnx)$")


def _azureml_run_parameters(inputs: Any) -> bool:
    """Azure ML `inputs:` that set a parameter's value: a scalar in a job, or a `default`
    (or `value`) of a number/integer/string/boolean input in a component. Data inputs
    (`type: uri_folder`, `path: azureml:...`) are data, not parameters."""
    if not isinstance(inputs, dict):
        return False
    for name, body in inputs.items():
        if str(name).lower() in RUN_SETTINGS:
            continue  # the model's or experiment's name names the run, it sets no parameter
        if isinstance(body, (int, float, bool)) or (
            isinstance(body, str) and not body.startswith(("azureml:", "${{"))
        ):
            return True
        if (
            isinstance(body, dict)
            and str(body.get("type", "")).lower() in PARAMETER_TYPES
            and (body.get("default") is not None or body.get("value") is not None)
        ):
            return True
    return False


PARAMETER_TYPES = {"number", "integer", "string", "boolean"}
# what names a run rather than parameterises it: where it is tracked and under which names, the
# workspace it runs in, the environment it is for. A config holding only these holds no parameters
RUN_SETTINGS = {
    "_target_",
    "name",
    "description",
    "display_name",
    "experiment",
    "experiment_name",
    "experiment_id",
    "run_name",
    "tracking_uri",
    "mlflow_tracking_uri",
    "registry_uri",
    "artifact_location",
    "model_name",
    "registered_model_name",
    "workspace",
    "workspace_name",
    "resource_group",
    "subscription_id",
    "location",
    "env",
    "environment",
    "tags",
    "defaults",
}


def codepipeline_facts(
    path: str, line: int, zone: Zone, name: str, approval: bool, deploys: bool
) -> list[Fact]:
    """An AWS CodePipeline, declared in CloudFormation or Terraform: a CI workflow started by a
    push, gated where it has an `Approval` action, deploying where it has a `Deploy` one."""
    facts = [
        _fact(
            "ci.workflow",
            path,
            line,
            zone,
            provider="codepipeline",
            triggers=["push"],
            permissions=False,
            name=name,
        )
    ]
    if approval:
        facts.append(_fact("approval.gate", path, line, zone, tool="CodePipeline"))
    if deploys:
        facts.append(_fact("ci.step.deploy", path, line, zone, tool="CodePipeline"))
    return facts


def _cfn(resources: YMap, path: str, zone: Zone) -> list[Fact]:
    facts = []
    for logical, body in resources.items():
        if not isinstance(body, dict):
            continue
        kind = str(body.get("Type", ""))
        line = resources.line_of(logical)
        for fact_kind, tool in CFN_RESOURCES.get(kind, []):
            facts.append(_fact(fact_kind, path, line, zone, tool=tool))
        props = body.get("Properties") if isinstance(body.get("Properties"), dict) else {}
        text = str(props)
        if kind == "AWS::CodePipeline::Pipeline":
            deploys = "'Deploy'" in text or "CloudFormation" in text
            facts.extend(
                codepipeline_facts(path, line, zone, str(logical), "Approval" in text, deploys)
            )
        if kind == "AWS::Events::Rule" and "ScheduleExpression" in props:
            facts.append(_fact("pipeline.schedule", path, line, zone, tool="EventBridge"))
        if kind.startswith("AWS::SageMaker::Endpoint") and "AutoRollbackConfiguration" in text:
            facts.append(_fact("deploy.progressive", path, line, zone, tool="SageMaker"))
    return facts

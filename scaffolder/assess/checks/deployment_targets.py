"""What deployment's rules read of where things run: containers of the platform around the
project (not the project's code), and CD that deploys somewhere other than the repository's
Kubernetes manifests."""

from __future__ import annotations

import re

from scaffolder.assess.models import Facts
from scaffolder.assess.parse_ci import MODEL_IMAGE

# pipelines whose every step runs as a container job of a managed service
MANAGED_PIPELINES = {"Vertex AI Pipelines", "SageMaker Pipelines", "Azure ML pipelines"}
# model servers a platform runs in its own containers: an endpoint created by a deploy call or
# a CloudFormation resource, a SeldonDeployment or InferenceService the cluster runs (a scoring
# script, a BentoML service or a Lambda handler on its own is code, not where it runs)
MANAGED_SERVING = {
    "SageMaker endpoint",
    "sagemaker endpoint deploy",
    "SageMaker endpoint (mlflow.sagemaker)",
    "Azure ML endpoint",
    "azureml endpoint deploy",
    "Azure ML web service (mlflow.azureml)",
    "Vertex AI endpoint",
    "google endpoint deploy",
    "Databricks serving endpoint",
    "Seldon",
    "Seldon Core v2",
    "ZenML Seldon Core",
    "KServe",
}


# a line a Windows batch file or a shell keeps as a remark: not run
REMARK = re.compile(r"^\s*(rem\b|::|#)", re.I)


def scripted_model_images(f: Facts) -> list:
    """A project script that builds the model's serving image (`bentoml containerize` in a shell
    script, `mlflow models build-docker` run through subprocess), for a BentoML service or MLflow
    model the project has: the service runs in that image, as when CI or a Makefile builds it."""
    commands = [
        x
        for x in f.of("script.command")
        if MODEL_IMAGE.search(str(x.detail.get("command")))
        and not REMARK.match(str(x.detail.get("command")))
    ]
    bento = [x for x in f.of("serving.app") if x.detail.get("tool") == "BentoML"]
    mlflow = f.of("mlflow.model_uri") + f.of("mlflow.registry")
    return [
        x
        for x in commands
        if (bento and "bentoml" in str(x.detail.get("command")).lower())
        or (mlflow and "mlflow" in str(x.detail.get("command")).lower())
    ]


def platform_only(f: Facts) -> list:
    """Containers of the platform around the project (a database, object storage, the tracking
    or Prefect server, dashboards): compose services of such images or commands, and
    Dockerfiles that only those services build or that only start such a server. They run
    none of the project's training or serving code (platform_services)."""
    services = f.of("compose.service")
    platform = [x for x in services if x.detail.get("platform")]
    built_by: dict[str, list] = {}
    for x in services:
        if x.detail.get("dockerfile"):
            built_by.setdefault(str(x.detail["dockerfile"]), []).append(x)
    for x in f.of("docker.image"):
        builders = built_by.get(x.path, [])
        if x.detail.get("platform") or (
            builders and all(b.detail.get("platform") for b in builders)
        ):
            platform.append(x)
    return platform


def deployed_elsewhere(f: Facts) -> list:
    """GitHub Actions deploy steps that all deploy by a command read in the step (no script,
    no Argo CD or plugin tool) and none of which applies Kubernetes manifests (`docker compose
    up` over ssh or SSM, CodeDeploy, Cloud Run): the repository's manifests are not what CD
    deploys. Empty when a step's target cannot be told (another provider, a script)."""
    deploys = f.of("ci.step.deploy")
    scripted = {(x.path, x.line) for x in f.of("ci.step.script")}  # `python deploy_model.py`
    if not deploys or any(
        x.detail.get("k8s")
        or x.detail.get("via")
        or x.detail.get("tool")
        or (x.path, x.line) in scripted
        or not x.path.startswith(".github/workflows/")
        for x in deploys
    ):
        return []
    return deploys

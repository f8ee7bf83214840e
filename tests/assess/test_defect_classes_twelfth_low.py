"""Defect classes read from the twelfth held-out batch's misses once it joined the calibration
part, the under-scores: a /metrics route registered with `add_api_route` not read as a route,
Kubernetes manifests that CD applies in staging and then prod read as having no environments,
an Azure ML v2 deployment of the version fetched by a client made `from_config` not read as
served from the registry (the over-scores are in test_defect_classes_twelfth.py).
Each test fails on the code before the fix; each reads a shape of a stack, not one repository's
files, and the near misses beside them pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

INSTRUMENTATION = """
    from prometheus_client import CONTENT_TYPE_LATEST, Counter, generate_latest
    from starlette.responses import Response

    REQUESTS = Counter("http_requests_total", "requests", ["path"])

    async def metrics_endpoint():
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
"""
MAIN = """
    import joblib
    from fastapi import FastAPI
    from app.instrumentation import metrics_endpoint

    app = FastAPI()
    model = joblib.load("model.joblib")
    %s

    @app.post("/v1/predict")
    def predict(features: list[float]):
        return {"score": float(model.predict([features])[0])}
"""


def test_a_metrics_route_added_with_add_api_route_monitors_the_service(tmp_path):
    # the app registers the Prometheus handler as its /metrics route without a decorator
    route = 'app.add_api_route("/metrics", metrics_endpoint, methods=["GET"])'
    write(
        tmp_path,
        {
            "requirements.txt": "fastapi\nprometheus-client\n",
            "app/instrumentation.py": INSTRUMENTATION,
            "app/main.py": MAIN % route,
        },
    )
    assert checks(tmp_path)["monitoring.serving-metrics"].outcome is Outcome.PASS


def test_a_metrics_handler_no_route_serves_monitors_nothing(tmp_path):
    # near miss: the handler is imported but never made a route of the app
    write(
        tmp_path,
        {
            "requirements.txt": "fastapi\nprometheus-client\n",
            "app/instrumentation.py": INSTRUMENTATION,
            "app/main.py": MAIN % "",
        },
    )
    assert checks(tmp_path)["monitoring.serving-metrics"].outcome is Outcome.FAIL


INFERENCE_SERVICE = """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: loan-default}
    spec:
      template:
        spec:
          containers:
            - {name: api, image: "ghcr.io/acme/loan-api:1.0"}
"""
CD = """
    on: {push: {branches: [main]}}
    jobs:
      deploy-staging:
        runs-on: ubuntu-latest
        environment: staging
        steps:
          - run: kubectl apply -f serving/deployment.yaml
%s"""
PROMOTE = """
      promote-to-prod:
        needs: deploy-staging
        runs-on: ubuntu-latest
        environment: prod
        steps:
          - run: kubectl apply -f serving/deployment.yaml
"""


def test_manifests_the_cd_deploys_into_staging_then_prod_are_deployed_per_environment(tmp_path):
    # one set of manifests, applied by CD jobs in the staging and prod GitHub environments (each
    # holding its cluster credentials): the environments are CD's, not kustomize overlays
    write(
        tmp_path,
        {
            "serving/deployment.yaml": INFERENCE_SERVICE,
            ".github/workflows/model-deploy.yml": CD % PROMOTE,
        },
    )
    assert checks(tmp_path)["deployment.k8s-environments"].outcome is Outcome.PASS


def test_manifests_the_cd_deploys_into_one_environment_have_no_environments(tmp_path):
    # near miss: staging only
    write(
        tmp_path,
        {
            "serving/deployment.yaml": INFERENCE_SERVICE,
            ".github/workflows/model-deploy.yml": CD % "",
        },
    )
    assert checks(tmp_path)["deployment.k8s-environments"].outcome is Outcome.FAIL


def test_cd_in_two_environments_that_does_not_apply_the_manifests_has_no_environments(tmp_path):
    # near miss: the staging and prod jobs deploy with a script of their own, not the manifests
    # (the generated level-2 project's CD deploys its overlays through scripts/deploy.py)
    cd = (CD % PROMOTE).replace(
        "kubectl apply -f serving/deployment.yaml", "python scripts/deploy_model.py"
    )
    write(
        tmp_path,
        {"serving/deployment.yaml": INFERENCE_SERVICE, ".github/workflows/model-deploy.yml": cd},
    )
    assert checks(tmp_path)["deployment.k8s-environments"].outcome is Outcome.FAIL


AZUREML_DEPLOYMENT = """
    from azure.ai.ml import MLClient
    from azure.ai.ml.entities import CodeConfiguration, ManagedOnlineDeployment, Model
    from azure.identity import AzureCliCredential

    ml_client = MLClient.from_config(credential=AzureCliCredential())
    model = %s

    deployment = ManagedOnlineDeployment(
        name="blue",
        endpoint_name="iris",
        model=model,
        code_configuration=CodeConfiguration(code="./code/", scoring_script="scoring.py"),
        instance_type="Standard_DS2_v2",
    )
    ml_client.online_deployments.begin_create_or_update(deployment)
"""


def test_a_deployment_of_the_latest_version_from_a_client_made_from_config(tmp_path):
    # MLClient.from_config(): the client of the workspace named in config.json, whose registered
    # model's latest version the online deployment serves
    got = 'ml_client.models.get(name="iris_model", label="latest")'
    write(tmp_path, {"deployment/online/create_online_deployment.py": AZUREML_DEPLOYMENT % got})
    assert checks(tmp_path)["tracking.serving-from-registry"].outcome is Outcome.PASS


def test_a_deployment_of_a_local_model_folder_is_not_from_the_registry(tmp_path):
    # near miss: the deployment uploads a model folder of the repository
    local = 'Model(path="model/", type="mlflow_model")'
    write(tmp_path, {"deployment/online/create_online_deployment.py": AZUREML_DEPLOYMENT % local})
    assert checks(tmp_path)["tracking.serving-from-registry"].outcome is Outcome.FAIL

"""Defect class read from the calibration part's tracking misses after the eighteenth batch
joined it: an Azure ML v2 deployment given a registered model version in Python, as
`ManagedOnlineDeployment(model=f"azureml:{name}:{version}")` or with the version a
`ml_client.models.get(name, label="latest")` call fetched (the client built by a project helper),
was read as deploying nothing of the registry: only YAML deployments (`model:
azureml:NAME:1`) and CLI steps counted. The test fails on the code before the fix; the near
misses beside it (a local model folder, a job's output path) pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

TRAIN = """
    import mlflow
    from sklearn.ensemble import RandomForestClassifier


    def main(X, y):
        mlflow.autolog()
        model = RandomForestClassifier().fit(X, y)
        mlflow.sklearn.log_model(model, "model", registered_model_name="churn")
"""

DEPLOY = """
    from azure.ai.ml.entities import ManagedOnlineDeployment, ManagedOnlineEndpoint, Model

    from config import get_ml_client

    ml_client = get_ml_client()
    endpoint = ManagedOnlineEndpoint(name="churn-endpoint", auth_mode="key")
    ml_client.online_endpoints.begin_create_or_update(endpoint).result()
    model = {model}
    deployment = ManagedOnlineDeployment(
        name="blue", endpoint_name="churn-endpoint", model={given}, instance_count=1
    )
    ml_client.online_deployments.begin_create_or_update(deployment).result()
"""


def _served(tmp_path, model, given="model"):
    deploy = DEPLOY.replace("{model}", model).replace("{given}", given)
    write(tmp_path, {"src/train.py": TRAIN, "deploy_endpoint.py": deploy})
    return checks(tmp_path)["tracking.serving-from-registry"].outcome


def test_a_deployment_of_the_version_models_get_fetched_serves_the_registry(tmp_path):
    assert _served(tmp_path, 'ml_client.models.get("churn", label="latest")') is Outcome.PASS


def test_a_deployment_of_an_azureml_reference_serves_the_registry(tmp_path):
    reference = 'f"azureml:churn:{version}"'
    assert _served(tmp_path, "None", reference) is Outcome.PASS


def test_a_deployment_of_a_local_model_folder_serves_no_registry_version(tmp_path):
    # near miss: the model uploaded from a folder at deploy time
    assert _served(tmp_path, 'Model(path="./model", type="mlflow_model")') is Outcome.FAIL


def test_a_deployment_of_a_job_output_serves_no_registry_version(tmp_path):
    # near miss: a training job's output path, never registered
    path = '"azureml://jobs/train-42/outputs/artifacts/paths/model"'
    assert _served(tmp_path, "None", path) is Outcome.FAIL

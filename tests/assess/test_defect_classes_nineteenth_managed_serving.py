"""Defect class read from the calibration part's too-low deployment cells (nineteenth round): a
model put behind a platform's model server (an Azure ML managed online deployment or a
SageMaker endpoint created by the project's deploy script, a SeldonDeployment the cluster runs)
was not read as serving in a container or managed environment unless the repository also held a
Dockerfile or a managed training job. The platform runs the model in its own containers, so
level 1 holds. The test fails on the code before the fix; the near miss beside it (a scoring
script with nothing deploying it) passes on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

SCORE = """
    import json
    import os

    import joblib

    model = None


    def init():
        global model
        model = joblib.load(os.path.join(os.environ["AZUREML_MODEL_DIR"], "model.pkl"))


    def run(raw):
        return model.predict(json.loads(raw)["data"]).tolist()
"""
DEPLOY = """
    from azure.ai.ml import MLClient
    from azure.ai.ml.entities import ManagedOnlineDeployment, ManagedOnlineEndpoint
    from azure.identity import DefaultAzureCredential

    ml = MLClient(DefaultAzureCredential(), "sub", "rg", "ws")
    endpoint = ManagedOnlineEndpoint(name="sentiment", auth_mode="key")
    ml.online_endpoints.begin_create_or_update(endpoint).result()
    deployment = ManagedOnlineDeployment(
        name="blue",
        endpoint_name="sentiment",
        model="azureml:sentiment:1",
        instance_type="Standard_DS2_v2",
        instance_count=1,
    )
    ml.online_deployments.begin_create_or_update(deployment).result()
"""
SELDON = """
    apiVersion: machinelearning.seldon.io/v1
    kind: SeldonDeployment
    metadata:
      name: credit
    spec:
      predictors:
        - name: default
          graph:
            name: classifier
            implementation: TRITON_SERVER
            modelUri: gs://bucket/credit
"""


def _image(tmp_path, files: dict[str, str]) -> Outcome:
    write(tmp_path, {"score.py": SCORE, "requirements.txt": "scikit-learn\njoblib\n", **files})
    return checks(tmp_path)["deployment.training-image"].outcome


def test_an_azure_ml_managed_deployment_runs_the_model_in_the_platform(tmp_path):
    assert _image(tmp_path, {"deploy_to_azureml.py": DEPLOY}) is Outcome.PASS


def test_a_seldon_deployment_runs_the_model_in_the_cluster(tmp_path):
    assert _image(tmp_path, {"seldon/credit.yaml": SELDON}) is Outcome.PASS


def test_a_scoring_script_nothing_deploys_runs_nowhere(tmp_path):
    # near miss: a scoring script for an endpoint, with nothing creating the endpoint
    assert _image(tmp_path, {}) is Outcome.FAIL

"""Defect classes read from the fifteenth held-out batch's tracking misses once it joined the
calibration part: an Azure ML v1 scoring script (`Model.get_model_path`) and a scoring image built
with a registered version read as serving from the registry when nothing deploys them.
Each test fails on the code before the fix; each reads a shape of a stack, not one repository's
files, and the near misses beside them pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

AML_TRAIN = """
    import joblib
    from azureml.core import Run
    from sklearn.linear_model import Ridge

    run = Run.get_context()
    model = Ridge().fit([[1], [2]], [1, 2])
    run.log("mse", 0.1)
    joblib.dump(model, "outputs/model.pkl")
    run.register_model(model_name="diabetes.pkl", model_path="outputs/model.pkl")
"""
AML_SCORE = """
    import json

    import joblib
    from azureml.core.model import Model


    def init():
        global model
        model = joblib.load(Model.get_model_path(model_name="diabetes.pkl"))


    def run(raw_data):
        return json.dumps(model.predict(json.loads(raw_data)["data"]).tolist())
"""
AML_IMAGE = """
    import os

    from azureml.core import Workspace
    from azureml.core.image import ContainerImage, Image
    from azureml.core.model import Model

    ws = Workspace.from_config()
    model = Model(ws, name=os.environ["MODEL_NAME"], version=os.environ["MODEL_VERSION"])
    config = ContainerImage.image_configuration(execution_script="score.py", runtime="python")
    Image.create(name="diabetes", models=[model], image_config=config, workspace=ws)
"""
AML_DEPLOY_WORKFLOW = """
    name: deploy
    on:
      push:
        branches: [main]
    jobs:
      deploy:
        runs-on: ubuntu-latest
        steps:
        - uses: actions/checkout@v4
        - run: az ml model deploy -n diabetes-svc -m diabetes.pkl:1 --ic inference.json
"""


def test_an_azureml_v1_scoring_script_and_image_deployed_by_nothing_serve_nothing(tmp_path):
    write(
        tmp_path,
        {
            "code/training/train.py": AML_TRAIN,
            "code/scoring/score.py": AML_SCORE,
            "ml_service/util/create_scoring_image.py": AML_IMAGE,
        },
    )
    found = checks(tmp_path)
    assert found["tracking.registry"].outcome is Outcome.PASS
    assert found["tracking.serving-from-registry"].outcome is Outcome.FAIL


def test_an_azureml_v1_scoring_script_a_ci_step_deploys_serves_the_registry(tmp_path):
    # near miss: CI deploys the registered model behind a web service that runs score.py
    write(
        tmp_path,
        {
            "code/training/train.py": AML_TRAIN,
            "code/scoring/score.py": AML_SCORE,
            "ml_service/util/create_scoring_image.py": AML_IMAGE,
            ".github/workflows/deploy.yml": AML_DEPLOY_WORKFLOW,
        },
    )
    assert checks(tmp_path)["tracking.serving-from-registry"].outcome is Outcome.PASS

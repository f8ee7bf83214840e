"""Defect class read from the calibration part's too-low deployment cells (nineteenth round): CD
steps deploying by commands the deploy vocabulary lacked were not read as deploying - a Bicep or
ARM template deployed by `az deployment group create` (a Container App, as `aws cloudformation
deploy` deploys a stack), an Azure ML online deployment created by inline SDK code
(`ml.online_deployments.begin_create_or_update`), and a Hugging Face Space updated by `git push`
with the Space's URL after the command. The tests fail on the code before the fix; the near
misses beside them (a `what-if` preview, an SDK call only printed, a push to GitHub) pass on
both."""

from __future__ import annotations

import pytest

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

APP = """
    import joblib
    from fastapi import FastAPI

    app = FastAPI()
    model = joblib.load("models/model.joblib")


    @app.post("/predict")
    def predict(features: list[float]):
        return {"score": float(model.predict_proba([features])[0][1])}
"""


def _workflow(run: str) -> str:
    lines = "\n".join(f"              {line}" for line in run.strip().splitlines())
    return f"""
    name: cd
    on:
      push:
        branches: [main]
    jobs:
      deploy:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - name: Release
            run: |
{lines}
"""


BICEP = "az deployment group create -g rg -f infra/main.bicep -p image=acr.io/api:1"
SDK = """
python -c "
from azure.ai.ml import MLClient
ml = MLClient.from_config()
ml.online_deployments.begin_create_or_update(deployment).result()"
"""
SPACE = 'git push --force "https://user:${HF_TOKEN}@huggingface.co/spaces/${SPACE}" HEAD:main'


def _cd(tmp_path, run: str) -> Outcome:
    write(tmp_path, {"src/serve.py": APP, ".github/workflows/cd.yml": _workflow(run)})
    return checks(tmp_path)["deployment.cd-workflow"].outcome


@pytest.mark.parametrize("run", [BICEP, SDK, SPACE], ids=["bicep", "azureml-sdk", "hf-space"])
def test_cd_deploying_by_these_commands_deploys(tmp_path, run):
    assert _cd(tmp_path, run) is Outcome.PASS


@pytest.mark.parametrize(
    "run",
    [
        "az deployment group what-if -g rg -f infra/main.bicep",
        'echo "ml.online_deployments.list()"',
        'git push "https://github.com/org/repo.git" HEAD:main',
    ],
    ids=["what-if", "sdk-list", "github-push"],
)
def test_previews_listings_and_other_pushes_deploy_nothing(tmp_path, run):
    # near misses: a preview of the template, a listing, a push to the code host
    assert _cd(tmp_path, run) is Outcome.FAIL

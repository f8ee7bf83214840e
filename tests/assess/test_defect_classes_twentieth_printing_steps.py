"""Defect class read from the calibration part's deployment over-scores (a FastAPI service with
compose, whose `deploy.yml` is a template left to fill in): a GitHub Actions step that only
prints (`echo "Deployment commands would go here..."`, `echo "  - Run: docker-compose up -d"`)
was read as a deploy step by its name (`name: Deploy Services`), since a step's kind is read
from its name and its commands together. A step whose `run:` is nothing but printing now runs
nothing, whatever its name says. The test fails on the code before the fix; the near miss (the
same name over a command that deploys) passes on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

SERVE = """
    import joblib
    from fastapi import FastAPI

    app = FastAPI()
    model = joblib.load("model.joblib")

    @app.post("/predict")
    def predict(x: float):
        return {"y": float(model.predict([[x]])[0])}
"""
WORKFLOW = """
    name: Deploy to Production
    on:
      push:
        tags: ["v*.*.*"]
    jobs:
      deploy:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - name: Deploy Services
            run: |
{commands}
"""
PRINTING = """
              echo "Deployment commands would go here..."
              echo "  - SSH to server and pull latest images"
              echo "  - Run: docker-compose up -d"
              echo "### Deployment Started" >> $GITHUB_STEP_SUMMARY
"""
DEPLOYING = """
              echo "Deploying"
              ssh deploy@host "cd app && docker compose pull && docker compose up -d"
"""


def _workflow(commands: str) -> str:
    return WORKFLOW.replace("{commands}\n", commands.lstrip("\n"))


def test_a_step_that_only_prints_deploys_nothing_whatever_its_name(tmp_path):
    write(tmp_path, {"api/main.py": SERVE, ".github/workflows/deploy.yml": _workflow(PRINTING)})
    assert checks(tmp_path)["deployment.cd-workflow"].outcome is Outcome.FAIL


def test_a_step_of_the_same_name_running_a_deploy_deploys(tmp_path):
    # near miss: the same step name over a command that brings the service up on a host
    write(tmp_path, {"api/main.py": SERVE, ".github/workflows/deploy.yml": _workflow(DEPLOYING)})
    assert checks(tmp_path)["deployment.cd-workflow"].outcome is Outcome.PASS

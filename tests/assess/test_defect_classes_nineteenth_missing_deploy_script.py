"""Defect class read from the calibration part's deployment cells (nineteenth round): a CI step
that is a deploy only by the name of the script it runs (`python src/deployment/deploy_model.py`)
was read as a CD deploy even when that script is not in the repository: the step fails at once
and deploys nothing, as a pipeline run by a missing script already ran nothing. The test fails
on the code before the fix; the near miss beside it (the same workflow with the script present)
passes on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

WORKFLOW = """
    name: cd
    on:
      push:
        branches: [main]
    jobs:
      deploy-prod:
        runs-on: ubuntu-latest
        environment: production
        steps:
          - uses: actions/checkout@v4
          - name: Deploy to production
            run: |
              python src/deployment/deploy_model.py \\
                --config config.yaml \\
                --environment prod
"""
DEPLOY = """
    import boto3


    def main():
        boto3.client("sagemaker").update_endpoint(EndpointName="x", EndpointConfigName="y")


    if __name__ == "__main__":
        main()
"""


def _cd(tmp_path, files: dict[str, str]) -> Outcome:
    write(tmp_path, {".github/workflows/cd.yml": WORKFLOW, **files})
    return checks(tmp_path)["deployment.cd-workflow"].outcome


def test_a_deploy_step_running_a_missing_script_deploys_nothing(tmp_path):
    assert _cd(tmp_path, {"src/training/train.py": "print('train')\n"}) is Outcome.FAIL


def test_a_deploy_step_running_the_repository_s_script_deploys(tmp_path):
    # near miss: the script the step names is there
    assert _cd(tmp_path, {"src/deployment/deploy_model.py": DEPLOY}) is Outcome.PASS

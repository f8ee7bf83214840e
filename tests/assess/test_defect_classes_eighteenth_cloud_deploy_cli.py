"""Defect class read from the deployment misses of the seventeenth batch once it joined the
calibration part: CD deploying through a serving platform's CLI that the deploy steps did not
know: CodeDeploy (`aws deploy create-deployment`), commands sent to the instances through SSM
(`aws ssm send-command`, the IAM-based ssh), App Runner, Container Apps, App Engine, Elastic
Beanstalk, Fly.io, Heroku; and a script the step runs by its folder (`infra/aws/ssm_run.sh
backend 1 ...`, without `./` or `bash`), whose commands were not read.
The tests fail on the code before the fix; the near misses (the same CLIs reading, not
deploying; a script by its folder that deploys nothing) pass on both. A script that only names
the registry's packages (a resource check) serves nothing from the registry."""

from __future__ import annotations

import pytest

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, kinds, write

WORKFLOW = """
name: deploy
on:
  push:
    branches: [main]
jobs:
  roll:
    runs-on: ubuntu-latest
    environment: production
    steps:
      - uses: actions/checkout@v4
      - name: Roll the instances
        run: |
          COMMAND
"""
SSM_SCRIPT = """
#!/usr/bin/env bash
set -euo pipefail
aws ssm send-command \\
  --document-name AWS-RunShellScript \\
  --targets "Key=tag:Component,Values=$1" \\
  --parameters "commands=[\\"$2\\"]"
"""


def _cd(tmp_path, command: str, files: dict[str, str] | None = None) -> Outcome:
    workflow = WORKFLOW.replace("COMMAND", command)
    write(tmp_path, {".github/workflows/deploy.yml": workflow, **(files or {})})
    return checks(tmp_path)["deployment.cd-workflow"].outcome


@pytest.mark.parametrize(
    "command",
    [
        "aws deploy create-deployment --application-name app --deployment-group-name prod",
        "aws ssm send-command --instance-ids i-1 --document-name AWS-RunShellScript",
        "aws apprunner start-deployment --service-arn $SERVICE_ARN",
        "az containerapp update -n api -g rg --image $IMAGE",
        "gcloud app deploy app.yaml --quiet",
        "eb deploy production",
        "flyctl deploy --remote-only",
    ],
)
def test_a_serving_platforms_cli_deploys(tmp_path, command):
    assert _cd(tmp_path, command) is Outcome.PASS


@pytest.mark.parametrize(
    "command",
    [
        "aws deploy list-deployments --application-name app",
        "aws ssm get-parameter --name /app/bucket",
        "az containerapp show -n api -g rg",
    ],
)
def test_the_same_clis_reading_deploy_nothing(tmp_path, command):
    # near miss: the CLIs asked about what runs, not deploying
    assert _cd(tmp_path, command) is Outcome.FAIL


def test_a_script_run_by_its_folder_is_read(tmp_path):
    command = "infra/aws/ssm_run.sh backend 'bash /opt/app/bootstrap.sh'"
    assert _cd(tmp_path, command, {"infra/aws/ssm_run.sh": SSM_SCRIPT}) is Outcome.PASS


def test_a_script_run_by_its_folder_that_deploys_nothing(tmp_path):
    # near miss: the script only reads a parameter
    script = "#!/usr/bin/env bash\naws ssm get-parameter --name /app/bucket\n"
    command = "infra/aws/read.sh backend"
    assert _cd(tmp_path, command, {"infra/aws/read.sh": script}) is Outcome.FAIL


def test_a_script_listing_model_packages_serves_nothing_from_the_registry(tmp_path):
    script = (
        "#!/usr/bin/env bash\n"
        "aws sagemaker list-model-packages --query 'ModelPackageSummaryList[].ModelPackageArn'\n"
    )
    workflow = WORKFLOW.replace("COMMAND", "scripts/check_resources.sh")
    write(
        tmp_path, {".github/workflows/deploy.yml": workflow, "scripts/check_resources.sh": script}
    )
    assert "ci.step.from_registry" not in kinds(tmp_path)

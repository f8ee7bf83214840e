"""Defect class read from the calibration part's too-low deployment cells (twentieth round): an
Azure Pipelines file whose steps all sit in a deployment job's strategy
(`stages/jobs/strategy/runOnce/deploy/steps`, the canary CD of a serving app) was not read as a
pipeline at all: the check telling an Azure Pipelines file from other YAML looked for a step
four levels less deep than the reader of its steps goes. It now looks as deep, so the file's
deploy, canary and rollback steps are read. The test fails on the code before the fix; the near
miss beside it (YAML of the same nesting whose steps hold no Azure step key) is no pipeline on
both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

PIPELINE = """
    trigger: none

    pool:
      vmImage: ubuntu-24.04

    stages:
      - stage: canary
        displayName: Canary Deployment
        jobs:
          - deployment: canary_deploy
            environment: staging
            strategy:
              runOnce:
                deploy:
                  steps:
                    - checkout: self
                    - {step}
                      displayName: Deploy the serving revision
                      inputs:
                        azureSubscription: azdo-oidc-cd
                        scriptType: bash
                        scriptLocation: inlineScript
                        inlineScript: az containerapp update --name serving --image acr.io/serving:1
"""


def _cd(tmp_path, step: str) -> Outcome:
    write(tmp_path, {"azure-pipelines/cd/cd-service.yaml": PIPELINE.replace("{step}", step)})
    return checks(tmp_path)["deployment.cd-workflow"].outcome


def test_an_azure_deployment_job_deploying_the_service_is_cd(tmp_path):
    assert _cd(tmp_path, "task: AzureCLI@2") is Outcome.PASS


def test_near_miss_the_same_nesting_without_azure_steps(tmp_path):
    assert _cd(tmp_path, "name: AzureCLI@2") is not Outcome.PASS

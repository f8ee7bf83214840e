"""Defect class read from the calibration part's too-low deployment cells (nineteenth round): a
CodePipeline declared in Terraform (`resource "aws_codepipeline"`) was not read, though the same
pipeline declared in CloudFormation is a CI workflow whose Deploy actions deploy: a model-deploy
pipeline deploying a SageMaker endpoint's CloudFormation stack to staging, then after a manual
approval to production, was no CD. The test fails on the code before the fix; the near miss
beside it (a pipeline of Source and Build actions only) passes on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

ENDPOINT = """
    Resources:
      Endpoint:
        Type: AWS::SageMaker::Endpoint
        Properties:
          EndpointConfigName: !Ref EndpointConfig
"""


def _pipeline(deploy: bool) -> str:
    stage = (
        """
  stage {
    name = "DeployStaging"

    action {
      category = "Deploy"
      configuration = {
        "ActionMode" : "REPLACE_ON_FAILURE",
        "StackName" : "sagemaker-deploy-staging",
        "TemplatePath" : "BuildArtifact::template-export.yml"
      }
      input_artifacts = ["BuildArtifact"]
      name            = "DeployResourcesStaging"
      owner           = "AWS"
      provider        = "CloudFormation"
      version         = "1"
    }
  }
"""
        if deploy
        else ""
    )
    return f"""
resource "aws_codepipeline" "sm_cd_pipeline" {{
  name     = "modeldeploy-pipeline"
  role_arn = aws_iam_role.role.arn

  artifact_store {{
    location = aws_s3_bucket.artifacts.bucket
    type     = "S3"
  }}

  stage {{
    name = "Build"

    action {{
      category         = "Build"
      configuration    = {{ "ProjectName" = "deploybuild" }}
      input_artifacts  = ["SourceArtifact"]
      name             = "Build"
      output_artifacts = ["BuildArtifact"]
      owner            = "AWS"
      provider         = "CodeBuild"
      version          = "1"
    }}
  }}
{stage}}}
"""


def _cd(tmp_path, deploy: bool) -> Outcome:
    write(
        tmp_path,
        {
            "modeldeploy_pipeline/endpoint-config-template.yml": ENDPOINT,
            "terraform/modeldeploy_cd_pipeline.tf": _pipeline(deploy),
        },
    )
    return checks(tmp_path)["deployment.cd-workflow"].outcome


def test_a_terraform_codepipeline_with_a_deploy_action_deploys(tmp_path):
    assert _cd(tmp_path, deploy=True) is Outcome.PASS


def test_a_terraform_codepipeline_that_only_builds_deploys_nothing(tmp_path):
    # near miss: the pipeline builds, no stage deploys
    assert _cd(tmp_path, deploy=False) is Outcome.FAIL

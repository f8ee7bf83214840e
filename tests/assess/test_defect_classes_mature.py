"""Defect classes read from the fifth held-out batch's misses once it joined the calibration part
(mature stacks: SageMaker, Azure ML v2, Vertex AI, GitLab CI). Each test fails on the code before
the fix; each reads a shape of a stack, not one repository's file names."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, facts, write


def outcome(root, check_id):
    return checks(root)[check_id].outcome


def test_a_gitlab_job_extending_a_branch_only_job_inherits_its_only(tmp_path):
    # GitLab merges the extended job, visible or hidden, under the job: `only: [dev]` holds for
    # both, so no job runs on merge requests' branches
    write(
        tmp_path,
        {
            ".gitlab-ci.yml": """
                stages: [setup, test]
                setup:
                  stage: setup
                  only: [dev]
                  script: [poetry check]
                register:
                  extends: setup
                  stage: test
                  script: [pytest]
            """,
        },
    )
    assert outcome(tmp_path, "governance.change-review") is Outcome.FAIL


def test_a_placeholder_test_is_not_a_test_of_the_project(tmp_path):
    write(
        tmp_path,
        {
            "test/test_to_delete.py": """
                def test_print():
                    try:
                        print("Hello") is None
                    except:
                        assert False
            """,
            ".github/workflows/ci.yml": """
                on: [pull_request]
                jobs:
                  t: {runs-on: x, steps: [{run: pytest}]}
            """,
        },
    )
    assert outcome(tmp_path, "quality.unit-tests") is Outcome.FAIL
    write(
        tmp_path,
        {"test/test_model.py": "from src.model import train\n\ndef test_train():\n    train()\n"},
    )
    assert outcome(tmp_path, "quality.unit-tests") is Outcome.PASS


def test_application_insights_backing_an_ml_workspace_is_not_serving_monitoring(tmp_path):
    write(
        tmp_path,
        {
            "infra/main.tf": """
                resource "azurerm_application_insights" "aml" {
                  name = "appi"
                  application_type = "web"
                }
                resource "azurerm_machine_learning_workspace" "ws" {
                  application_insights_id = azurerm_application_insights.aml.id
                }
                resource "azurerm_monitor_diagnostic_setting" "ws" {
                  target_resource_id = azurerm_machine_learning_workspace.ws.id
                  metric { category = "AllMetrics" }
                }
            """,
        },
    )
    assert outcome(tmp_path, "monitoring.serving-metrics") is Outcome.FAIL
    # diagnostic settings export the workspace's metrics: monitoring level 1
    assert outcome(tmp_path, "monitoring.pipeline-metrics") is Outcome.PASS
    write(
        tmp_path,
        {
            "infra/app.tf": """
                resource "azurerm_linux_web_app" "api" {
                  app_settings = {
                    APPLICATIONINSIGHTS_CONNECTION_STRING = local.insights
                  }
                }
            """,
            "infra/main.tf": """
                resource "azurerm_application_insights" "a" {
                  name = "appi"
                }
                resource "azurerm_linux_web_app" "api" {
                  app_settings = {
                    APPLICATIONINSIGHTS_CONNECTION_STRING = local.insights
                  }
                }
            """,
        },
    )
    assert outcome(tmp_path, "monitoring.serving-metrics") is Outcome.PASS


def test_cloudwatch_alarms_on_a_sagemaker_endpoint_monitor_the_serving_side(tmp_path):
    write(
        tmp_path,
        {
            "infra/cloudwatch.tf": """
                resource "aws_cloudwatch_metric_alarm" "errors" {
                  metric_name = "ModelInvocationErrors"
                  namespace   = "AWS/SageMaker"
                  dimensions = {
                    EndpointName = local.endpoint_name
                  }
                }
                resource "aws_cloudwatch_metric_alarm" "queue" {
                  metric_name = "ApproximateNumberOfMessagesVisible"
                  namespace   = "AWS/SQS"
                }
            """,
        },
    )
    monitors = [x for x in facts(tmp_path).facts if x.kind == "serving.monitor"]
    assert [x.line for x in monitors] == [1]
    assert outcome(tmp_path, "monitoring.serving-metrics") is Outcome.PASS


def test_a_ci_step_running_a_script_that_deploys_the_approved_package(tmp_path):
    # boto3's paginator over list_model_packages is that call; a sagemaker.ModelPackage is a
    # registry version; a workflow running the script that deploys it is CD
    write(
        tmp_path,
        {
            "serving/deploy_endpoint.py": """
                import boto3
                from sagemaker import ModelPackage

                def latest(sm):
                    pages = sm.get_paginator("list_model_packages")
                    for page in pages.paginate(ModelApprovalStatus="Approved"):
                        return page["ModelPackageSummaryList"][0]["ModelPackageArn"]

                def deploy():
                    arn = latest(boto3.client("sagemaker"))
                    model = ModelPackage(role="r", model_package_arn=arn)
                    model.deploy(initial_instance_count=1, instance_type="ml.m5.large")

                if __name__ == "__main__":
                    deploy()
            """,
            ".github/workflows/deploy.yml": """
                on: [workflow_dispatch]
                jobs:
                  deploy-endpoint:
                    runs-on: ubuntu-latest
                    environment: production
                    steps:
                      - run: python serving/deploy_endpoint.py
            """,
        },
    )
    result = checks(tmp_path)
    assert result["tracking.serving-from-registry"].outcome is Outcome.PASS
    assert result["deployment.cd-workflow"].outcome is Outcome.PASS


def test_azure_ml_v2_deployment_of_a_model_fetched_from_the_registry(tmp_path):
    write(
        tmp_path,
        {
            "src/deploy.py": """
                from azure.ai.ml import MLClient
                from azure.ai.ml.entities import ManagedOnlineDeployment

                ml_client = MLClient(credential=None, registry_name="shared")
                model = ml_client.models.get(name="taxi", version="3")
                deployment = ManagedOnlineDeployment(name="blue", endpoint_name="e", model=model)
                ml_client.online_deployments.begin_create_or_update(deployment).result()
            """,
        },
    )
    assert outcome(tmp_path, "tracking.serving-from-registry") is Outcome.PASS


def test_a_vertex_training_job_naming_its_model_registers_a_version(tmp_path):
    write(
        tmp_path,
        {
            "components/train.py": """
                from google.cloud import aiplatform

                def train(parent_model: str):
                    job = aiplatform.CustomTrainingJob(display_name="t", script_path="train.py")
                    model = job.run(model_display_name="m", parent_model=parent_model)
                    return model.resource_name
            """,
        },
    )
    result = checks(tmp_path)
    assert result["tracking.registry"].outcome is Outcome.PASS
    assert result["tracking.model-artifact"].outcome is Outcome.PASS


def test_terraform_root_modules_per_environment_are_environments(tmp_path):
    module = 'module "vertex" {\n  source = "../../modules/vertex"\n}\n'
    write(
        tmp_path,
        {
            "terraform/envs/dev/main.tf": module,
            "terraform/envs/prod/main.tf": module,
            "terraform/modules/vertex/main.tf": 'resource "google_storage_bucket" "b" {}\n',
        },
    )
    assert outcome(tmp_path, "repro.environments") is Outcome.PASS


def test_a_vertex_batch_prediction_job_predicts_from_the_model(tmp_path):
    write(
        tmp_path,
        {
            "components/batch_predict.py": """
                from kfp.v2.dsl import component

                @component
                def model_batch_predict(model: str, project: str):
                    from google.cloud.aiplatform_v1beta1 import JobServiceClient
                    client = JobServiceClient()
                    client.create_batch_prediction_job(parent=project, job={"model": model})
            """,
        },
    )
    assert outcome(tmp_path, "deployment.predict-script") is Outcome.PASS


def test_azure_ml_pipeline_jobs_per_environment_are_environments(tmp_path):
    job = """
        $schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json
        type: pipeline
        settings: {default_compute: azureml:cluster}
        jobs: {}
    """
    write(
        tmp_path,
        {"pipelines/dev-e2e-pipeline.yaml": job, "pipelines/prod-deploy-pipeline.yaml": job},
    )
    assert outcome(tmp_path, "repro.environments") is Outcome.PASS


def test_a_vertex_model_fetched_by_id_and_deployed_comes_from_the_registry(tmp_path):
    write(
        tmp_path,
        {
            "scripts/run_deploy_model.py": """
                from google.cloud import aiplatform

                def deploy(model_id: str):
                    model = aiplatform.Model(model_name=model_id)
                    endpoint = aiplatform.Endpoint.create(display_name="e")
                    model.deploy(endpoint=endpoint, machine_type="n1-standard-4")
            """,
        },
    )
    assert outcome(tmp_path, "tracking.serving-from-registry") is Outcome.PASS

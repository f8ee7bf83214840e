"""Defect classes read from the ninth held-out batch's misses once it joined the calibration
part: Terraform variable files of infrastructure only and SageMaker Clarify analysis configs read
as the run's parameters, a Databricks bundle whose jobs a CI job runs one after another, CDK
Pipelines as the project's CI/CD. Each test fails on the code before the fix; each reads a shape
of a stack, not one repository's files, and the near misses beside them pass on both."""

from __future__ import annotations

import json

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write


def outcome(root, check_id):
    return checks(root)[check_id].outcome


def test_terraform_variables_of_infrastructure_are_not_parameters(tmp_path):
    write(
        tmp_path,
        {
            "requirements.txt": "scikit-learn\n",
            "infra/terraform/terraform.tfvars.example": """
                aws_region = "us-east-1"
                project_name = "churn"
                vpc_cidr = "10.0.0.0/16"
                instance_type = "t3.medium"
            """,
            "infra/terraform/demo.auto.tfvars": 'operator_cidrs = ["203.0.113.7/32"]\n',
        },
    )
    assert outcome(tmp_path, "repro.config-file") is Outcome.FAIL


def test_terraform_variables_that_set_the_pipelines_parameters_are_parameters(tmp_path):
    # near miss: a scheduled pipeline's parameters, or a quality threshold, kept in tfvars
    write(
        tmp_path,
        {
            "requirements.txt": "scikit-learn\n",
            "terraform/scheduled.auto.tfvars.example": """
                schedulers = {
                  training = {
                    schedule = "0 0 * * 0"
                    pipeline_parameters = {
                      model_name = "xgboost"
                    }
                  }
                }
            """,
        },
    )
    assert outcome(tmp_path, "repro.config-file") is Outcome.PASS
    write(tmp_path / "b", {"pipeline.tfvars": "quality_threshold_accuracy = 0.78\n"})
    assert outcome(tmp_path / "b", "repro.config-file") is Outcome.PASS


CLARIFY = {
    "dataset_type": "text/csv",
    "headers": ["delay", "distance", "carrier"],
    "label": "delay",
    "predictor": {"endpoint_name": "prod-endpoint"},
    "methods": {"shap": {"num_samples": 100}, "report": {"name": "report"}},
}


def test_a_clarify_analysis_config_is_not_the_runs_parameters(tmp_path):
    # what a SageMaker Clarify job was given, kept beside its report
    write(
        tmp_path,
        {
            "requirements.txt": "sagemaker\n",
            "reports/shap/analysis_config.json": json.dumps(CLARIFY),
        },
    )
    assert outcome(tmp_path, "repro.config-file") is Outcome.FAIL


def test_a_training_config_json_is_the_runs_parameters(tmp_path):
    # near miss: a config JSON of the training run, named the same way
    write(
        tmp_path,
        {
            "requirements.txt": "sagemaker\n",
            "training/analysis_config.json": json.dumps(
                {"label": "delay", "learning_rate": 0.1, "max_depth": 6}
            ),
        },
    )
    assert outcome(tmp_path, "repro.config-file") is Outcome.PASS


BUNDLE_WORKFLOW = """
on: {push: {branches: [main]}}
jobs:
  deploy-dev:
    runs-on: ubuntu-latest
    environment: dev
    steps:
      - uses: actions/checkout@v4
      - uses: databricks/setup-cli@main
      - run: databricks bundle deploy --target dev
      - name: train
        run: databricks bundle run model_training_job --target dev
%s
"""
SECOND_RUN = """      - name: score
        run: |
          echo "scoring"
          databricks bundle run -t dev batch_inference_job
"""
BUNDLE = """
bundle: {name: quality}
resources:
  jobs:
    model_training_job:
      name: training
      tasks:
        - task_key: train
          notebook_task: {notebook_path: ./notebooks/train.py}
    batch_inference_job:
      name: inference
      tasks:
        - task_key: score
          notebook_task: {notebook_path: ./notebooks/score.py}
"""


def test_bundle_jobs_a_ci_job_runs_in_sequence_are_a_pipeline(tmp_path):
    # each bundle job has one task (a managed job, not a pipeline); the CI job orders them
    write(
        tmp_path,
        {
            "databricks.yml": BUNDLE,
            ".github/workflows/mlops.yml": BUNDLE_WORKFLOW % SECOND_RUN,
        },
    )
    assert outcome(tmp_path, "pipelines.orchestrated") is Outcome.PASS


def test_one_bundle_job_run_by_ci_is_no_pipeline(tmp_path):
    # near miss: one job run (twice) is no sequence
    again = "      - run: databricks bundle run model_training_job --target staging\n"
    write(
        tmp_path,
        {"databricks.yml": BUNDLE, ".github/workflows/mlops.yml": BUNDLE_WORKFLOW % again},
    )
    assert outcome(tmp_path, "pipelines.orchestrated") is Outcome.FAIL


CDK_PIPELINE = """
from aws_cdk import Stack, pipelines as pipelines_

from .endpoint_stage import EndpointStage


class MLOpsPipelineStack(Stack):
    def __init__(self, scope, id, **kwargs):
        super().__init__(scope, id, **kwargs)
        source = pipelines_.CodePipelineSource.connection("org/repo", "main", connection_arn="x")
        synth = pipelines_.ShellStep(
            "Synth", input=source, commands=["pip install -r requirements.txt", "cdk synth"]
        )
        pipeline = pipelines_.CodePipeline(self, "Pipeline", pipeline_name="mlops", synth=synth)
        image = pipelines_.CodeBuildStep(
            "BuildAndPushImage",
            input=source,
            commands=[
                f"docker build -t {self.account}.dkr.ecr.{self.region}.amazonaws.com/model .",
                f"docker push {self.account}.dkr.ecr.{self.region}.amazonaws.com/model",
            ],
        )
        dev = pipeline.add_stage(EndpointStage(self, "Dev"))
        dev.add_pre(image)
"""


def test_cdk_pipelines_are_the_projects_ci_cd(tmp_path):
    write(
        tmp_path,
        {
            "requirements.txt": "aws-cdk-lib\n",
            "cdk_pipeline/pipeline_stack.py": CDK_PIPELINE,
        },
    )
    assert outcome(tmp_path, "deployment.cd-workflow") is Outcome.PASS
    assert outcome(tmp_path, "pipelines.image-build") is Outcome.PASS


def test_a_codepipeline_class_of_another_library_is_no_ci_cd(tmp_path):
    # near miss: the same names outside aws_cdk.pipelines deploy nothing
    other = CDK_PIPELINE.replace("from aws_cdk import Stack, pipelines as pipelines_", "")
    other = "from mytool import Stack\nfrom mytool import steps as pipelines_\n" + other
    write(
        tmp_path,
        {"requirements.txt": "mytool\n", "cdk_pipeline/pipeline_stack.py": other},
    )
    assert outcome(tmp_path, "deployment.cd-workflow") is Outcome.FAIL
    assert outcome(tmp_path, "pipelines.image-build") is Outcome.FAIL

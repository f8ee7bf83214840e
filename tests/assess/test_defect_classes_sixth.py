"""Defect classes read from the sixth held-out batch's misses once it joined the calibration part
(SageMaker framework estimators, Databricks jobs in Terraform, BentoML images built by CI, Kedro
catalogs in Python, ZenML's MLflow registry steps, configs that only name the run). Each test
fails on the code before the fix; each reads a shape of a stack, not one repository's files."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write


def outcome(root, check_id):
    return checks(root)[check_id].outcome


def test_a_sagemaker_framework_estimator_is_a_managed_training_job(tmp_path):
    write(
        tmp_path,
        {
            "train_deploy.py": """
                from sagemaker.sklearn.estimator import SKLearn
                from sagemaker.pytorch import PyTorch

                est = SKLearn(entry_point="train.py", role="r", instance_type="ml.m5.large")
                est.fit({"train": "s3://b/train.csv"})
            """,
        },
    )
    assert outcome(tmp_path, "deployment.training-image") is Outcome.PASS


def test_a_plain_sklearn_estimator_is_no_managed_job(tmp_path):
    write(
        tmp_path,
        {"train.py": "from sklearn.linear_model import LinearRegression\nLinearRegression()\n"},
    )
    assert outcome(tmp_path, "deployment.training-image") is Outcome.FAIL


TF_JOB = """
resource "databricks_job" "training" {
  name = "${local.env_prefix}training"
  task {
    task_key = "Train"
    notebook_task {
      notebook_path = "training/notebooks/Train"
      base_parameters = {
        env                = local.env
        experiment_name    = "${local.prefix}-experiment"
        training_data_path = "/databricks-datasets/taxi"
      }
    }
    %s
  }
}
"""


def test_a_terraform_databricks_job_runs_on_a_cluster_with_its_parameters(tmp_path):
    write(tmp_path, {"terraform/main.tf": TF_JOB % 'existing_cluster_id = "0517-1256"'})
    assert outcome(tmp_path, "deployment.training-image") is Outcome.PASS
    assert outcome(tmp_path, "repro.config-file") is Outcome.PASS


def test_a_terraform_databricks_job_naming_only_the_run_sets_no_parameters(tmp_path):
    job = TF_JOB.replace('training_data_path = "/databricks-datasets/taxi"', "")
    # the cluster is commented out: no compute is declared
    write(tmp_path, {"terraform/main.tf": job % "# new_cluster { num_workers = 3 }"})
    assert outcome(tmp_path, "repro.config-file") is Outcome.FAIL
    assert outcome(tmp_path, "deployment.training-image") is Outcome.FAIL


def test_bentoml_containerize_in_ci_builds_the_image_the_service_runs_in(tmp_path):
    files = {
        "service.py": """
            import bentoml
            svc = bentoml.Service("iris")
        """,
        ".github/workflows/ci.yml": """
            on: [push]
            jobs:
              build:
                runs-on: ubuntu-latest
                steps:
                  - run: pip install bentoml
                  - run: bentoml build
                  - run: bentoml containerize iris:latest -t me/iris:latest
        """,
    }
    write(tmp_path, files)
    assert outcome(tmp_path, "deployment.training-image") is Outcome.PASS


def test_installing_bentoml_in_ci_builds_no_image(tmp_path):
    write(
        tmp_path,
        {
            ".github/workflows/ci.yml": """
                on: [push]
                jobs:
                  b: {runs-on: x, steps: [{run: pip install bentoml}, {run: bentoml build}]}
            """,
        },
    )
    assert outcome(tmp_path, "deployment.training-image") is Outcome.FAIL


def test_a_kedro_catalog_defined_in_python_saves_the_model(tmp_path):
    write(
        tmp_path,
        {
            "src/catalogs/catalog.py": """
                from kedro.extras.datasets.pandas import CSVDataSet
                from kedro.extras.datasets.pickle import PickleDataSet

                catalog_dict = {
                    "train_df": CSVDataSet(filepath="data/input/train.csv"),
                    "model": PickleDataSet(filepath="data/model/model.pkl"),
                }
            """,
        },
    )
    assert outcome(tmp_path, "tracking.model-artifact") is Outcome.PASS


def test_a_kedro_data_catalog_of_tables_saves_no_model(tmp_path):
    write(
        tmp_path,
        {
            "src/catalog.py": """
                from kedro_datasets.pandas import CSVDataset
                catalog = {"pred_df": CSVDataset(filepath="data/load/pred.csv")}
            """,
        },
    )
    assert outcome(tmp_path, "tracking.model-artifact") is Outcome.FAIL


def test_zenml_mlflow_registry_steps_register_and_deploy_a_registry_version(tmp_path):
    write(
        tmp_path,
        {
            "steps/register_model.py": """
                from zenml.integrations.mlflow.steps.mlflow_registry import (
                    mlflow_register_model_step,
                )
                register_model = mlflow_register_model_step.with_options(
                    parameters=dict(name="best")
                )
            """,
            "steps/model_deployer.py": """
                from zenml import step
                from zenml.integrations.mlflow.steps.mlflow_deployer import (
                    mlflow_model_registry_deployer_step,
                )

                @step
                def deploy_model_step(version: int = 1):
                    mlflow_model_registry_deployer_step(
                        registry_model_name="best", registry_model_version=version
                    )
            """,
        },
    )
    assert outcome(tmp_path, "tracking.registry") is Outcome.PASS
    assert outcome(tmp_path, "tracking.serving-from-registry") is Outcome.PASS


def test_a_hydra_config_naming_only_the_experiment_holds_no_parameters(tmp_path):
    # too high before: the experiment's name and tracking URI read as the run's parameters
    write(
        tmp_path,
        {
            "conf/config.yaml": "defaults:\n  - _self_\n  - experiment: default\n",
            "conf/experiment/default.yaml": (
                "_target_: pkg.ExperimentModel\nname: demo\ntracking_uri: http://localhost:5000\n"
            ),
        },
    )
    assert outcome(tmp_path, "repro.config-file") is Outcome.FAIL
    write(tmp_path, {"conf/model/rf.yaml": "n_estimators: 100\nmax_depth: 5\n"})
    assert outcome(tmp_path, "repro.config-file") is Outcome.PASS


def test_an_azure_pipelines_file_and_a_job_naming_its_model_hold_no_parameters(tmp_path):
    # too high before: `pipeline/pipeline.yml` (Azure Pipelines) and an Azure ML pipeline job
    # whose only scalar input is the model's name
    write(
        tmp_path,
        {
            "pipeline/pipeline.yml": """
                trigger: none
                pool: {vmImage: ubuntu-latest}
                stages:
                - stage: Train
                  jobs:
                  - job: Train
                    steps:
                    - script: python train.py
            """,
            "aml/training/pipeline.yml": """
                $schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json
                type: pipeline
                experiment_name: power
                inputs:
                  input: {type: uri_file, path: "azureml:power-data@latest"}
                jobs:
                  train:
                    command: python training.py --model_name ${{inputs.model_name}}
                    inputs:
                      raw_data: ${{parent.inputs.input}}
                      model_name: "power-gen-model"
            """,
        },
    )
    assert outcome(tmp_path, "repro.config-file") is Outcome.FAIL
    write(
        tmp_path,
        {
            "aml/training/pipeline.yml": """
                $schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json
                type: pipeline
                jobs:
                  train:
                    command: python training.py --split ${{inputs.split}}
                    inputs:
                      split: 0.2
            """,
        },
    )
    assert outcome(tmp_path, "repro.config-file") is Outcome.PASS


def test_pipelinex_mlflow_hooks_track_the_kedro_runs(tmp_path):
    write(
        tmp_path,
        {
            "src/hooks/mlflow_hooks.py": """
                import pipelinex

                mlflow_hooks = (
                    pipelinex.MLflowBasicLoggerHook(uri="sqlite:///mlruns/db", experiment_name="e"),
                    pipelinex.MLflowArtifactsLoggerHook(datasets_after_node_run=["model"]),
                )
            """,
        },
    )
    assert outcome(tmp_path, "tracking.experiments") is Outcome.PASS
    write(tmp_path, {"src/hooks/mlflow_hooks.py": "import pipelinex\nhooks = ()\n"})
    assert outcome(tmp_path, "tracking.experiments") is Outcome.FAIL

"""Defect classes of the third held-out batch (issue 23), read once that batch joined the
calibration part: tracking and reproducibility read too low on managed ML stacks (Databricks,
Vertex/Kubeflow, SageMaker, Azure ML, Metaflow) and on manifests other than requirements.txt.
One test per class, on small fixtures; each fails on the code before the fix. The fifth
held-out batch had not been looked at when they were chosen."""

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write


def outcome(root, check_id):
    return checks(root)[check_id].outcome


def test_pep735_dependency_groups_declare_what_the_project_runs_on(tmp_path):
    # `uv add --group train ...`: an empty [project] list, the packages in named groups
    write(
        tmp_path / "uv",
        {
            "pyproject.toml": """
                [project]
                name = "flows"
                dependencies = []

                [dependency-groups]
                train = ["scikit-learn>=1.3", "metaflow>=2.15"]
                dev = ["pytest"]
            """,
        },
    )
    assert outcome(tmp_path / "uv", "repro.dependencies") is Outcome.PASS
    # a project whose groups are only tools for developing it declares nothing it runs on
    write(
        tmp_path / "dev",
        {
            "pyproject.toml": """
                [project]
                name = "flows"
                dependencies = []

                [dependency-groups]
                dev = ["pytest", "ruff"]
                test-integration = ["requests"]
            """,
        },
    )
    assert outcome(tmp_path / "dev", "repro.dependencies") is Outcome.FAIL


def test_an_npm_manifest_declares_the_dependencies_of_a_cdk_or_web_part(tmp_path):
    write(
        tmp_path / "cdk",
        {
            "package.json": """
                {"name": "infra", "dependencies": {"aws-cdk-lib": "2.100.0"},
                 "devDependencies": {"typescript": "5.2.0"}}
            """,
        },
    )
    assert outcome(tmp_path / "cdk", "repro.dependencies") is Outcome.PASS
    write(tmp_path / "empty", {"package.json": '{"name": "x", "private": true}'})
    assert outcome(tmp_path / "empty", "repro.dependencies") is Outcome.FAIL


def test_azure_ml_inputs_with_values_are_the_runs_parameters_in_config(tmp_path):
    write(
        tmp_path / "component",
        {
            "pipelines/components/train.yml": """
                $schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json
                type: command
                name: train
                inputs:
                  data_input:
                    type: uri_file
                  n_estimators:
                    type: integer
                    default: 200
                command: python train.py --n ${{inputs.n_estimators}}
            """,
        },
    )
    assert outcome(tmp_path / "component", "repro.config-file") is Outcome.PASS
    # data inputs only: data, not parameters
    write(
        tmp_path / "data",
        {
            "pipelines/components/score.yml": """
                $schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json
                type: command
                name: score
                inputs:
                  model_input:
                    type: mlflow_model
                  data_input:
                    type: uri_file
                command: python score.py
            """,
        },
    )
    assert outcome(tmp_path / "data", "repro.config-file") is Outcome.FAIL


def test_a_databricks_job_spec_passing_parameters_keeps_them_in_config(tmp_path):
    write(
        tmp_path,
        {
            "deployment/databricks/job_template_training.json": """
                {"name": "training", "existing_cluster_id": "X",
                 "notebook_task": {"notebook_path": "/train",
                                   "base_parameters": {"num_leaves": "32", "metric": "rmse"}}}
            """,
        },
    )
    assert outcome(tmp_path, "repro.config-file") is Outcome.PASS


def test_a_kubeflow_component_writing_metrics_artifacts_tracks_its_runs(tmp_path):
    write(
        tmp_path,
        {
            "components/evaluate/main.py": """
                from kfp.v2.dsl import Input, Metrics, Model, Output, component

                @component(base_image="python:3.10")
                def evaluate(model: Input[Model], metrics: Output[Metrics]):
                    metrics.log_metric("RMSE", 0.3)
            """,
        },
    )
    assert outcome(tmp_path, "tracking.experiments") is Outcome.PASS


def test_databricks_feature_store_logs_registers_and_scores_the_model(tmp_path):
    write(
        tmp_path,
        {
            "src/taxi/publish_model.py": """
                import mlflow
                from databricks import feature_store

                def publish(model, training_set, name):
                    fs = feature_store.FeatureStoreClient()
                    fs.log_model(model, artifact_path="model", flavor=mlflow.lightgbm,
                                 training_set=training_set, registered_model_name=name)
            """,
            "src/taxi/scoring_batch.py": """
                import mlflow
                from databricks import feature_store

                def score(name, version, df):
                    model_uri = f"models:/{name}/{version}"
                    fs = feature_store.FeatureStoreClient()
                    return fs.score_batch(model_uri, df)
            """,
        },
    )
    result = checks(tmp_path)
    assert result["tracking.model-artifact"].outcome is Outcome.PASS
    assert result["tracking.registry"].outcome is Outcome.PASS
    assert result["tracking.serving-from-registry"].outcome is Outcome.PASS
    assert result["deployment.predict-script"].outcome is Outcome.PASS


def test_a_metaflow_flow_keeps_its_model_as_a_step_artifact(tmp_path):
    write(
        tmp_path / "flow",
        {
            "flows/train_flow.py": """
                from metaflow import FlowSpec, step

                class Train(FlowSpec):
                    @step
                    def start(self):
                        self.model = fit_seasonal_naive(self.data)
                        self.next(self.end)

                    @step
                    def end(self):
                        pass
            """,
        },
    )
    assert outcome(tmp_path / "flow", "tracking.model-artifact") is Outcome.PASS
    # a path to a model is not the model
    write(
        tmp_path / "path",
        {
            "flows/train_flow.py": """
                import os
                from metaflow import FlowSpec, step

                class Train(FlowSpec):
                    @step
                    def start(self):
                        self.model_path = os.path.join("models", "m.pkl")
                        self.next(self.end)

                    @step
                    def end(self):
                        pass
            """,
        },
    )
    assert outcome(tmp_path / "path", "tracking.model-artifact") is Outcome.FAIL


def test_a_sagemaker_pipeline_defined_in_terraform_tracks_its_executions(tmp_path):
    write(
        tmp_path,
        {
            "terraform/pipeline.tf": """
                resource "aws_sagemaker_pipeline" "training" {
                  pipeline_name       = "titanic"
                  pipeline_definition = file("${path.module}/pipeline.json")
                }
            """,
        },
    )
    assert outcome(tmp_path, "tracking.experiments") is Outcome.PASS


def test_azure_ml_v1_batch_inference_fetches_the_registered_model(tmp_path):
    write(
        tmp_path,
        {
            "src/train.py": """
                import mlflow

                def train(model):
                    mlflow.sklearn.log_model(model, "model", registered_model_name="churn")
            """,
            "src/models/inference.py": """
                from azureml.core import Model, Workspace

                def load(ws: Workspace):
                    aml_model = Model(workspace=ws, name="churn", tags=["prod"])
                    return aml_model.download("/tmp/model")
            """,
        },
    )
    assert outcome(tmp_path, "tracking.serving-from-registry") is Outcome.PASS

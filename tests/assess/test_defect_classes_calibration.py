"""Defect classes seen on the calibration part of the corpus once the previous held-out
repositories joined it (issue 23), one test each, on small fixtures; each fails on the code
before the fix. The held-out batch was not looked at to choose them."""

from scaffolder.assess.models import Outcome
from scaffolder.assess.scan import scan
from tests.assess.repos import checks, write


def _deploy_jobs(root) -> list[str]:
    return [f.detail["job"] for f in scan(root).facts if f.kind == "ci.step.deploy"]


def test_a_metrics_handler_of_the_serving_app_is_serving_monitoring(tmp_path):
    # a Flask route and a BentoML api returning generate_latest(): the app exports its metrics
    write(
        tmp_path / "flask",
        {
            "application.py": """
                import joblib
                from flask import Flask, Response
                from prometheus_client import Counter, generate_latest
                app = Flask(__name__)
                PREDICTIONS = Counter("predictions_total", "predictions")

                @app.route("/metrics")
                def metrics():
                    return Response(generate_latest(), mimetype="text/plain")
            """,
        },
    )
    result = checks(tmp_path / "flask")["monitoring.serving-metrics"]
    assert result.outcome is Outcome.PASS, result.message
    assert result.evidence == ["application.py:9"]  # the generate_latest() call
    write(
        tmp_path / "bento",
        {
            "service.py": """
                import bentoml
                from prometheus_client import generate_latest

                @bentoml.service
                class Predictor:
                    @bentoml.api
                    def metrics(self) -> str:
                        return generate_latest().decode()
            """,
        },
    )
    assert checks(tmp_path / "bento")["monitoring.serving-metrics"].outcome is Outcome.PASS
    # a batch job pushing its metrics is pipeline monitoring, not the serving side
    write(
        tmp_path / "job",
        {
            "job.py": """
                from prometheus_client import generate_latest
                def report():
                    print(generate_latest())
            """,
        },
    )
    assert checks(tmp_path / "job")["monitoring.serving-metrics"].outcome is Outcome.FAIL


def test_an_mlflow_model_image_serves_the_registered_model(tmp_path):
    write(
        tmp_path,
        {
            "code/build_docker_image.py": """
                import mlflow
                if __name__ == "__main__":
                    model_uri = "models:/churn@Challenger"
                    mlflow.models.build_docker(model_uri=model_uri, name="org/churn")
            """,
        },
    )
    result = checks(tmp_path)
    for check_id in (
        "deployment.predict-script",
        "deployment.training-image",
        "deployment.serving-api",
        "tracking.serving-from-registry",
    ):
        assert result[check_id].outcome is Outcome.PASS, (check_id, result[check_id].message)


def test_a_service_started_detached_by_a_deploying_job_or_left_on_the_jenkins_host(tmp_path):
    write(
        tmp_path / "gha",
        {
            ".github/workflows/4_continuous_deployment.yml": """
                on: {workflow_run: {workflows: [staging], types: [completed]}}
                jobs:
                  deploy-prod:
                    runs-on: self-hosted
                    steps:
                      - run: docker pull ghcr.io/org/serving:production
                      - run: |
                          docker run -d --name serving-app -p 9000:8080 \\
                            ghcr.io/org/serving:production
                  smoke:
                    runs-on: ubuntu-latest
                    steps:
                      - run: docker run -d -p 8000:8000 api:test && pytest tests/smoke
            """,
        },
    )
    # the deploying job counts; a container started by another job for its tests does not
    assert _deploy_jobs(tmp_path / "gha") == ["deploy-prod"]
    write(
        tmp_path / "jenkins",
        {
            "Jenkinsfile": """
                pipeline {
                  agent any
                  stages {
                    stage('Build') { steps { sh 'docker-compose down && docker build -t app .' } }
                    stage('Up') { steps { sh 'docker-compose up -d' } }
                  }
                }
            """,
        },
    )
    assert _deploy_jobs(tmp_path / "jenkins") == ["service left running on the Jenkins host"]
    write(
        tmp_path / "jenkins-tests",
        {
            "Jenkinsfile": """
                pipeline {
                  agent any
                  stages {
                    stage('Test') {
                      steps { sh 'docker compose up -d && pytest tests/ && docker compose down' }
                    }
                  }
                }
            """,
        },
    )
    assert _deploy_jobs(tmp_path / "jenkins-tests") == []


def test_dtap_environment_sections_are_config_per_environment(tmp_path):
    write(
        tmp_path,
        {
            "project_config.yml": """
                prd:
                  catalog_name: mlops_prd
                acc:
                  catalog_name: mlops_acc
                dev:
                  catalog_name: mlops_dev
                parameters:
                  learning_rate: 0.01
            """,
        },
    )
    result = checks(tmp_path)
    assert result["repro.config-file"].outcome is Outcome.PASS
    assert result["repro.environments"].outcome is Outcome.PASS, result["repro.environments"]


def test_mlflow_log_input_records_the_data_version_with_the_run(tmp_path):
    write(
        tmp_path,
        {
            "src/train.py": """
                import mlflow
                def train(spark, version):
                    df = spark.read.format("delta").option("versionAsOf", version).table("t")
                    dataset = mlflow.data.from_spark(df, table_name="t", version=version)
                    with mlflow.start_run():
                        mlflow.log_input(dataset, context="training")
            """,
        },
    )
    assert checks(tmp_path)["repro.data-lineage"].outcome is Outcome.PASS


def test_databricks_quality_monitors_and_job_compute(tmp_path):
    write(
        tmp_path,
        {
            "databricks.yml": "bundle: {name: churn}\ninclude: [resources/*.yml]\n",
            "resources/jobs.yml": """
                resources:
                  jobs:
                    deployment:
                      name: deployment
                      environments:
                        - environment_key: default
                          spec: {client: "1"}
                      tasks:
                        - task_key: deploy
                          environment_key: default
                          spark_python_task: {python_file: ../scripts/deploy.py}
            """,
            "src/churn/monitoring.py": """
                from databricks.sdk import WorkspaceClient
                def create_monitor(table):
                    w = WorkspaceClient()
                    w.quality_monitors.create(table_name=table, assets_dir="/monitors")
            """,
        },
    )
    result = checks(tmp_path)
    assert result["deployment.training-image"].outcome is Outcome.PASS
    assert result["monitoring.pipeline-metrics"].outcome is Outcome.PASS
    assert result["monitoring.serving-metrics"].outcome is Outcome.PASS


def test_e2e_inside_a_pinned_action_commit_is_no_integration_test(tmp_path):
    write(
        tmp_path,
        {
            ".github/workflows/ci.yml": """
                on: [pull_request]
                jobs:
                  validate:
                    runs-on: ubuntu-latest
                    steps:
                      - uses: databricks/setup-cli@b2c5e2edd3f1a4b6c7d8e9f00112233445566778
                      - run: databricks bundle validate
            """,
        },
    )
    kinds = {f.kind for f in scan(tmp_path).facts}
    assert "ci.step.integration" not in kinds


def test_a_threshold_counts_as_a_gate_only_when_it_holds_a_metric(tmp_path):
    write(
        tmp_path / "filters",
        {
            "configs/config.yaml": """
                training:
                  random_forest_params: {max_depth: 12, min_samples_leaf: 2}
                preprocessing:
                  filters: {min_price: 1000, max_price: 500000, min_year: 1990}
                threshold: 0.5
            """,
        },
    )
    assert checks(tmp_path / "filters")["validation.quality-gate"].outcome is Outcome.FAIL
    write(
        tmp_path / "gate",
        {
            "configs/config.yaml": """
                evaluation:
                  min_accuracy: 0.8
                quality_gate:
                  thresholds: {f1: 0.7}
            """,
        },
    )
    assert checks(tmp_path / "gate")["validation.quality-gate"].outcome is Outcome.PASS


def test_a_kedro_prediction_node_loads_the_catalog_model(tmp_path):
    write(
        tmp_path,
        {
            "conf/base/catalog.yml": """
                random_forest_model:
                  type: pickle.PickleDataset
                  filepath: data/06_models/random_forest.pkl
                X_test:
                  type: pandas.ParquetDataset
                  filepath: data/05_model_input/X_test.parquet
            """,
            "src/fifa/pipelines/prediction/pipeline.py": """
                from kedro.pipeline import Node, Pipeline
                from .nodes import predict_model

                def create_pipeline(**kwargs) -> Pipeline:
                    return Pipeline([
                        Node(func=predict_model, inputs=["random_forest_model", "X_test"],
                             outputs="y_pred", name="y_pred_node"),
                    ])
            """,
        },
    )
    result = checks(tmp_path)["deployment.predict-script"]
    assert result.outcome is Outcome.PASS, result.message
    assert result.evidence == ["src/fifa/pipelines/prediction/pipeline.py:6"]
    # a training node whose output is the model loads nothing
    write(
        tmp_path / "train",
        {
            "conf/base/catalog.yml": (tmp_path / "conf/base/catalog.yml").read_text(),
            "src/fifa/pipelines/training/pipeline.py": """
                from kedro.pipeline import node, pipeline
                from .nodes import train

                def create_pipeline(**kwargs):
                    return pipeline([node(train, "X_train", "random_forest_model")])
            """,
        },
    )
    assert checks(tmp_path / "train")["deployment.predict-script"].outcome is Outcome.FAIL


def test_a_metric_held_to_a_baseline_is_a_gate_a_running_best_is_not(tmp_path):
    write(
        tmp_path / "gate",
        {
            "code/model_validation.py": """
                import mlflow
                def check_model(test_accuracy, baseline_accuracy=0.8):
                    if test_accuracy is None or test_accuracy <= baseline_accuracy:
                        raise ValueError("not better than the baseline")
            """,
        },
    )
    assert checks(tmp_path / "gate")["validation.quality-gate"].outcome is Outcome.PASS
    write(
        tmp_path / "search",
        {
            "code/tune.py": """
                import joblib
                def tune(models, X, y):
                    best_score, best = 0, None
                    for m in models:
                        score = m.fit(X, y).score(X, y)
                        if score > best_score:
                            best_score, best = score, m
                    joblib.dump(best, "model.pkl")
            """,
        },
    )
    assert checks(tmp_path / "search")["validation.quality-gate"].outcome is Outcome.FAIL


def test_vertex_pipeline_ops_run_by_a_cloud_build_config_in_its_own_folder(tmp_path):
    write(
        tmp_path,
        {
            ".cloud-build/run_pipelines_cloudbuild.yaml": """
                steps:
                  - name: python
                    entrypoint: /bin/sh
                    args: ['-c', 'python3 workspace/run_pipeline.py']
            """,
            "training/pipeline.py": """
                from kfp.v2 import dsl
                from google_cloud_pipeline_components import aiplatform as gcc_aip

                @dsl.pipeline(name="train-deploy")
                def pipeline(project: str):
                    training = gcc_aip.AutoMLImageTrainingJobRunOp(project=project)
                    gcc_aip.ModelDeployOp(model=training.outputs["model"])
            """,
        },
    )
    result = checks(tmp_path)
    for check_id in (
        "tracking.model-artifact",
        "tracking.registry",
        "pipelines.image-build",
        "deployment.training-image",
        "deployment.serving-api",
        "deployment.cd-workflow",
    ):
        assert result[check_id].outcome is Outcome.PASS, (check_id, result[check_id].message)


def test_azure_monitor_alerts_from_the_sdk_and_json_config_per_environment_folder(tmp_path):
    write(
        tmp_path,
        {
            "mlops/monitoring/create_alerts.py": """
                from azure.mgmt.monitor import MonitorManagementClient
                def create(client: MonitorManagementClient, group, name, rule):
                    client.scheduled_query_rules.create_or_update(group, name, rule)
            """,
            "variables/dev/parameters/parameters.json": '{"workspace": "mlw-dev"}',
            "variables/prod/parameters/parameters.json": '{"workspace": "mlw-prod"}',
        },
    )
    result = checks(tmp_path)
    assert result["monitoring.pipeline-metrics"].outcome is Outcome.PASS
    assert result["repro.environments"].outcome is Outcome.PASS


def test_a_managed_pipeline_definition_alone_is_no_evidence_of_training(tmp_path):
    write(
        tmp_path,
        {
            "src/lib/pipeline.py": """
                from sagemaker.workflow.pipeline import Pipeline
                def build(name, steps):
                    return Pipeline(name=name, steps=steps)
            """,
        },
    )
    result = checks(tmp_path)["pipelines.train-entrypoint"]
    assert result.outcome is Outcome.FAIL, result.message


def test_batch_scoring_on_spark_takes_the_model_version_from_the_registry(tmp_path):
    write(
        tmp_path / "stage",
        {
            "lendingclub/tasks/score.py": """
                import mlflow
                class ScoreTask:
                    def launch(self, spark, model_name, stage):
                        udf = mlflow.pyfunc.spark_udf(spark, model_uri=f"models:/{model_name}/{stage}")
                        return udf
            """,
        },
    )
    result = checks(tmp_path / "stage")
    assert result["deployment.predict-script"].outcome is Outcome.PASS
    assert result["tracking.serving-from-registry"].outcome is Outcome.PASS
    write(
        tmp_path / "lookup",
        {
            "notebooks/score.py": """
                # Databricks notebook source
                import mlflow
                from mlflow.tracking.client import MlflowClient
                client = MlflowClient()
                model = client.search_model_versions("name='churn-model'")[0]
                loaded = mlflow.pyfunc.spark_udf(spark, model_uri=f"runs:/{model.run_id}/model")
            """,
        },
    )
    assert checks(tmp_path / "lookup")["tracking.serving-from-registry"].outcome is Outcome.PASS


def test_databricks_job_specs_and_dbx_workflows_run_by_ci(tmp_path):
    write(
        tmp_path / "api",
        {
            "jobs/create-train-job.json": """
                {"name": "train-churn", "new_cluster": {"spark_version": "10.4.x-scala2.12"},
                 "notebook_task": {"notebook_path": "/Repos/QA/churn/notebooks/train"}}
            """,
            "notebooks/train.py": """
                import mlflow
                with mlflow.start_run():
                    mlflow.sklearn.log_model(model, "model")
            """,
            "azure-pipelines.yml": """
                trigger: [main]
                stages:
                  - stage: Train
                    jobs:
                      - job: Train
                        steps:
                          - script: |
                              JOB_ID=$(databricks jobs create --json-file jobs/create-train-job.json | jq .job_id)
                              databricks jobs run-now --job-id $JOB_ID
            """,
        },
    )
    result = checks(tmp_path / "api")
    for check_id in (
        "pipelines.orchestrated",
        "pipelines.image-build",
        "deployment.training-image",
        "governance.change-review",  # no `pr:`: pull requests are validated by default
    ):
        assert result[check_id].outcome is Outcome.PASS, (check_id, result[check_id].message)
    write(
        tmp_path / "dbx",
        {
            "conf/deployment.yml": """
                environments:
                  default:
                    workflows:
                      - name: lendingclub-train
                        tasks:
                          - task_key: main
                            python_wheel_task: {package_name: lendingclub, entry_point: train}
            """,
            ".azure/pipelines/cicd.yml": """
                trigger: none
                steps:
                  - script: dbx deploy && dbx execute lendingclub-train --task main
            """,
        },
    )
    result = checks(tmp_path / "dbx")
    assert result["pipelines.orchestrated"].outcome is Outcome.PASS
    assert result["pipelines.image-build"].outcome is Outcome.PASS
    # a pipeline run by hand (trigger: none, no pr:) checks no pull request
    assert result["governance.change-review"].outcome is Outcome.FAIL

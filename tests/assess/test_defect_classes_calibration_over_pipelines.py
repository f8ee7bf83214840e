"""Defect classes read from the calibration part's too-high pipelines cells: a CI step that
builds only the model's serving image (`bentoml build`/`containerize`, `mlflow models
build-docker`) read as CI/CD building the pipeline.
Each test fails on the code before the fix; each reads a shape of a stack, not one repository's
files, and the near misses beside them pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

DAG = """
    from airflow import DAG
    from airflow.operators.python import PythonOperator


    def train():
        pass


    with DAG("churn_training", schedule=None) as dag:
        PythonOperator(task_id="train", python_callable=train)
"""


def _workflow(command: str) -> str:
    return f"""
        on: {{push: {{branches: [main]}}}}
        jobs:
          deploy:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - run: |
                  {command}
    """


def test_a_bento_built_and_containerized_is_the_serving_image_not_the_pipeline(tmp_path):
    workflow = _workflow("bentoml build --version 1 && bentoml containerize churn_service:1")
    write(tmp_path, {"dags/churn.py": DAG, ".github/workflows/deploy.yml": workflow})
    assert checks(tmp_path)["pipelines.image-build"].outcome is Outcome.FAIL


def test_an_mlflow_model_image_is_the_serving_image_not_the_pipeline(tmp_path):
    workflow = _workflow("mlflow models build-docker -m models:/churn/1 -n churn-serving")
    write(tmp_path, {"dags/churn.py": DAG, ".github/workflows/deploy.yml": workflow})
    assert checks(tmp_path)["pipelines.image-build"].outcome is Outcome.FAIL


def test_a_bento_beside_a_docker_build_of_the_project_still_builds_images(tmp_path):
    # near miss: the same step also builds the project's own image (the Airflow/training one)
    workflow = _workflow("bentoml build && docker build -t churn-airflow -f Dockerfile .")
    write(tmp_path, {"dags/churn.py": DAG, ".github/workflows/deploy.yml": workflow})
    assert checks(tmp_path)["pipelines.image-build"].outcome is Outcome.PASS


def test_a_jenkins_bento_build_is_the_serving_image_too(tmp_path):
    jenkinsfile = """
        pipeline {
            agent any
            stages {
                stage('Serve') {
                    steps {
                        sh 'bentoml build && bentoml containerize churn_service:latest'
                    }
                }
            }
        }
    """
    write(tmp_path, {"dags/churn.py": DAG, "Jenkinsfile": jenkinsfile})
    assert checks(tmp_path)["pipelines.image-build"].outcome is Outcome.FAIL

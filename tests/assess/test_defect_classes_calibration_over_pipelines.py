"""Defect classes read from the calibration part's too-high pipelines and quality cells: a CI
step that builds only the model's serving image (`bentoml build`/`containerize`, `mlflow models
build-docker`) read as CI/CD building the pipeline; a CI step giving `python -m unittest` a
dotted name that reaches no test module (`tests.TestModel.test_x` with no `tests/TestModel.py`)
read as CI running the tests.
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


TEST_MODULE = """
    import unittest


    class TestModel(unittest.TestCase):
        def test_train_model(self):
            self.assertTrue(True)


    def test_prepare():
        assert 1 + 1 == 2
"""


def _unittest_workflow(target: str) -> str:
    return f"""
        on: [push, pull_request]
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - name: Run tests
                run: python -m unittest {target}
    """


def test_ci_running_a_test_module_the_repository_lacks_runs_no_tests(tmp_path):
    # `tests.TestModel...`: no tests/TestModel.py, the class lives in tests/test_model.py
    workflow = _unittest_workflow("tests.TestModel.test_train_model")
    write(tmp_path, {"tests/__init__.py": "", "tests/test_model.py": TEST_MODULE})
    write(tmp_path, {".github/workflows/ci.yml": workflow})
    assert checks(tmp_path)["quality.ci-tests"].outcome is Outcome.FAIL


def test_ci_running_the_test_module_by_its_dotted_name_runs_tests(tmp_path):
    # near miss: the dotted name reaches the module, then its class and method
    workflow = _unittest_workflow("tests.test_model.TestModel.test_train_model")
    write(tmp_path, {"tests/__init__.py": "", "tests/test_model.py": TEST_MODULE})
    write(tmp_path, {".github/workflows/ci.yml": workflow})
    assert checks(tmp_path)["quality.ci-tests"].outcome is Outcome.PASS


def test_ci_running_unittest_discovery_runs_tests(tmp_path):
    workflow = _unittest_workflow("discover -s tests")
    write(tmp_path, {"tests/__init__.py": "", "tests/test_model.py": TEST_MODULE})
    write(tmp_path, {".github/workflows/ci.yml": workflow})
    assert checks(tmp_path)["quality.ci-tests"].outcome is Outcome.PASS

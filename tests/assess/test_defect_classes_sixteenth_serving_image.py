"""Defect class read from the calibration part's too-high pipelines cells: a CI job building
and pushing only the serving app's image (a Dockerfile whose CMD runs uvicorn, gunicorn,
flask, bentoml or mlflow serve) read as CI/CD building the pipeline's images. The build step
now records the Dockerfile it builds (`-f`, build-push-action's `file:`/`context:`), and a job
whose every named Dockerfile serves the app builds `ci.step.serving_image`.
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
API_DOCKERFILE = """
    FROM python:3.11-slim
    COPY src/ /app/src/
    CMD ["uvicorn", "src.api.main:app", "--host", "0.0.0.0", "--port", "8000"]
"""
TRAIN_DOCKERFILE = """
    FROM python:3.11-slim
    COPY src/ /app/src/
    CMD ["python", "-m", "src.train"]
"""


def _workflow(build: str, extra: str = "") -> str:
    return f"""
        on: {{push: {{branches: [main]}}}}
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - run: |
                  {build}
              - run: docker push registry.example.com/churn:latest
              {extra}
    """


def _repo(tmp_path, workflow: str) -> dict:
    write(
        tmp_path,
        {
            "dags/churn.py": DAG,
            "docker/Dockerfile.api": API_DOCKERFILE,
            "docker/Dockerfile.train": TRAIN_DOCKERFILE,
            ".github/workflows/build.yml": workflow,
        },
    )
    return checks(tmp_path)


def test_a_job_building_only_the_api_image_does_not_build_the_pipeline(tmp_path):
    workflow = _workflow("docker build -f docker/Dockerfile.api -t churn-api .")
    assert _repo(tmp_path, workflow)["pipelines.image-build"].outcome is Outcome.FAIL


def test_build_push_action_of_the_api_dockerfile_is_the_serving_image(tmp_path):
    workflow = """
        on: {push: {branches: [main]}}
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - uses: docker/build-push-action@v6
                with:
                  context: .
                  file: docker/Dockerfile.api
                  push: true
    """
    assert _repo(tmp_path, workflow)["pipelines.image-build"].outcome is Outcome.FAIL


def test_a_job_building_the_training_image_still_builds_the_pipeline(tmp_path):
    # near miss: the same job also builds the image that runs the training
    workflow = _workflow(
        "docker build -f docker/Dockerfile.api -t churn-api . && "
        "docker build -f docker/Dockerfile.train -t churn-train ."
    )
    assert _repo(tmp_path, workflow)["pipelines.image-build"].outcome is Outcome.PASS


def test_the_api_image_beside_a_pipeline_run_still_scores(tmp_path):
    # near miss: CI builds the API image and also runs the pipeline
    workflow = _workflow("docker build -f docker/Dockerfile.api -t churn-api .", "- run: dvc repro")
    assert _repo(tmp_path, workflow)["pipelines.image-build"].outcome is Outcome.PASS


def test_an_image_whose_dockerfile_cannot_be_read_still_builds(tmp_path):
    # near miss: the Dockerfile is named by a variable; the build is not read as serving
    workflow = _workflow("docker build -f $DOCKERFILE -t churn .")
    assert _repo(tmp_path, workflow)["pipelines.image-build"].outcome is Outcome.PASS

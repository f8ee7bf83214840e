"""Defect class read from the deployment misses of the seventeenth batch once it joined the
calibration part: containers that run only the platform around a project (Postgres, LocalStack,
Grafana, Adminer, an MLflow tracking server built from a Dockerfile, the Prefect server) read
as the project's pipeline or serving running in a container. Their images or commands say what
they are; they run none of the project's training or prediction code.
The tests fail on the code before the fix; the near misses (a compose service of the project's
own image, the MLflow image serving a model, a Dockerfile running the project's script) pass on
both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

FLOW = """
    import mlflow


    def predict_batch(features):
        model = mlflow.pyfunc.load_model("models:/solar/Production")
        return model.predict(features)
"""
PLATFORM = """
    services:
      postgres:
        image: postgres:15-alpine
      localstack:
        image: localstack/localstack:2.3
      grafana:
        image: grafana/grafana:10.2.0
      adminer:
        image: adminer:4.8.1
      mlflow:
        build:
          context: .
          dockerfile: infrastructure/docker/Dockerfile.mlflow
        command:
          - mlflow
          - server
          - --host=0.0.0.0
      prefect-server:
        image: prefecthq/prefect:3-python3.11
        command: prefect server start --host 0.0.0.0
"""
MLFLOW_DOCKERFILE = """
    FROM python:3.10-slim
    RUN pip install --no-cache-dir mlflow==3.1.1 psycopg2-binary boto3
    EXPOSE 5000
"""


def _image(tmp_path, files: dict[str, str]) -> Outcome:
    write(
        tmp_path,
        {
            "requirements.txt": "mlflow==3.1.1\nprefect==3.0.0\n",
            "src/batch/flow.py": FLOW,
            "infrastructure/docker/Dockerfile.mlflow": MLFLOW_DOCKERFILE,
            **files,
        },
    )
    return checks(tmp_path)["deployment.training-image"].outcome


def test_platform_services_alone_run_nothing_of_the_project(tmp_path):
    assert _image(tmp_path, {"docker-compose.yml": PLATFORM}) is Outcome.FAIL


def test_a_dockerfile_starting_the_tracking_server_runs_nothing_of_the_project(tmp_path):
    dockerfile = MLFLOW_DOCKERFILE + 'CMD ["mlflow", "server", "--host", "0.0.0.0"]\n'
    assert _image(tmp_path, {"infrastructure/docker/Dockerfile.mlflow": dockerfile}) is (
        Outcome.FAIL
    )


def test_a_service_of_the_projects_own_image_still_counts(tmp_path):
    # near miss: beside the platform, a service built from the project's Dockerfile
    compose = (
        PLATFORM
        + """
      batch:
        build: .
        command: python -m src.batch.flow
    """
    )
    files = {"docker-compose.yml": compose, "Dockerfile": "FROM python:3.11-slim\nCOPY . .\n"}
    assert _image(tmp_path, files) is Outcome.PASS


def test_the_mlflow_image_serving_a_model_still_counts(tmp_path):
    # near miss: the platform's image told to serve the model (`mlflow models serve`)
    compose = """
    services:
      model:
        image: ghcr.io/mlflow/mlflow:v2.12.1
        command: mlflow models serve -m models:/solar/Production --host 0.0.0.0
    """
    assert _image(tmp_path, {"docker-compose.yml": compose}) is Outcome.PASS

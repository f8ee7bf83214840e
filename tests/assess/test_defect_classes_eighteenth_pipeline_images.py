"""Defect class read from the calibration part's too-high pipelines cells (eighteenth round): a CI
build read as building the pipeline's image whatever image it builds. The build is now read
against the repository wherever it names its Dockerfile (a `working-directory`, a `cd`, a
workflow variable, a Cloud Build `args:` list, a Terraform local-exec run from its root module),
and a job counts only when one of its images may be the pipeline's: not a context folder the
repository does not hold, not the serving app (its command runs the project's Flask/FastAPI
app, a Lambda handler serving predictions, a Streamlit UI, a copied script starting uvicorn),
not project code that trains nothing (a stream consumer). Each test fails on the code before
the fix; the near misses beside them pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

FLOW = """
    from prefect import flow, task
    import joblib
    from sklearn.linear_model import LogisticRegression


    @task
    def train():
        joblib.dump(LogisticRegression().fit([[0], [1]], [0, 1]), "model.pkl")


    @flow
    def training_flow():
        train()
"""
FLASK_APP = """
    import pickle
    from flask import Flask, request, jsonify

    app = Flask(__name__)
    model = pickle.load(open("model.pkl", "rb"))


    @app.route("/predict", methods=["POST"])
    def predict():
        return jsonify(model.predict([request.json["x"]]).tolist())


    if __name__ == "__main__":
        app.run(host="0.0.0.0")
"""
APP_DOCKERFILE = """
    FROM python:3.10-slim
    WORKDIR /app
    COPY . .
    CMD ["python", "app.py"]
"""
TRAIN_DOCKERFILE = """
    FROM python:3.10-slim
    WORKDIR /app
    COPY . .
    CMD ["python", "-m", "flows.training"]
"""


def _repo(tmp_path, workflow: str, extra: dict[str, str] | None = None) -> dict:
    write(
        tmp_path,
        {
            "flows/training.py": FLOW,
            "service/app.py": FLASK_APP,
            "service/dockerfile": APP_DOCKERFILE,  # Docker reads a lowercase name too
            "Dockerfile.train": TRAIN_DOCKERFILE,
            ".github/workflows/deploy.yml": workflow,
            **(extra or {}),
        },
    )
    return checks(tmp_path)


def _outcome(tmp_path, workflow: str, extra: dict[str, str] | None = None) -> Outcome:
    return _repo(tmp_path, workflow, extra)["pipelines.image-build"].outcome


CONTEXT_BY_VARIABLE = """
    on: {push: {branches: [main]}}
    env:
      SERVICE_PATH: ./service
    jobs:
      build:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - uses: docker/build-push-action@v5
            with:
              context: ${{ env.SERVICE_PATH }}
              push: true
"""


def test_the_serving_app_built_from_a_context_named_by_a_variable(tmp_path):
    assert _outcome(tmp_path, CONTEXT_BY_VARIABLE) is Outcome.FAIL


def test_the_serving_app_built_in_a_working_directory(tmp_path):
    workflow = """
        on: {push: {branches: [main]}}
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - working-directory: service
                run: |
                  docker build -t registry.example.com/churn:latest .
                  docker push registry.example.com/churn:latest
    """
    assert _outcome(tmp_path, workflow) is Outcome.FAIL


def test_a_build_in_a_folder_the_repository_does_not_hold_builds_nothing(tmp_path):
    workflow = """
        on: {push: {branches: [main]}}
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - run: |
                  cd src/kfp
                  docker build -t registry.example.com/kfp:latest .
                  docker push registry.example.com/kfp:latest
    """
    assert _outcome(tmp_path, workflow) is Outcome.FAIL


def test_a_cloud_build_of_a_streamlit_ui(tmp_path):
    cloudbuild = """
        steps:
          - name: gcr.io/cloud-builders/docker
            args: [build, -t, "gcr.io/$PROJECT_ID/ui:$SHORT_SHA", .]
          - name: gcr.io/cloud-builders/docker
            args: [push, "gcr.io/$PROJECT_ID/ui:$SHORT_SHA"]
    """
    ui = """
        FROM python:3.10-slim
        COPY ui.py .
        CMD streamlit run ui.py
    """
    extra = {"cloudbuild.yaml": cloudbuild, "Dockerfile": ui}
    assert _outcome(tmp_path, "on: {workflow_dispatch: {}}\n", extra) is Outcome.FAIL


def test_an_image_whose_start_script_runs_uvicorn(tmp_path):
    workflow = """
        on: {push: {branches: [main]}}
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - run: docker build -f docker/Dockerfile.api -t api . && docker push api
    """
    dockerfile = """
        FROM python:3.11-slim
        COPY ./scripts/start.sh /app/start.sh
        ENTRYPOINT ["/app/start.sh"]
    """
    start = """
        #!/bin/sh
        exec python -m uvicorn src.api.main:app --host 0.0.0.0 --port 8000
    """
    extra = {"docker/Dockerfile.api": dockerfile, "scripts/start.sh": start}
    assert _outcome(tmp_path, workflow, extra) is Outcome.FAIL


def test_an_image_running_a_stream_consumer_that_trains_nothing(tmp_path):
    workflow = """
        on: {push: {branches: [main]}}
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - run: docker build -f consumer/Dockerfile -t consumer . && docker push consumer
    """
    dockerfile = """
        FROM python:3.10-slim
        COPY . /app
        CMD ["sh", "-c", "exec python consumer/stream.py"]
    """
    consumer = """
        from confluent_kafka import Consumer


        def main():
            consumer = Consumer({"group.id": "features"})
            consumer.subscribe(["events"])
            while True:
                print(consumer.poll(1.0))


        if __name__ == "__main__":
            main()
    """
    extra = {"consumer/Dockerfile": dockerfile, "consumer/stream.py": consumer}
    assert _outcome(tmp_path, workflow, extra) is Outcome.FAIL


def test_a_terraform_local_exec_building_the_serving_lambda(tmp_path):
    workflow = """
        on: {push: {branches: [main]}}
        jobs:
          deploy:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - working-directory: code/infrastructure
                run: terraform init && terraform apply -auto-approve
    """
    module = """
        resource "null_resource" "ecr_image" {
          provisioner "local-exec" {
            command = <<EOF
              cd ../
              docker build -t ${aws_ecr_repository.repo.repository_url}:latest .
              docker push ${aws_ecr_repository.repo.repository_url}:latest
            EOF
          }
        }
    """
    dockerfile = """
        FROM public.ecr.aws/lambda/python:3.9
        COPY [ "lambda_function.py", "./" ]
        CMD [ "lambda_function.lambda_handler" ]
    """
    handler = """
        import pickle

        model = pickle.load(open("model.pkl", "rb"))


        def lambda_handler(event, context):
            return {"prediction": model.predict([event["x"]]).tolist()}
    """
    extra = {
        "code/infrastructure/modules/ecr/main.tf": module,
        "code/infrastructure/main.tf": 'module "ecr" {\n  source = "./modules/ecr"\n}\n',
        "code/Dockerfile": dockerfile,
        "code/lambda_function.py": handler,
    }
    assert _outcome(tmp_path, workflow, extra) is Outcome.FAIL


# near misses: an image of the pipeline, or one that cannot be read, still counts


def test_the_training_image_built_in_a_working_directory_still_counts(tmp_path):
    workflow = """
        on: {push: {branches: [main]}}
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - working-directory: .
                run: docker build -f Dockerfile.train -t train . && docker push train
    """
    assert _outcome(tmp_path, workflow) is Outcome.PASS


def test_a_consumer_that_trains_still_counts(tmp_path):
    workflow = """
        on: {push: {branches: [main]}}
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - run: docker build -f consumer/Dockerfile -t consumer . && docker push consumer
    """
    dockerfile = """
        FROM python:3.10-slim
        COPY . /app
        CMD ["python", "consumer/stream.py"]
    """
    consumer = """
        from kafka import KafkaConsumer
        from flows.training import training_flow

        for message in KafkaConsumer("events"):
            training_flow()
    """
    extra = {"consumer/Dockerfile": dockerfile, "consumer/stream.py": consumer}
    assert _outcome(tmp_path, workflow, extra) is Outcome.PASS


def test_an_image_running_a_shell_the_scan_cannot_read_still_counts(tmp_path):
    workflow = """
        on: {push: {branches: [main]}}
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - run: docker build -f docker/Dockerfile.ml -t ml . && docker push ml
    """
    dockerfile = """
        FROM python:3.10-slim
        COPY . /app
        CMD ["bash"]
    """
    assert _outcome(tmp_path, workflow, {"docker/Dockerfile.ml": dockerfile}) is Outcome.PASS


def test_a_context_named_by_a_secret_still_counts(tmp_path):
    workflow = CONTEXT_BY_VARIABLE.replace("./service", "${{ secrets.SERVICE_PATH }}")
    assert _outcome(tmp_path, workflow) is Outcome.PASS

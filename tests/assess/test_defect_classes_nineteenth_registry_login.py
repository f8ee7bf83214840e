"""Defect class read from the calibration part's too-high pipelines cells (insurance-fraud-dvc-
stages-s3-pusher-ecr-selfhosted, telco-churn-dvc-dagshub-champion-alias-hf-spaces): a step that
only logs in to a registry (`aws-actions/amazon-ecr-login`) or sets up a builder
(`docker/setup-buildx-action`) was read as an image build, so a CD job that logs in to ECR and
runs the serving image, or a CI job that sets up buildx and runs pytest, built "the pipeline's
image". Such steps build nothing; the job's real builds (`docker build`, `docker buildx build`,
build-push-action) are read as before. The tests fail on the code before the fix; the near
misses (the same jobs building an image that names no Dockerfile) pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

DVC = """
stages:
  train:
    cmd: python train.py
    deps: [train.py]
    outs: [model.pkl]
"""
TRAIN = """
import joblib
from sklearn.linear_model import LogisticRegression

if __name__ == "__main__":
    joblib.dump(LogisticRegression().fit([[0], [1]], [0, 1]), "model.pkl")
"""
APP = """
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
DOCKERFILE = 'FROM python:3.10-slim\nCOPY . .\nCMD ["python3", "app.py"]\n'
ECR_WORKFLOW = """
name: deploy
on:
  push:
    branches: [main]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Build and push the app image
        run: docker build -t $REGISTRY/app:latest . && docker push $REGISTRY/app:latest
  deploy:
    needs: build
    runs-on: self-hosted
    steps:
      - name: Login to Amazon ECR
        id: login-ecr
        uses: aws-actions/amazon-ecr-login@v1
      - name: STEP
        run: RUN
"""
BUILDX_WORKFLOW = """
name: ci
on: [push, pull_request]
jobs:
  ci:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: docker/setup-buildx-action@v3
      - run: RUN
"""


def _image_build(tmp_path, workflow: str) -> Outcome:
    write(
        tmp_path,
        {
            "README.md": "# fraud\n",
            "dvc.yaml": DVC,
            "train.py": TRAIN,
            "app.py": APP,
            "Dockerfile": DOCKERFILE,
            ".github/workflows/ci.yml": workflow,
        },
    )
    return checks(tmp_path)["pipelines.image-build"].outcome


def test_an_ecr_login_before_running_the_serving_image_builds_nothing(tmp_path):
    workflow = ECR_WORKFLOW.replace("STEP", "Run the image").replace(
        "RUN", "docker run -d -p 5000:5000 $REGISTRY/app:latest"
    )
    assert _image_build(tmp_path, workflow) is Outcome.FAIL


def test_a_buildx_set_up_before_pytest_builds_nothing(tmp_path):
    assert _image_build(tmp_path, BUILDX_WORKFLOW.replace("RUN", "pytest")) is Outcome.FAIL


def test_an_ecr_job_that_builds_an_unnamed_image_still_builds(tmp_path):
    # near miss: after the login the job builds an image whose Dockerfile it does not name
    workflow = ECR_WORKFLOW.replace("STEP", "Build").replace(
        "RUN", "docker build -t $REGISTRY/pipeline:latest -f $DOCKERFILE ."
    )
    assert _image_build(tmp_path, workflow) is Outcome.PASS


def test_a_buildx_build_still_builds(tmp_path):
    # near miss: buildx set up, then used
    workflow = BUILDX_WORKFLOW.replace("RUN", "docker buildx build -t pipeline -f $FILE .")
    assert _image_build(tmp_path, workflow) is Outcome.PASS

"""Defect class read from the sixteenth batch's deployment misses once it joined the calibration
part: a FastAPI `/v1/predict` route in a project that trains, saves, loads and tracks no model
and declares no library that makes or runs one (it scores with a stand-in written in the code,
`MODEL = ToyModel(bias=0.1)`) read as predictions coming from the saved model.
Each test fails on the code before the fix; the near misses beside them (the same service with
a model loaded, with the project's training saving one, or declaring a model library it may
load from in ways the scan does not read) pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

TOY = """
    import math


    class ToyModel:
        def __init__(self, bias=0.0):
            self.bias = bias

        def predict_proba(self, x):
            return 1 / (1 + math.exp(-(sum(x) / max(len(x), 1) + self.bias)))


    MODEL = ToyModel(bias=0.1)
"""
LOADED = """
    import joblib

    MODEL = joblib.load("models/model.joblib")
"""
APP = """
    from fastapi import FastAPI

    from app.model import MODEL

    app = FastAPI()


    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}


    @app.post("/v1/predict")
    def predict(features: list[float]):
        return {"score": MODEL.predict_proba(features)}
"""
TRAIN = """
    import joblib
    from sklearn.linear_model import LogisticRegression


    def main():
        model = LogisticRegression().fit([[0.0], [1.0]], [0, 1])
        joblib.dump(model, "models/model.joblib")


    if __name__ == "__main__":
        main()
"""


def _predict(tmp_path, files: dict[str, str]) -> Outcome:
    requirements = "fastapi==0.110.0\nuvicorn==0.29.0\nprometheus-client==0.20.0\n"
    write(tmp_path, {"requirements.txt": requirements, "app/main.py": APP, **files})
    return checks(tmp_path)["deployment.predict-script"].outcome


def test_a_predict_route_scoring_an_in_code_stand_in_serves_no_saved_model(tmp_path):
    assert _predict(tmp_path, {"app/model.py": TOY}) is Outcome.FAIL


def test_a_predict_route_serving_a_loaded_model_still_counts(tmp_path):
    # near miss: the service loads the saved model
    assert _predict(tmp_path, {"app/model.py": LOADED}) is Outcome.PASS


def test_a_predict_route_in_a_project_that_trains_a_model_still_counts(tmp_path):
    # near miss: the stand-in beside training that saves a model (the route serves what the
    # project makes, however the scan reads the load)
    assert _predict(tmp_path, {"app/model.py": TOY, "src/train.py": TRAIN}) is Outcome.PASS


CHART = {
    "helm/Chart.yaml": "apiVersion: v2\nname: inference\nversion: 0.1.0\n",
    "helm/values.yaml": "image:\n  tag: latest\nreplicas: 1\n",
    "helm/templates/deployment.yaml": """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: inference
        spec:
          replicas: {{ .Values.replicas }}
          template:
            spec:
              containers:
                - name: api
                  image: "inference:{{ .Values.image.tag }}"
    """,
    "argocd/app.yaml": """
        apiVersion: argoproj.io/v1alpha1
        kind: Application
        metadata:
          name: inference
        spec:
          source:
            path: helm
          destination:
            namespace: ml
          syncPolicy:
            automated: {prune: true}
    """,
}


def test_a_chart_with_one_set_of_values_has_no_manifests_per_environment(tmp_path):
    # a Helm chart with one values.yaml synced into one namespace: the same release everywhere
    write(tmp_path, CHART)
    assert checks(tmp_path)["deployment.k8s-environments"].outcome is Outcome.FAIL


def test_a_chart_with_values_per_environment_still_counts(tmp_path):
    # near miss: values-staging.yaml and values-production.yaml beside the chart
    per_env = {"helm/values-staging.yaml": "replicas: 1\n", "helm/values-production.yaml": "x: 3\n"}
    write(tmp_path, {**CHART, **per_env})
    assert checks(tmp_path)["deployment.k8s-environments"].outcome is not Outcome.FAIL


def test_a_chart_given_its_values_by_cd_still_counts(tmp_path):
    # near miss: CD installs the chart with values set at install time (`--set`, `-f`)
    cd = (
        "on: {push: {branches: [main]}}\n"
        "jobs:\n"
        "  deploy:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - run: helm upgrade --install inference helm --set image.tag=${{ github.sha }}\n"
    )
    write(tmp_path, {**CHART, ".github/workflows/cd.yml": cd})
    assert checks(tmp_path)["deployment.k8s-environments"].outcome is not Outcome.FAIL


def test_a_predict_route_of_a_service_declaring_a_model_library_still_counts(tmp_path):
    # near miss: `transformers` declared (a hub model loaded by `pipeline(...)`)
    requirements = "fastapi==0.110.0\ntransformers==4.40.0\n"
    write(tmp_path, {"app/model.py": TOY, "app/main.py": APP, "requirements.txt": requirements})
    assert checks(tmp_path)["deployment.predict-script"].outcome is Outcome.PASS


SELDON_V2 = """
    apiVersion: mlops.seldon.io/v1alpha1
    kind: Model
    metadata:
      name: baseline-predictor
      namespace: seldon-system
    spec:
      storageUri: s3://models/baseline/1
      requirements: [mlflow]
"""


def _serving(tmp_path, manifest: str) -> Outcome:
    write(tmp_path, {"k8s/base/model.yaml": manifest})
    return checks(tmp_path)["deployment.serving-api"].outcome


def test_a_seldon_core_v2_model_is_a_serving_endpoint(tmp_path):
    # Seldon Core v2 serves a `Model` (mlops.seldon.io) from its storage URI on a Server
    assert _serving(tmp_path, SELDON_V2) is Outcome.PASS


def test_a_model_resource_of_another_api_group_serves_nothing(tmp_path):
    # near miss: a custom resource also named Model
    other = SELDON_V2.replace("mlops.seldon.io/v1alpha1", "catalog.example.com/v1")
    assert _serving(tmp_path, other) is Outcome.FAIL

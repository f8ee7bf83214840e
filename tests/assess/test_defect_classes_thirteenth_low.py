"""Defect classes read from the thirteenth held-out batch's misses once it joined the
calibration part, the under-scores: Valohai's valohai.yaml pipelines and steps not read, a
model server's image in compose (TF Serving, Triton, TorchServe) not read as serving, TF
Serving started with a monitoring config not read as a monitored serving side, a
Metaflow flow that scores with the model a training run keeps not read as prediction, CI pushing to a
Hugging Face Space not read as deploying (the
over-scores are in test_defect_classes_thirteenth.py).
Each test fails on the code before the fix; each reads a shape of a stack, not one repository's
files, and the near misses beside them pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

TRAIN = """
    import joblib
    import pandas as pd
    from sklearn.ensemble import RandomForestRegressor

    df = pd.read_csv("/valohai/inputs/dataset/train.csv")
    model = RandomForestRegressor(random_state=0).fit(df.drop(columns=["y"]), df["y"])
    joblib.dump(model, "/valohai/outputs/model.joblib")
"""
PREDICT = """
    import joblib
    import pandas as pd

    model = joblib.load("/valohai/inputs/model/model.joblib")
    pd.DataFrame({"y": model.predict(pd.read_csv("/valohai/inputs/current/x.csv"))}).to_csv("p.csv")
"""
STEPS = """
    - step:
        name: train_model
        image: python:3.11
        command:
          - pip install scikit-learn pandas
          - python train_model.py
    - step:
        name: inference
        image: python:3.11
        command:
          - python predict.py
"""
PIPELINE = """
    - pipeline:
        name: train-pipeline
        nodes:
          - name: train-node
            type: execution
            step: train_model
          - name: inference-node
            type: execution
            step: inference
        edges:
          - [train-node.output.*.joblib, inference-node.input.model]
"""


def test_a_valohai_pipeline_is_orchestrated_and_its_steps_run_managed(tmp_path):
    # valohai.yaml: steps in container images on Valohai's compute, a pipeline joining them
    files = {"train_model.py": TRAIN, "predict.py": PREDICT, "valohai.yaml": STEPS + PIPELINE}
    result = checks(write(tmp_path, files))
    assert result["pipelines.orchestrated"].outcome is Outcome.PASS
    assert result["deployment.training-image"].outcome is Outcome.PASS


def test_valohai_steps_alone_are_no_pipeline(tmp_path):
    # near miss: steps run one by one are managed executions, not an orchestrated pipeline
    files = {"train_model.py": TRAIN, "predict.py": PREDICT, "valohai.yaml": STEPS}
    result = checks(write(tmp_path, files))
    assert result["pipelines.orchestrated"].outcome is Outcome.FAIL


SERVED = """
    services:
      tf_service:
        image: %s
        volumes:
          - ./models/:/models/
        ports: ["8501:8501"]
        command:
          - '--model_config_file=/models/models.config'
          - '--rest_api_port=8501'
"""
KERAS_TRAIN = """
    import tensorflow as tf

    model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
    model.compile(loss="mse")
    model.save("models/half_plus_two/1")
"""


def test_a_model_server_image_in_compose_serves_the_saved_model(tmp_path):
    # TF Serving's image serves the SavedModel mounted into it: no code of ours loads it
    files = {"train.py": KERAS_TRAIN, "docker-compose.yml": SERVED % "tensorflow/serving:2.11.0"}
    assert checks(write(tmp_path, files))["deployment.predict-script"].outcome is Outcome.PASS


def test_a_database_image_in_compose_serves_nothing(tmp_path):
    # near miss: the same service on a database image predicts nothing
    files = {"train.py": KERAS_TRAIN, "docker-compose.yml": SERVED % "postgres:15"}
    assert checks(write(tmp_path, files))["deployment.predict-script"].outcome is Outcome.FAIL


def test_tf_serving_started_with_a_monitoring_config_exports_its_metrics(tmp_path):
    # `--monitoring_config_file`: TF Serving serves its Prometheus metrics beside the model
    compose = SERVED % "tensorflow/serving:2.11.0"
    compose += "          - '--monitoring_config_file=/models/monitoring.config'\n"
    files = {"train.py": KERAS_TRAIN, "docker-compose.yml": compose}
    assert checks(write(tmp_path, files))["monitoring.serving-metrics"].outcome is Outcome.PASS


def test_tf_serving_without_a_monitoring_config_is_not_watched(tmp_path):
    # near miss: the same server with no monitoring config exports nothing
    files = {"train.py": KERAS_TRAIN, "docker-compose.yml": SERVED % "tensorflow/serving:2.11.0"}
    assert checks(write(tmp_path, files))["monitoring.serving-metrics"].outcome is Outcome.FAIL


PREDICT_FLOW = """
    from metaflow import Flow, FlowSpec, step


    class PredictFlow(FlowSpec):
        @step
        def start(self):
            import pandas as pd

            self.X = pd.read_parquet("s3://bucket/features.parquet")
            self.train_run = Flow("TrainFlow").latest_successful_run
            self.next(self.%s)

        @step
        def %s(self):
            self.y_pred = self.train_run["train_model"].task.data.lr.%s(self.X)
            self.next(self.end)

        @step
        def end(self):
            pass


    if __name__ == "__main__":
        PredictFlow()
"""


def test_a_metaflow_flow_scoring_with_a_training_runs_model_predicts(tmp_path):
    # a flow whose steps predict and train nothing, with the model a training flow's run kept
    flow = PREDICT_FLOW % ("predict", "predict", "predict")
    files = {"flows/predict_flow.py": flow}
    assert checks(write(tmp_path, files))["deployment.predict-script"].outcome is Outcome.PASS


def test_a_metaflow_flow_that_trains_does_not_predict(tmp_path):
    # near miss: the same flow fitting a model in a train step predicts nothing served
    flow = PREDICT_FLOW % ("train_model", "train_model", "fit")
    files = {"flows/train_flow.py": flow}
    assert checks(write(tmp_path, files))["deployment.predict-script"].outcome is Outcome.FAIL


APP = """
    import joblib
    from fastapi import FastAPI

    app = FastAPI()
    model = joblib.load("models/model.pkl")

    @app.post("/predict")
    def predict(x: list[float]):
        return {"y": model.predict([x]).tolist()}
"""
PUSH = """
    name: Deploy
    on:
      push:
        branches: [main]
    jobs:
      deploy:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - name: Push
            env:
              HF_TOKEN: ${{ secrets.HF_TOKEN }}
            run: |
              git remote add target "%s"
              git push --force target HEAD:main
"""


def test_ci_pushing_to_a_hugging_face_space_deploys(tmp_path):
    # the Space builds the repository's Dockerfile and runs the app: a push there deploys
    url = "https://user:${HF_TOKEN}@huggingface.co/spaces/user/classifier.git"
    files = {
        "app/main.py": APP,
        "Dockerfile": "FROM python:3.11\n",
        ".github/workflows/d.yml": PUSH % url,
    }
    assert checks(write(tmp_path, files))["deployment.cd-workflow"].outcome is Outcome.PASS


def test_ci_pushing_to_another_git_remote_deploys_nothing(tmp_path):
    # near miss: the same push to a GitHub mirror runs nothing
    url = "https://github.com/user/classifier-mirror.git"
    files = {
        "app/main.py": APP,
        "Dockerfile": "FROM python:3.11\n",
        ".github/workflows/d.yml": PUSH % url,
    }
    assert checks(write(tmp_path, files))["deployment.cd-workflow"].outcome is Outcome.FAIL

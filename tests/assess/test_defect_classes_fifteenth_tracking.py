"""Defect classes read from the fifteenth held-out batch's tracking misses once it joined the
calibration part: batch inference whose orchestrator step hands the job a registry version
(`f"models:/{name}/{version}"` among an EMR step's arguments) and whose job loads the URI it is
given with MLflow read as not serving from the registry; a pusher copying a registry version
(`download_artifacts("models:/NAME/VERSION")`) to cloud storage through a project helper, for a
service that loads with MLflow what it downloads from there, read as not serving from the
registry; a KFP v1 component writing its run's metrics (`open("/mlpipeline-metrics.json", "w")`)
read as no tracking.
Each test fails on the code before the fix; each reads a shape of a stack, not one repository's
files, and the near misses beside them pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

TRAIN_ASSET = """
    import mlflow
    from dagster import asset


    @asset
    def train_model(context):
        with mlflow.start_run() as run:
            mlflow.log_metric("auc", 0.9)
        version = mlflow.register_model(f"runs:/{run.info.run_id}/model", "churn")
        mlflow.MlflowClient().set_registered_model_alias("churn", "champion", version.version)
"""
STEP_ASSET = """
    import os

    import boto3
    from dagster import asset


    @asset(deps=["train_model"])
    def {name}(context):
        model_name, model_version = "churn", os.environ["MODEL_VERSION"]
        boto3.client("emr-serverless").start_job_run(
            jobDriver={{
                "sparkSubmit": {{
                    "entryPoint": "s3://code/inference.py",
                    "entryPointArguments": [f"models:/{{model_name}}/{{model_version}}"],
                }}
            }}
        )
"""
INFERENCE_JOB = """
    import sys

    import mlflow
    from pyspark.sql import SparkSession


    def main():
        spark = SparkSession.builder.getOrCreate()
        predict = mlflow.pyfunc.spark_udf(spark, model_uri=sys.argv[1], result_type="double")
        frame = spark.read.parquet(sys.argv[2])
        frame.withColumn("prediction", predict(*frame.columns)).write.parquet(sys.argv[3])


    if __name__ == "__main__":
        main()
"""


def test_batch_inference_given_a_registry_version_by_its_step_serves_the_registry(tmp_path):
    write(
        tmp_path,
        {
            "dags/defs/train_model.py": TRAIN_ASSET,
            "dags/defs/perform_inference.py": STEP_ASSET.format(name="perform_inference"),
            "code/src/inference/inference.py": INFERENCE_JOB,
        },
    )
    assert checks(tmp_path)["tracking.serving-from-registry"].outcome is Outcome.PASS


def test_a_registry_version_handed_to_an_evaluation_step_serves_nothing(tmp_path):
    # near miss: the same URI handed to an evaluation job, no inference step
    write(
        tmp_path,
        {
            "dags/defs/train_model.py": TRAIN_ASSET,
            "dags/defs/evaluate_model.py": STEP_ASSET.format(name="evaluate_model"),
            "code/src/inference/inference.py": INFERENCE_JOB,
        },
    )
    assert checks(tmp_path)["tracking.serving-from-registry"].outcome is Outcome.FAIL


PUSHER = """
    import tempfile

    import mlflow

    from churn.s3_utils import upload_folder_to_s3


    def push_model(name, version, s3_uri):
        client = mlflow.MlflowClient()
        client.set_registered_model_alias(name, "champion", version)
        with tempfile.TemporaryDirectory() as tmp:
            mlflow.artifacts.download_artifacts(f"models:/{name}/{version}", dst_path=tmp)
            upload_folder_to_s3(tmp, s3_uri)
"""
EVALUATOR = """
    import mlflow


    def evaluate(name, version, frame):
        model = mlflow.sklearn.load_model(f"models:/{name}/{version}")
        return model.score(frame[["x"]], frame["y"])
"""
S3_UTILS = """
    import os

    import boto3


    def upload_folder_to_s3(folder, s3_uri):
        bucket, prefix = s3_uri[5:].split("/", 1)
        s3 = boto3.client("s3")
        for name in os.listdir(folder):
            s3.upload_file(os.path.join(folder, name), bucket, f"{prefix}/{name}")
"""
SERVICE = """
    import mlflow
    from fastapi import FastAPI

    from churn.s3_utils import download_s3_folder

    app = FastAPI()
    download_s3_folder("s3://prod/model", "/tmp/model")
    model = mlflow.pyfunc.load_model("/tmp/model")


    @app.post("/predict")
    def predict(rows: list[dict]):
        return {"predictions": model.predict(rows).tolist()}
"""
S3_DOWNLOAD = """


    def download_s3_folder(s3_uri, folder):
        bucket, prefix = s3_uri[5:].split("/", 1)
        boto3.client("s3").download_file(bucket, f"{prefix}/MLmodel", f"{folder}/MLmodel")
"""


def test_a_registry_version_pushed_to_storage_for_the_service_is_served(tmp_path):
    write(
        tmp_path,
        {
            "churn/train.py": TRAIN_ASSET,
            "churn/model_pusher.py": PUSHER,
            "churn/s3_utils.py": S3_UTILS + S3_DOWNLOAD,
            "churn/api/app.py": SERVICE,
        },
    )
    assert checks(tmp_path)["tracking.serving-from-registry"].outcome is Outcome.PASS


def test_a_registry_version_only_evaluated_is_not_served(tmp_path):
    # near miss: the registry URI is loaded to be scored, nothing copies it to storage
    write(
        tmp_path,
        {
            "churn/train.py": TRAIN_ASSET,
            "churn/model_evaluation.py": EVALUATOR,
            "churn/s3_utils.py": S3_UTILS + S3_DOWNLOAD,
            "churn/api/app.py": SERVICE,
        },
    )
    assert checks(tmp_path)["tracking.serving-from-registry"].outcome is Outcome.FAIL


KFP_ANALYSIS = """
    import json

    import torch


    def main():
        model = torch.load("/data/model.pt")
        accuracy = float((model(torch.zeros(4, 784)).argmax(1) == 0).float().mean())
        metrics = {"metrics": [{"name": "accuracy-score", "numberValue": accuracy}]}
        with open("/mlpipeline-metrics.json", "w") as f:
            json.dump(metrics, f)


    if __name__ == "__main__":
        main()
"""
KFP_READ_METRICS = """
    import json


    def show():
        with open("/mlpipeline-metrics.json") as f:
            print(json.load(f))
"""
KFP_TRAIN = """
    import torch


    def train():
        model = torch.nn.Linear(784, 10)
        torch.save(model, "/data/model.pt")


    if __name__ == "__main__":
        train()
"""


def test_a_kfp_component_writing_its_run_metrics_tracks_runs(tmp_path):
    write(tmp_path, {"pipeline/train/run.py": KFP_TRAIN, "pipeline/analysis/run.py": KFP_ANALYSIS})
    assert checks(tmp_path)["tracking.experiments"].outcome is Outcome.PASS


def test_reading_a_kfp_metrics_file_tracks_nothing(tmp_path):
    # near miss: the file is only read back and printed
    write(tmp_path, {"pipeline/train/run.py": KFP_TRAIN, "pipeline/show.py": KFP_READ_METRICS})
    assert checks(tmp_path)["tracking.experiments"].outcome is Outcome.FAIL

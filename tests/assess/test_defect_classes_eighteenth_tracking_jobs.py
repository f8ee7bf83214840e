"""Defect classes of the calibration part's tracking misses after the seventeenth batch joined
it (continued from test_defect_classes_eighteenth_tracking.py): what a scheduled job or a model
server runs takes the registry's version.

A Databricks job (Terraform `notebook_path`) running a batch inference notebook that builds the
registry URI of its environment's stage and hands it to the project's predict module (imported
after `sys.path.append("../steps")`), which loads it with MLflow, was read as scoring nothing of
the registry: neither the job's notebook nor the import through the relative path was seen. A
model server's image (Triton, TorchServe, TF Serving) whose folder holds the script its
entrypoint runs to fetch `models:/NAME@prod` was read as serving nothing of the registry. An
inference script (named for inference, prediction or scoring) that asks the registry which
version is current (`get_latest_versions`, `search_model_versions`) and loads that version with
MLflow was read as scoring nothing of the registry, as its path named no service; and so was
a pipeline block doing it through the project's helper module, imported from the project's root
folder above the block's own (`from utils import model_mngt` in a Mage transformer), an import
the scan did not resolve. Each test fails on the code before the fix; the near misses beside them pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write


def _serving(tmp_path, files):
    write(tmp_path, files)
    return checks(tmp_path)["tracking.serving-from-registry"].outcome


# a Databricks job running a batch inference notebook that hands the stage's registry URI to
# the project's predict function (the MLOps Stacks layout)
BATCH_NOTEBOOK = """
    # Databricks notebook source
    import sys

    sys.path.append("../steps")

    from utils import get_deployed_model_stage_for_env, get_model_name

    env = dbutils.widgets.get("env")
    model_uri = f"models:/{get_model_name(env)}/{get_deployed_model_stage_for_env(env)}"

    from predict import predict_batch

    predict_batch(spark, model_uri, "features.inference", "features.predictions")
"""
PREDICT_STEP = """
    import mlflow
    from pyspark.sql.functions import struct


    def predict_batch(spark, model_uri, input_table, output_table):
        predict = mlflow.pyfunc.spark_udf(spark, model_uri, result_type="double")
        table = spark.table(input_table)
        scored = table.withColumn("prediction", predict(struct(*table.columns)))
        scored.write.mode("overwrite").saveAsTable(output_table)
"""
UTILS_STEP = """
    def get_model_name(env):
        return f"{env}-taxi-fare"


    def get_deployed_model_stage_for_env(env):
        return {"staging": "Staging", "prod": "Production"}[env]
"""
JOB = """
    resource "databricks_job" "{name}" {
      name = "{name}"
      new_cluster {
        num_workers   = 3
        spark_version = "11.0.x-cpu-ml-scala2.12"
      }
      notebook_task {
        notebook_path = "notebooks/{notebook}"
      }
    }
"""


def _databricks(tmp_path, jobs):
    files = {
        "notebooks/BatchInference.py": BATCH_NOTEBOOK,
        "steps/predict.py": PREDICT_STEP,
        "steps/utils.py": UTILS_STEP,
    }
    for name, notebook in jobs.items():
        job = JOB.replace("{name}", name).replace("{notebook}", notebook)
        files[f"databricks-config/prod/{name}.tf"] = job
    return _serving(tmp_path, files)


def test_a_job_running_the_batch_inference_notebook_scores_the_registry_stage(tmp_path):
    jobs = {"training_job": "Train", "batch_inference_job": "BatchInference"}
    assert _databricks(tmp_path, jobs) is Outcome.PASS


def test_a_batch_inference_notebook_no_job_runs_scores_nothing(tmp_path):
    # near miss: the jobs run training only; the inference notebook is never scheduled
    assert _databricks(tmp_path, {"training_job": "Train"}) is Outcome.FAIL


# a model server's image whose entrypoint first fetches the version an alias marks
FETCH_ALIAS = """
    import mlflow
    from mlflow import MlflowClient

    MODEL_NAME, ALIAS = "HomeCreditDefaultModel", "prod"


    def fetch():
        version = MlflowClient().get_model_version_by_alias(MODEL_NAME, ALIAS).version
        path = mlflow.artifacts.download_artifacts(artifact_uri=f"models:/{MODEL_NAME}@{ALIAS}")
        return path, version


    if __name__ == "__main__":
        fetch()
"""
SERVER_IMAGE = """
    FROM {base}
    COPY download_model.py entrypoint.sh /opt/
    WORKDIR /opt
    CMD ["bash", "entrypoint.sh"]
"""
ENTRYPOINT = "python3 download_model.py\ntritonserver --model-repository=/models\n"


def _model_server(tmp_path, base):
    files = {
        "triton/download_model.py": FETCH_ALIAS,
        "triton/entrypoint.sh": ENTRYPOINT,
        "triton/Dockerfile": SERVER_IMAGE.replace("{base}", base),
    }
    return _serving(tmp_path, files)


def test_a_model_server_image_fetching_the_alias_version_serves_the_registry(tmp_path):
    assert _model_server(tmp_path, "nvcr.io/nvidia/tritonserver:24.01-py3") is Outcome.PASS


def test_a_fetch_script_beside_a_plain_python_image_serves_nothing_seen(tmp_path):
    # near miss: a plain Python image, no model server reading what the script fetched
    assert _model_server(tmp_path, "python:3.11-slim") is Outcome.FAIL


# a batch inference script that asks the registry which version is current and loads it
INFERENCE_LOOKUP = """
    import mlflow
    from mlflow import MlflowClient

    MODEL = "main.gold.energy_consumption_xgboost"


    def score(frame):
        latest = MlflowClient().get_latest_versions(MODEL)[0]
        model = {load}
        frame["prediction"] = model.predict(frame)
        frame.to_parquet(f"gold/predictions_v{latest.version}.parquet")
"""


def test_an_inference_script_loading_the_version_it_looks_up_scores_the_registry(tmp_path):
    load = 'mlflow.xgboost.load_model(f"models:/{MODEL}/{latest.version}")'
    files = {"notebooks/04_inference_gold.py": INFERENCE_LOOKUP.replace("{load}", load)}
    assert _serving(tmp_path, files) is Outcome.PASS


def test_a_training_script_loading_the_version_it_looks_up_serves_nothing(tmp_path):
    # near miss: the same look-up and load in training code (a champion to compare with)
    load = 'mlflow.xgboost.load_model(f"models:/{MODEL}/{latest.version}")'
    files = {"notebooks/03_training.py": INFERENCE_LOOKUP.replace("{load}", load)}
    assert _serving(tmp_path, files) is Outcome.FAIL


def test_an_inference_script_that_looks_up_but_loads_a_local_file_serves_nothing(tmp_path):
    # near miss: the version is looked up (for the file name) but the model is a local pickle
    load = 'joblib.load("models/model.pkl")'
    source = INFERENCE_LOOKUP.replace("{load}", load).replace("import mlflow", "import joblib")
    files = {"notebooks/04_inference_gold.py": source}
    assert _serving(tmp_path, files) is Outcome.FAIL


# a pipeline block (a Mage transformer) calling the project's registry helper, imported from
# the project's root folder above the block's own
MODEL_MNGT = """
    import mlflow
    from mlflow import MlflowClient


    def load_model_by_alias(client: MlflowClient, model_name: str, alias: str):
        version = client.get_model_version_by_alias(model_name, alias)
        return mlflow.sklearn.load_model(f"models:/{model_name}@{alias}"), version.version
"""
BLOCK = """
    from mlflow import MlflowClient

    from utils import model_mngt


    @transformer
    def {name}(data, *args, **kwargs):
        model, version = model_mngt.load_model_by_alias(MlflowClient(), "gaming", "production")
        data["prediction"] = model.predict(data)
        return data
"""


def _mage(tmp_path, block):
    files = {
        "machine_learning/utils/__init__.py": "",
        "machine_learning/utils/model_mngt.py": MODEL_MNGT,
        f"machine_learning/transformers/{block}.py": BLOCK.replace("{name}", block),
    }
    return _serving(tmp_path, files)


def test_a_batch_inference_block_loading_the_alias_through_the_project_helper(tmp_path):
    assert _mage(tmp_path, "batch_inference") is Outcome.PASS


def test_a_training_block_loading_the_alias_through_the_helper_serves_nothing(tmp_path):
    # near miss: a block named for training that loads the champion (to compare with it)
    assert _mage(tmp_path, "train_candidate") is Outcome.FAIL

"""Defect class read from the calibration part's too-low deployment cells (twentieth round): a
Databricks notebook exported as source (`# Databricks notebook source`, cells split by
`# COMMAND ----------`) that predicts with the registered model runs on Databricks compute,
but a repository of such notebooks with its job defined elsewhere (the job's JSON only in the
README) was read as running in no container or managed environment. A notebook export that works
with a model (trains, logs, registers, loads it) now runs in a managed environment
(parse_databricks.notebook_runtime). The test fails on the code before the fix; the near misses
beside it (the same code as a plain script with no notebook header, a notebook that only moves
data) run in none on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

INFERENCE = """
    {header}
    import mlflow

    # COMMAND ----------

    model = mlflow.pyfunc.load_model("models:/main.energy.xgb_forecaster/3")
    features = spark.table("main.energy.silver_features").toPandas()
    features["prediction"] = model.predict(features)

    # COMMAND ----------

    spark.createDataFrame(features).write.mode("append").saveAsTable("main.energy.gold")
"""
INGEST = """
    # Databricks notebook source
    import requests

    # COMMAND ----------

    rows = requests.get("https://api.example.com/load").json()
    spark.createDataFrame(rows).write.mode("append").saveAsTable("main.energy.bronze")
"""


def _runtime(tmp_path, files: dict[str, str]) -> Outcome:
    write(tmp_path, files)
    return checks(tmp_path)["deployment.training-image"].outcome


def test_a_databricks_notebook_predicting_runs_on_databricks(tmp_path):
    notebook = INFERENCE.replace("{header}", "# Databricks notebook source")
    assert _runtime(tmp_path, {"notebooks/04_inference_gold.py": notebook}) is Outcome.PASS


def test_near_miss_the_same_code_as_a_plain_script(tmp_path):
    script = INFERENCE.replace("{header}", "")
    assert _runtime(tmp_path, {"src/inference_gold.py": script}) is not Outcome.PASS


def test_near_miss_a_notebook_only_moving_data(tmp_path):
    assert _runtime(tmp_path, {"notebooks/01_ingest.py": INGEST}) is not Outcome.PASS

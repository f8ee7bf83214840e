"""Defect classes read from the calibration part's tracking misses after the seventeenth batch
joined it, fixed as shapes rather than one repository's files.

A service or a scoring pipeline whose own modules resolve a registry version (a registry look-up
such as `get_model_version_by_alias` or `get_latest_versions`, and a `models:/NAME/{version}`
URI) and then read the model by other means than an MLflow flavour's `load_model` (a loader
chosen at run time, `download_artifacts` and ONNX Runtime), or through a module the scoring flow
imports, was read as not taking the model from the registry: only a serving file's own MLflow
load counted. And, an over-score: a Vertex component that looks up the parent model
(`Model.list(filter=...)`) to upload a new version under it was read as resolving what is
deployed, though nothing deploys that version. Experiments logged through a Lightning logger
(`Trainer(logger=WandbLogger(...))`, imported from `pytorch_lightning.loggers`) or to a managed
Vertex TensorBoard instance (`aiplatform.Tensorboard`) were read as untracked. CD running
`az ml online-deployment create --set model=$MODEL` with the `azureml:NAME:VERSION` its
registration step returned, or fetching the W&B registry artifact it ships (`wandb artifact
get`), was read as deploying nothing of the registry; MLflow tracking in a repository notebook
an Airflow task submits to Databricks by its workspace path (`DatabricksSubmitRunOperator(
notebook_task={"notebook_path": "/Users/.../NAME"})`) was read as exploration (batch jobs and
model servers: test_defect_classes_eighteenth_tracking_jobs.py). Each test fails on the code before the fix; the near misses beside them pass on
both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, notebook, write

TRAIN = """
    import mlflow
    from sklearn.linear_model import LogisticRegression


    def train(X, y):
        with mlflow.start_run():
            model = LogisticRegression().fit(X, y)
            mlflow.log_metric("accuracy", model.score(X, y))
            mlflow.sklearn.log_model(model, "model", registered_model_name="churn")
"""

REGISTRY = """
    import mlflow
    import onnxruntime
    from mlflow import MlflowClient


    def load_active(name, alias="champion"):
        version = MlflowClient().get_model_version_by_alias(name, alias)
        path = mlflow.artifacts.download_artifacts(f"models:/{name}/{version.version}")
        return onnxruntime.InferenceSession(f"{path}/model.onnx")
"""

APP = """
    from fastapi import FastAPI

    from serving.registry import load_active

    app = FastAPI()
    session = load_active("churn")


    @app.post("/predict")
    def predict(rows: list[dict]):
        return {"predictions": session.run(None, {"input": rows})[0].tolist()}
"""


def _serving(tmp_path, files):
    write(tmp_path, {"train.py": TRAIN, **files})
    return checks(tmp_path)["tracking.serving-from-registry"].outcome


def test_a_service_resolving_the_alias_version_and_reading_it_with_onnx_serves_the_registry(
    tmp_path,
):
    files = {"serving/registry.py": REGISTRY, "serving/app.py": APP}
    assert _serving(tmp_path, files) is Outcome.PASS


def test_a_registry_lookup_only_in_promotion_code_is_not_what_the_service_serves(tmp_path):
    # near miss: the same look-up lives in a promotion script the service never imports; the
    # service reads a local file
    app = """
        import joblib
        from fastapi import FastAPI

        app = FastAPI()
        model = joblib.load("models/model.joblib")


        @app.post("/predict")
        def predict(rows: list[list[float]]):
            return {"predictions": model.predict(rows).tolist()}
    """
    files = {"promote/registry.py": REGISTRY, "serving/app.py": app}
    assert _serving(tmp_path, files) is Outcome.FAIL


SCORING_FLOW = """
    import pandas as pd
    from prefect import flow

    from src.model.registry import load_production


    @flow
    def batch_prediction(path: str):
        model = load_production("solar")
        frame = pd.read_parquet(path)
        frame["prediction"] = model.predict(frame)
        frame.to_parquet("predictions.parquet")
"""

PRODUCTION = """
    import mlflow
    from mlflow import MlflowClient


    def load_production(name):
        latest = MlflowClient().get_latest_versions(name, stages=["Production"])[0]
        return mlflow.pyfunc.load_model(f"models:/{name}/{latest.version}")
"""


def test_a_scoring_flow_importing_the_production_version_loader_scores_the_registry(tmp_path):
    files = {"src/batch/flow.py": SCORING_FLOW, "src/model/registry.py": PRODUCTION}
    assert _serving(tmp_path, files) is Outcome.PASS


def test_a_training_flow_importing_the_production_loader_serves_nothing(tmp_path):
    # near miss: the flow importing the loader trains (compares with the Production model);
    # nothing scores with it
    flow = """
        from prefect import flow
        from sklearn.linear_model import LogisticRegression

        from src.model.registry import load_production


        @flow
        def training(X, y):
            champion = load_production("solar")
            model = LogisticRegression().fit(X, y)
            return model.score(X, y) > champion.score(X, y)
    """
    files = {"src/train/flow.py": flow, "src/model/registry.py": PRODUCTION}
    assert _serving(tmp_path, files) is Outcome.FAIL


# an over-score: the Vertex component registering a version looks up its parent model first
VERTEX_REGISTER = """
    from google.cloud import aiplatform


    def register(project, region, display_name, artifact_uri, image):
        aiplatform.init(project=project, location=region)
        existing = aiplatform.Model.list(filter=f'display_name="{display_name}"')
        parent = existing[0].resource_name if existing else None
        model = aiplatform.Model.upload(
            display_name=display_name,
            artifact_uri=artifact_uri,
            serving_container_image_uri=image,
            parent_model=parent,
        )
        {deploy}
        return model.resource_name
"""


def test_a_parent_model_lookup_before_upload_resolves_nothing_deployed(tmp_path):
    files = {"pipelines/components/register.py": VERTEX_REGISTER.replace("{deploy}", "")}
    assert _serving(tmp_path, files) is Outcome.FAIL


def test_a_component_that_uploads_and_deploys_the_version_serves_the_registry(tmp_path):
    # near miss: the same component deploys the version it registered to an endpoint
    deploy = 'model.deploy(endpoint=aiplatform.Endpoint.create(display_name="demand"))'
    files = {"pipelines/components/register.py": VERTEX_REGISTER.replace("{deploy}", deploy)}
    assert _serving(tmp_path, files) is Outcome.PASS


# experiments tracked through a Lightning logger or a managed Vertex TensorBoard
LIGHTNING = """
    def main(args):
        import pytorch_lightning as pl
        from pytorch_lightning.loggers import {logger}

        from models.forecaster import Forecaster

        trainer = pl.Trainer(max_epochs=args.epochs, logger={logger}(project="foot-traffic"))
        trainer.fit(Forecaster())
"""


def _experiments(tmp_path, files):
    write(tmp_path, files)
    return checks(tmp_path)["tracking.experiments"].outcome


def test_a_lightning_wandb_logger_tracks_the_runs(tmp_path):
    files = {"train.py": LIGHTNING.replace("{logger}", "WandbLogger")}
    assert _experiments(tmp_path, files) is Outcome.PASS


def test_a_lightning_tensorboard_logger_keeps_logs_in_the_container(tmp_path):
    # near miss: TensorBoard event files in the job's own folder are no tracker
    files = {"train.py": LIGHTNING.replace("{logger}", "TensorBoardLogger")}
    assert _experiments(tmp_path, files) is Outcome.FAIL


VERTEX_TENSORBOARD = """
    from google.cloud import aiplatform

    tensorboard = aiplatform.Tensorboard(location="europe-west4", tensorboard_name="{id}")
    job = aiplatform.CustomContainerTrainingJob(display_name="ocr", container_uri="{image}")
    job.run(tensorboard=tensorboard.resource_name, service_account="{sa}")
"""


def test_a_vertex_tensorboard_instance_tracks_the_runs(tmp_path):
    assert _experiments(tmp_path, {"pipeline.py": VERTEX_TENSORBOARD}) is Outcome.PASS


def test_a_keras_tensorboard_callback_alone_tracks_nothing(tmp_path):
    # near miss: the Keras callback writing to a local folder, no managed instance
    train = """
        from tensorflow import keras


        def fit(model, data):
            board = keras.callbacks.TensorBoard(log_dir="logs/")
            model.fit(data, epochs=10, callbacks=[board])
    """
    assert _experiments(tmp_path, {"train.py": train}) is Outcome.FAIL


# CD deploying to an Azure ML online endpoint the version its registration step returned
AZURE_PIPELINE = """
library 'shared-library'
pipeline {
    agent any
    stages {
        stage('Register') {
            steps { script { env.MODEL = registerModel('$PIPELINE', '$MODEL_NAME') } }
        }
        stage('Release') {
            steps { script { pushToEndpoint('$ENDPOINT', "${env.MODEL}") } }
        }
    }
}
"""
AZURE_REGISTER = """
def call(String pipelineName, String modelName) {
  def job = sh(script: "az ml job list --parent-job-name $pipelineName -o tsv", returnStdout: true)
  return "azureml:$modelName:${sh(script: "az ml model create --name $modelName --path azureml://jobs/$job/outputs/model/ --type mlflow_model --query version -o tsv", returnStdout: true)}"
}
"""
AZURE_RELEASE = """
def call(String endpoint, String model) {
  sh \"\"\"
    az ml online-deployment create --all-traffic --endpoint-name $endpoint {model}
  \"\"\"
}
"""


def _azure_cd(tmp_path, model_option):
    files = {
        "jenkins/deploy.groovy": AZURE_PIPELINE,
        "jenkins/shared-library/vars/registerModel.groovy": AZURE_REGISTER,
        "jenkins/shared-library/vars/pushToEndpoint.groovy": AZURE_RELEASE.replace(
            "{model}", model_option
        ),
    }
    return _serving(tmp_path, files)


def test_an_online_deployment_given_the_registered_version_serves_the_registry(tmp_path):
    assert _azure_cd(tmp_path, "--set model=$model") is Outcome.PASS


def test_an_online_deployment_from_a_file_alone_names_no_registry_version(tmp_path):
    # near miss: the deployment file decides the model (a local folder, unread here)
    assert _azure_cd(tmp_path, "--file deployment.yml") is Outcome.FAIL


# CD fetching the W&B registry artifact it ships (`wandb artifact get`)
PROMOTE_WORKFLOW = """
on:
  workflow_dispatch:
    inputs:
      wandb_artifact:
        description: registry artifact to promote
        required: true
jobs:
  promote:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Fetch the model
        run: {fetch}
      - name: Upload to GCS
        run: gsutil cp ./artifacts/model.pt gs://models/production/model.pt
      - name: Redeploy the API
        run: gcloud run deploy ct-scan-api --region europe-west1 --image "$IMAGE"
"""
WANDB_LINK = """
    import wandb


    def promote(model_path: str):
        run = wandb.init(project="ct-scan", job_type="promote")
        artifact = run.use_artifact(model_path, type="model")
        run.link_artifact(artifact, target_path="wandb-registry-model/ct-scan", aliases=["production"])
"""


def test_cd_fetching_the_wandb_registry_artifact_it_ships_serves_the_registry(tmp_path):
    fetch = 'wandb artifact get "${{ inputs.wandb_artifact }}" --root ./artifacts'
    files = {
        "src/promote_model.py": WANDB_LINK,
        ".github/workflows/promote.yml": PROMOTE_WORKFLOW.replace("{fetch}", fetch),
    }
    assert _serving(tmp_path, files) is Outcome.PASS


def test_cd_copying_a_bucket_file_ships_nothing_of_the_registry(tmp_path):
    # near miss: the model CD ships comes from a bucket, not from the registry
    fetch = "gsutil cp gs://training-outputs/model.pt ./artifacts/model.pt"
    files = {
        "src/promote_model.py": WANDB_LINK,
        ".github/workflows/promote.yml": PROMOTE_WORKFLOW.replace("{fetch}", fetch),
    }
    assert _serving(tmp_path, files) is Outcome.FAIL


# an Airflow task submitting a repository notebook to Databricks by its workspace path
CENSUS_DAG = """
    from airflow import DAG
    from airflow.providers.databricks.operators.databricks import DatabricksSubmitRunOperator

    with DAG("databricks_ml_example", schedule=None) as dag:
        train = DatabricksSubmitRunOperator(
            task_id="train_model_notebook_task",
            notebook_task={"notebook_path": "/Users/{{ var.value.databricks_user }}/LightGBM-Census"},
        )
"""
CENSUS_NOTEBOOK = notebook(
    [
        "import mlflow\nimport lightgbm as lgb\nmlflow.sklearn.autolog()",
        "with mlflow.start_run():\n    model = lgb.LGBMClassifier().fit(X, y)",
    ]
)


def test_tracking_in_the_notebook_a_dag_submits_to_databricks_counts(tmp_path):
    files = {
        "dags/census.py": CENSUS_DAG,
        "example_notebooks/LightGBM-Census.ipynb": CENSUS_NOTEBOOK,
    }
    assert _experiments(tmp_path, files) is Outcome.PASS


def test_tracking_in_a_notebook_no_dag_submits_stays_exploration(tmp_path):
    # near miss: the DAG submits another notebook; this one is explored by hand
    files = {"dags/census.py": CENSUS_DAG, "example_notebooks/Census-EDA.ipynb": CENSUS_NOTEBOOK}
    assert _experiments(tmp_path, files) is Outcome.FAIL

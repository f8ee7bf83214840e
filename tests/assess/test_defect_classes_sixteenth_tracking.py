"""Defect classes read from the sixteenth held-out batch's tracking misses once it joined the
calibration part (and the earlier batches' misses of the same shape): lineage a registered
model version carries where it is registered, the CI build (`build_id`, `BuildId`), the training
job or the training datasets (Azure ML v1 `register_model(..., datasets=[...])`, an Azure ML v2
`Model(tags={"training_job": ...})`, MLflow `set_model_version_tag(..., key="build_id")`), read
as no lineage because only git keys of MLflow tags counted; and, an over-score, an Azure ML v1
scoring script (`Model.get_model_path` in `init()`) and a helper building a scoring image of a
registered version read as serving from the registry although nothing deploys either; a
service loading the version an alias marks through a table of MLflow flavour loaders
(`{"xgboost": mlflow.xgboost.load_model}`) read as loading nothing.
Each test fails on the code before the fix; each reads a shape of a stack, not one repository's
files, and the near misses beside them pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

AZURE_V1_REGISTER = """
    from azureml.core import Run


    def register(model_name, build_id, accuracy, datasets):
        run = Run.get_context()
        tags = {"accuracy": accuracy}
        tags["BuildId"] = build_id
        run.parent.register_model(model_name=model_name, model_path="outputs/model.pkl", tags=tags)
"""


def _lineage(tmp_path, files):
    write(tmp_path, files)
    return checks(tmp_path)["tracking.lineage-tags"].outcome


def test_azure_v1_registration_tagged_with_the_ci_build_carries_lineage(tmp_path):
    assert _lineage(tmp_path, {"src/register.py": AZURE_V1_REGISTER}) is Outcome.PASS


def test_azure_v1_registration_with_its_training_datasets_carries_lineage(tmp_path):
    source = AZURE_V1_REGISTER.replace('tags["BuildId"] = build_id', "pass").replace(
        "tags=tags)", "tags=tags, datasets=datasets)"
    )
    assert _lineage(tmp_path, {"src/register.py": source}) is Outcome.PASS


def test_azure_v2_model_tagged_with_its_training_job_carries_lineage(tmp_path):
    source = """
        from azure.ai.ml import MLClient
        from azure.ai.ml.entities import Model


        def register(ml_client: MLClient, config, job_name, rmse):
            model = Model(
                name=config["model_name"],
                path=f"azureml://jobs/{job_name}/outputs/model_output",
                tags={**config["tags"], "training_job": job_name, "rmse": str(rmse)},
            )
            return ml_client.models.create_or_update(model).version
    """
    assert _lineage(tmp_path, {"src/register.py": source}) is Outcome.PASS


def test_mlflow_version_tagged_with_the_build_reference_carries_lineage(tmp_path):
    source = """
        import mlflow


        def register(run_uri, name, mse, build_reference):
            version = mlflow.register_model(run_uri, name)
            client = mlflow.MlflowClient()
            client.set_model_version_tag(name=name, version=version.version, key="mse", value=mse)
            client.set_model_version_tag(
                name=name, version=version.version, key="build_id", value=build_reference
            )
    """
    assert _lineage(tmp_path, {"src/register.py": source}) is Outcome.PASS


def test_a_registration_tagged_with_its_run_id_and_metrics_carries_no_lineage(tmp_path):
    # near miss: the run id and the scores, nothing of the code, build or data behind them
    source = """
        from azureml.core import Model, Run


        def register(ws, run_id, model_name):
            Model.register(
                workspace=ws,
                model_path="model.pkl",
                model_name=model_name,
                tags={"area": "diabetes", "type": "regression", "run_id": run_id},
            )
            Run.get_context().parent.register_model(model_name=model_name, tags={"rmse": 1.0})
    """
    assert _lineage(tmp_path, {"src/register.py": source}) is Outcome.FAIL


def test_build_id_as_a_run_tag_is_no_version_lineage(tmp_path):
    # near miss: a pipeline run tagged with the build, the model registered without it
    source = """
        from azureml.core import Experiment


        def submit(ws, pipeline, build_id):
            Experiment(ws, "train").submit(pipeline, tags={"BuildId": build_id})
    """
    assert _lineage(tmp_path, {"src/submit.py": source}) is Outcome.FAIL


# an Azure ML v1 scoring script and a helper building a scoring image of a registered version
SCORE = """
    import json

    import joblib
    from azureml.core.model import Model


    def init():
        global model
        model = joblib.load(Model.get_model_path(model_name="model.pkl"))


    def run(raw_data):
        return json.dumps({"result": model.predict(json.loads(raw_data)["data"]).tolist()})
"""
REGISTER = """
    from azureml.core import Model, Run


    def register(ws, name):
        Run.get_context().upload_file(name, "outputs/model.pkl")
        Model.register(workspace=ws, model_path="model.pkl", model_name=name)
"""
IMAGE = """
    import os

    from azureml.core import Workspace
    from azureml.core.image import ContainerImage, Image
    from azureml.core.model import Model

    ws = Workspace.from_config()
    model = Model(ws, name=os.environ["MODEL_NAME"], version=os.environ["MODEL_VERSION"])
    config = ContainerImage.image_configuration(execution_script="score.py", runtime="python")
    Image.create(name="scoring", models=[model], image_config=config, workspace=ws)
"""


def _served_from_registry(tmp_path, files):
    write(tmp_path, files)
    return checks(tmp_path)["tracking.serving-from-registry"].outcome


def test_a_scoring_script_and_image_of_a_registered_version_nothing_deploys(tmp_path):
    files = {"code/score.py": SCORE, "code/register.py": REGISTER, "ml_service/image.py": IMAGE}
    assert _served_from_registry(tmp_path, files) is Outcome.FAIL


def test_the_same_scoring_script_deployed_as_a_web_service_serves_the_registry(tmp_path):
    # near miss: the registered version is deployed behind an ACI web service
    deploy = """
        from azureml.core import Workspace
        from azureml.core.model import InferenceConfig, Model
        from azureml.core.webservice import AciWebservice

        ws = Workspace.from_config()
        model = Model(ws, name="model.pkl")
        config = InferenceConfig(entry_script="score.py")
        Model.deploy(ws, "scoring", [model], config, AciWebservice.deploy_configuration())
    """
    files = {"code/score.py": SCORE, "code/register.py": REGISTER, "ml_service/deploy.py": deploy}
    assert _served_from_registry(tmp_path, files) is Outcome.PASS


# a serving app loading the version an alias marks through a table of MLflow flavour loaders
LOADERS = """
    import mlflow

    LOADERS = {
        "xgboost": mlflow.xgboost.{call},
        "random_forest": mlflow.sklearn.{call},
    }


    def load_model_by_type(model_uri, model_type):
        return LOADERS[model_type](model_uri)
"""
MANAGER = """
    from mlflow import MlflowClient

    from src.inference.model_loader import load_model_by_type


    def reload(model_name, alias="champion"):
        version = MlflowClient().get_model_version_by_alias(model_name, alias)
        uri = f"models:/{model_name}@{alias}"
        return load_model_by_type(uri, version.tags.get("model_type", "xgboost")), version
"""
APP = """
    from fastapi import FastAPI

    from src.inference.model_manager import reload

    app = FastAPI()
    model, version = reload("sales")


    @app.post("/predict")
    def predict(rows: list[dict]):
        return {"predictions": model.predict(rows).tolist()}
"""


def test_a_service_loading_the_alias_through_a_table_of_mlflow_loaders(tmp_path):
    files = {
        "src/inference/model_loader.py": LOADERS.replace("{call}", "load_model"),
        "src/inference/model_manager.py": MANAGER,
        "src/api/app.py": APP,
    }
    assert _served_from_registry(tmp_path, files) is Outcome.PASS


def test_a_table_of_mlflow_loggers_loads_nothing(tmp_path):
    # near miss: the table holds the flavours' log_model, so the service loads no model
    files = {
        "src/inference/model_loader.py": LOADERS.replace("{call}", "log_model"),
        "src/inference/model_manager.py": MANAGER,
        "src/api/app.py": APP,
    }
    assert _served_from_registry(tmp_path, files) is Outcome.FAIL

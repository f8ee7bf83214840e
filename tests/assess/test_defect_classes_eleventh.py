"""Defect classes read from the eleventh held-out batch's misses once it joined the calibration
part, the over-scores: an Evidently service's config read as a parameter file, client tests with
mocked HTTP read as integration tests, an MLflow pyfunc wrapper's load_context read as
prediction code, KFP pipelines that ingest or score read as the training pipeline, a KFP
component that cannot run read as saving a model and its pipeline as training (the too-low classes are in
test_defect_classes_eleventh_low.py).
Each test fails on the code before the fix; each reads a shape of a stack, not one repository's
files, and the near misses beside them pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

EVIDENTLY_SERVICE = """
    datasets:
      house_prices:
        column_mapping:
          categorical_features: [condition]
          numerical_features: [bedrooms]
          target:
        data_format:
          header: true
        monitors:
          - data_drift
    service:
      reference_path: ./reference.csv
      window_size: 5
      calculation_period_sec: 1
"""


def test_an_evidently_service_config_is_no_parameter_file(tmp_path):
    write(
        tmp_path,
        {
            "requirements.txt": "evidently\nscikit-learn\n",
            "server/monitoring_server/config.yaml": EVIDENTLY_SERVICE,
            "pipeline/train.py": "import joblib\njoblib.dump(model, 'model.pkl')\n",
        },
    )
    assert checks(tmp_path)["repro.config-file"].outcome is Outcome.FAIL


def test_a_config_with_datasets_and_training_parameters_is_a_parameter_file(tmp_path):
    # near miss: datasets beside the model's parameters, no monitors
    write(
        tmp_path,
        {
            "requirements.txt": "scikit-learn\n",
            "config.yaml": """
                datasets:
                  train: {path: data/train.csv}
                service:
                  port: 8080
                model:
                  n_estimators: 100
            """,
            "pipeline/train.py": "import joblib\njoblib.dump(model, 'model.pkl')\n",
        },
    )
    assert checks(tmp_path)["repro.config-file"].outcome is Outcome.PASS


CLIENT = """
    import requests


    def query_endpoint(columns, rows):
        response = requests.post(URL, json={"dataframe_split": {"columns": columns, "data": rows}})
        return response.json()["predictions"]
"""
CLIENT_TEST = """
    from unittest.mock import Mock

    import requests

    from endpoint_client import query_endpoint


    def test_query_endpoint_sends_dataframe_split(monkeypatch):
        post = Mock(return_value=Mock(json=Mock(return_value={"predictions": [1]})))
        monkeypatch.setattr(requests, "post", post)
        assert query_endpoint(["a"], [[1.0]]) == [1]


    @mock.patch("endpoint_client.requests.post")
    def test_query_endpoint_raises_on_http_error(post):
        post.return_value.status_code = 401
        query_endpoint(["a"], [[1.0]])


    def test_query_endpoint_rejects_missing_settings(monkeypatch):
        monkeypatch.delenv("DATABRICKS_HOST", raising=False)
        with pytest.raises(KeyError):
            query_endpoint(["a"], [[1.0]])


    def test_query_endpoint_with_requests_mock(requests_mock):
        requests_mock.post(URL, json={"predictions": [1]})
        assert query_endpoint(["a"], [[1.0]]) == [1]
"""


def test_client_tests_with_mocked_http_are_no_integration_tests(tmp_path):
    write(
        tmp_path,
        {
            "pyproject.toml": "[project]\nname = 'client'\n",
            "endpoint_client.py": CLIENT,
            "tests/test_client.py": CLIENT_TEST,
        },
    )
    assert checks(tmp_path)["quality.integration-tests"].outcome is Outcome.FAIL


def test_an_endpoint_test_that_calls_the_running_service_is_an_integration_test(tmp_path):
    # near miss: the same test name, the request really sent to the deployed endpoint
    write(
        tmp_path,
        {
            "pyproject.toml": "[project]\nname = 'client'\n",
            "endpoint_client.py": CLIENT,
            "tests/test_client.py": """
                import os

                from endpoint_client import query_endpoint


                def test_query_endpoint_answers():
                    assert len(query_endpoint(["a"], [[1.0]])) == 1
            """,
        },
    )
    assert checks(tmp_path)["quality.integration-tests"].outcome is Outcome.PASS


PYFUNC_WRAPPER = """
    import joblib
    import mlflow.models
    import mlflow.pyfunc


    class ModelWrapper(mlflow.pyfunc.PythonModel):
        def load_context(self, context):
            self.pipeline = joblib.load(context.artifacts["pipeline"])

        def predict(self, context, model_input):
            return self.pipeline.predict(model_input)


    mlflow.models.set_model(ModelWrapper())
"""
PYFUNC_TRAIN = """
    import joblib
    import mlflow

    joblib.dump(pipeline, "pipeline.joblib")
    mlflow.pyfunc.log_model("model", python_model="wrapper.py", artifacts={"pipeline": "pipeline.joblib"})
"""


def test_a_pyfunc_wrappers_load_context_is_no_prediction_code(tmp_path):
    write(
        tmp_path,
        {
            "pyproject.toml": "[project]\nname = 'polymodel'\n",
            "polymodel/wrapper.py": PYFUNC_WRAPPER,
            "polymodel/train.py": PYFUNC_TRAIN,
        },
    )
    found = checks(tmp_path)["deployment.predict-script"]
    assert found.outcome is Outcome.FAIL, found


def test_loading_the_logged_pyfunc_to_predict_is_prediction_code(tmp_path):
    # near miss: the same wrapper, and a batch script loading the logged model to predict
    write(
        tmp_path,
        {
            "pyproject.toml": "[project]\nname = 'polymodel'\n",
            "polymodel/wrapper.py": PYFUNC_WRAPPER,
            "polymodel/train.py": PYFUNC_TRAIN,
            "polymodel/score.py": """
                import mlflow.pyfunc

                model = mlflow.pyfunc.load_model("models:/polymodel@active")
                model.predict(frame)
            """,
        },
    )
    found = checks(tmp_path)["deployment.predict-script"]
    assert found.outcome is Outcome.PASS, found


INGEST_PIPELINE = """
    from kfp import compiler
    from kfp.dsl import pipeline

    from components.fetch_jsonl import fetch_jsonl


    @pipeline(name="dex_liquidity_raw")
    def raw_pipeline(interval_end_iso: str = ""):
        for proto in ["uniswap", "sushiswap"]:
            fetch_jsonl(protocol=proto, interval_end_iso=interval_end_iso)


    if __name__ == "__main__":
        compiler.Compiler().compile(pipeline_func=raw_pipeline, package_path="out.json")
"""
PREDICT_PIPELINE = """
    from google_cloud_pipeline_components.v1.batch_predict_job import BatchPredictJobRunOp
    from google_cloud_pipeline_components.v1.bigquery import BigqueryQueryJobOp
    from kfp import dsl

    from pipelines.components.import_feature_values import import_feature_values_cli


    @dsl.pipeline(name="hourly-predict")
    def hourly_pipeline(project: str, region: str, model_name: str):
        export_op = BigqueryQueryJobOp(project=project, location=region, query="CALL x()")
        import_op = import_feature_values_cli(project=project, gcs_uri=export_op.outputs["u"])
        BatchPredictJobRunOp(project=project, model=model_name).after(import_op)
"""
TRAIN_SCRIPT = """
    import joblib
    from sklearn.ensemble import IsolationForest

    model = IsolationForest().fit(frame)
    joblib.dump(model, "model.joblib")
"""


def test_kfp_pipelines_that_ingest_or_score_are_no_training_pipeline(tmp_path):
    write(
        tmp_path,
        {
            "requirements.txt": "kfp\nscikit-learn\n",
            "pipelines/raw_pipeline.py": INGEST_PIPELINE,
            "pipelines/hourly_prediction.py": PREDICT_PIPELINE,
            "scripts/train.py": TRAIN_SCRIPT,
        },
    )
    found = checks(tmp_path)["pipelines.orchestrated"]
    assert found.outcome is Outcome.FAIL, found


def test_a_kfp_pipeline_that_fetches_then_trains_is_a_training_pipeline(tmp_path):
    # near miss: the same ingestion pipeline with a training step after the fetch
    pipeline = INGEST_PIPELINE.replace(
        "            fetch_jsonl(protocol=proto, interval_end_iso=interval_end_iso)",
        "            data = fetch_jsonl(protocol=proto, interval_end_iso=interval_end_iso)\n"
        "        train_model(data=data.output)",
    ).replace("import fetch_jsonl", "import fetch_jsonl, train_model")
    write(
        tmp_path,
        {
            "requirements.txt": "kfp\nscikit-learn\n",
            "pipelines/raw_pipeline.py": pipeline,
            "scripts/train.py": TRAIN_SCRIPT,
        },
    )
    found = checks(tmp_path)["pipelines.orchestrated"]
    assert found.outcome is Outcome.PASS, found


BROKEN_COMPONENT = """
    from kfp.dsl import Dataset, Input, Model, Output, component


    @component(base_image="python:3.11", packages_to_install=["scikit-learn", "pandas"])
    def train_model(
        # training_data: Input[Dataset],
        # model: Output[Model],
    ) -> None:
        import joblib
        import pandas as pd
        from sklearn.tree import DecisionTreeClassifier

        df_train = pd.read_csv(training_data.path)
        y = df_train.pop("target")
        dtc = DecisionTreeClassifier().fit(X=df_train, y=y)
        joblib.dump(dtc, model.uri + "/model.joblib")
"""
TRIGGER_APP = """
    from fastapi import FastAPI

    from src.trigger.main import trigger_pipeline

    app = FastAPI(title="Pub/Sub Trigger")


    @app.post("/")
    async def index(envelope: dict):
        trigger_pipeline(envelope)
"""


def test_a_kfp_component_that_cannot_run_saves_no_model(tmp_path):
    write(
        tmp_path,
        {
            "pyproject.toml": "[project]\nname = 'batch'\n",
            "src/components/model/train.py": BROKEN_COMPONENT,
            "src/trigger/app.py": TRIGGER_APP,
        },
    )
    found = checks(tmp_path)
    assert found["tracking.model-artifact"].outcome is Outcome.FAIL, found[
        "tracking.model-artifact"
    ]
    assert found["deployment.predict-script"].outcome is Outcome.FAIL


def test_a_kfp_component_with_its_inputs_saves_the_model(tmp_path):
    # near miss: the same component with its parameters declared
    component = BROKEN_COMPONENT.replace("# training_data", "training_data").replace(
        "# model:", "model:"
    )
    write(
        tmp_path,
        {
            "pyproject.toml": "[project]\nname = 'batch'\n",
            "src/components/model/train.py": component,
            "src/trigger/app.py": TRIGGER_APP,
        },
    )
    found = checks(tmp_path)
    assert found["tracking.model-artifact"].outcome is Outcome.PASS, found[
        "tracking.model-artifact"
    ]


TRAINING_PIPELINE = """
    from kfp import compiler, dsl

    from src.components.model.train import train_model


    @dsl.pipeline(name="batch-preds-pipeline")
    def training_pipeline():
        train_model()


    if __name__ == "__main__":
        compiler.Compiler().compile(pipeline_func=training_pipeline, package_path="training.json")
"""
PIPELINE_TRIGGER = """
    from google.cloud import aiplatform


    def run_pipeline():
        aiplatform.init(project="p", location="europe-west1")
        aiplatform.PipelineJob(display_name="train", template_path="training.json").run()
"""


def test_a_kfp_pipeline_whose_training_component_cannot_run_is_no_training_pipeline(tmp_path):
    write(
        tmp_path,
        {
            "pyproject.toml": "[project]\nname = 'batch'\n",
            "src/components/model/train.py": BROKEN_COMPONENT,
            "src/pipelines/training/pipeline.py": TRAINING_PIPELINE,
            "src/trigger/basic_trigger.py": PIPELINE_TRIGGER,
        },
    )
    found = checks(tmp_path)["pipelines.orchestrated"]
    assert found.outcome is Outcome.FAIL, found


def test_a_kfp_pipeline_whose_training_component_runs_is_a_training_pipeline(tmp_path):
    # near miss: the same pipeline and trigger, the component's inputs declared
    component = BROKEN_COMPONENT.replace("# training_data", "training_data").replace(
        "# model:", "model:"
    )
    write(
        tmp_path,
        {
            "pyproject.toml": "[project]\nname = 'batch'\n",
            "src/components/model/train.py": component,
            "src/pipelines/training/pipeline.py": TRAINING_PIPELINE,
            "src/trigger/basic_trigger.py": PIPELINE_TRIGGER,
        },
    )
    found = checks(tmp_path)["pipelines.orchestrated"]
    assert found.outcome is Outcome.PASS, found

"""Defect classes read from the eleventh held-out batch's misses once it joined the calibration
part: the too-low ones (the over-scores are in test_defect_classes_eleventh.py). Each test fails
on the code before the fix; the near misses beside them pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

WORKFLOW = """
    on:
      pull_request:
      push:
        branches: [master]
    jobs:
      ci_pipeline:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - name: Run Tests
            run: |
              make {target}
"""
FILES = {
    "pyproject.toml": "[project]\nname = 'nba'\n",
    "src/predict.py": "import joblib\nmodel = joblib.load('model.joblib')\n",
    "tests/test_predict.py": "from src.predict import model\n\n\ndef test_model():\n    assert model\n",
    "Makefile": "ci-test:\n\tuv run pytest\n\nci-build:\n\tdocker build .\n",
}


def test_a_ci_step_running_a_prefixed_make_test_target_runs_the_tests(tmp_path):
    write(tmp_path, {**FILES, ".github/workflows/ci.yml": WORKFLOW.format(target="ci-test")})
    assert checks(tmp_path)["quality.ci-tests"].outcome is Outcome.PASS


def test_a_ci_step_running_a_prefixed_make_build_target_runs_no_tests(tmp_path):
    # near miss: a prefixed target named for something else
    write(tmp_path, {**FILES, ".github/workflows/ci.yml": WORKFLOW.format(target="ci-build")})
    assert checks(tmp_path)["quality.ci-tests"].outcome is Outcome.FAIL


SERVE_SCRIPT = """
    #!/bin/bash
    export MLFLOW_TRACKING_URI=http://localhost:5000
    mlflow models serve \\
      -m "models:/telco_classifier/latest" \\
      -p 5003 --host 0.0.0.0 --no-conda
"""
TRAIN_REGISTER = """
    import mlflow

    with mlflow.start_run():
        mlflow.log_metric("f1", 0.9)
        mlflow.sklearn.log_model(model, "model", registered_model_name="telco_classifier")
"""


def test_mlflow_models_serve_of_a_registry_uri_serves_from_the_registry(tmp_path):
    write(
        tmp_path,
        {
            "requirements.txt": "mlflow\n",
            "ml-model/train_model.py": TRAIN_REGISTER,
            "ml-model/serve_model.sh": SERVE_SCRIPT,
        },
    )
    assert checks(tmp_path)["tracking.serving-from-registry"].outcome is Outcome.PASS


def test_mlflow_models_serve_of_a_run_serves_no_registered_version(tmp_path):
    # near miss: the server loads a run's model, not a version of the registry
    script = SERVE_SCRIPT.replace('"models:/telco_classifier/latest"', '"runs:/abc123/model"')
    write(
        tmp_path,
        {
            "requirements.txt": "mlflow\n",
            "ml-model/train_model.py": TRAIN_REGISTER,
            "ml-model/serve_model.sh": script,
        },
    )
    assert checks(tmp_path)["tracking.serving-from-registry"].outcome is Outcome.FAIL


MONITOR_CYCLE = """
    import mlflow


    def run_cycle(result, data_drift):
        with mlflow.start_run(run_name="monitor"):
            metrics = {
                "data_drift_psi": result.data_drift_psi,
                "champion_rmse": result.champion_rmse,
            }
            for feature, value in data_drift.per_feature_ks.items():
                metrics[f"ks_{feature}"] = value
            mlflow.log_metrics(metrics)
"""


def test_drift_metrics_logged_to_mlflow_each_cycle_are_monitoring(tmp_path):
    write(
        tmp_path,
        {
            "requirements.txt": "mlflow\n",
            "src/driftloop/loop.py": MONITOR_CYCLE,
            "src/driftloop/train.py": TRAIN_REGISTER,
        },
    )
    assert checks(tmp_path)["monitoring.pipeline-metrics"].outcome is Outcome.PASS


def test_training_metrics_logged_to_mlflow_are_no_monitoring(tmp_path):
    # near miss: the same logging of the model's error, no drift measured
    cycle = MONITOR_CYCLE.replace('"data_drift_psi": result.data_drift_psi,', "").replace(
        'metrics[f"ks_{feature}"]', 'metrics[f"rmse_{feature}"]'
    )
    write(
        tmp_path,
        {
            "requirements.txt": "mlflow\n",
            "src/driftloop/loop.py": cycle,
            "src/driftloop/train.py": TRAIN_REGISTER,
        },
    )
    assert checks(tmp_path)["monitoring.pipeline-metrics"].outcome is Outcome.FAIL


TRAIN_SCRIPT_SK = "import joblib\njoblib.dump(model, 'model.pkl')\n"
TRAINER = """
    class ModelTrainer:
        def initiate_model_trainer(self):
            model, metric_artifact = self.get_model_object_and_report(train, test)
            if metric_artifact.accuracy < self.model_trainer_config.{bar}:
                raise CustomException("No model with accuracy above the expected threshold")
            return model
"""


def test_a_trainer_holding_accuracy_to_the_expected_accuracy_gates_the_model(tmp_path):
    write(
        tmp_path,
        {
            "requirements.txt": "scikit-learn\n",
            "us_visa/components/model_trainer.py": TRAINER.format(bar="expected_accuracy"),
            "us_visa/train.py": TRAIN_SCRIPT_SK,
        },
    )
    assert checks(tmp_path)["validation.quality-gate"].outcome is Outcome.PASS


def test_a_trainer_comparing_accuracy_to_a_running_best_gates_nothing(tmp_path):
    # near miss: the best of a search, no bar the model must reach
    write(
        tmp_path,
        {
            "requirements.txt": "scikit-learn\n",
            "us_visa/components/model_trainer.py": TRAINER.format(bar="best_accuracy"),
            "us_visa/train.py": TRAIN_SCRIPT_SK,
        },
    )
    assert checks(tmp_path)["validation.quality-gate"].outcome is Outcome.FAIL


PIPELINE_TEST = """
    import boto3

    from eks_ml_pipeline import TrainTestPipelines


    def test_ae_pipeline_eval(ae_test_input, bucket_name):
        s3_client = boto3.client("s3")
        TrainTestPipelines(ae_test_input).test()
        s3_client.head_object(Bucket=bucket_name, Key="models/predictions.npy")
"""


def test_a_test_running_the_pipeline_against_s3_is_an_integration_test(tmp_path):
    write(
        tmp_path,
        {
            "requirements.txt": "boto3\n",
            "eks_ml_pipeline/__init__.py": "from .pipes import TrainTestPipelines\n",
            "tests/test_pipeline_eval.py": PIPELINE_TEST,
        },
    )
    assert checks(tmp_path)["quality.integration-tests"].outcome is Outcome.PASS


def test_a_test_against_moto_is_no_integration_test(tmp_path):
    # near miss: the same test with S3 mocked by moto
    test = PIPELINE_TEST.replace(
        "    import boto3", "    import boto3\n    from moto import mock_aws"
    )
    test = test.replace("    def test_ae", "    @mock_aws\n    def test_ae")
    write(
        tmp_path,
        {
            "requirements.txt": "boto3\n",
            "eks_ml_pipeline/__init__.py": "from .pipes import TrainTestPipelines\n",
            "tests/test_pipeline_eval.py": test,
        },
    )
    assert checks(tmp_path)["quality.integration-tests"].outcome is Outcome.FAIL


MONITORED_API = """
    import joblib
    from evidently.metric_preset import TargetDriftPreset
    from evidently.report import Report
    from fastapi import FastAPI

    app = FastAPI()
    model = joblib.load("model.joblib")


    @app.post("/predict/{model_name}")
    def predict(model_name: str, ride: dict):
        return {"duration": model.predict([ride])[0]}


    @app.get("/monitor-target/{model_name}")
    def monitor_target_drift(model_name: str):
        report = Report(metrics=[TargetDriftPreset()])
        report.run(reference_data=REFERENCE, current_data=load_logged_predictions(model_name))
        return report.get_html()
"""


def test_a_serving_api_route_reporting_drift_on_its_predictions_monitors_serving(tmp_path):
    write(tmp_path, {"requirements.txt": "fastapi\nevidently\n", "fastapi/app.py": MONITORED_API})
    found = checks(tmp_path)
    assert found["monitoring.pipeline-metrics"].outcome is Outcome.PASS
    assert found["monitoring.serving-metrics"].outcome is Outcome.PASS


def test_a_monitor_route_with_no_drift_detection_monitors_nothing(tmp_path):
    # near miss: a route named for monitoring drift that returns the logged predictions, with no
    # drift detection behind it
    api = MONITORED_API.replace("from evidently.metric_preset import TargetDriftPreset\n", "")
    api = api.replace("from evidently.report import Report\n", "")
    api = api.replace(
        "        report = Report(metrics=[TargetDriftPreset()])\n"
        "        report.run(reference_data=REFERENCE, current_data=load_logged_predictions(model_name))\n"
        "        return report.get_html()",
        "        return load_logged_predictions(model_name)",
    )
    write(tmp_path, {"requirements.txt": "fastapi\n", "fastapi/app.py": api})
    found = checks(tmp_path)
    assert found["monitoring.serving-metrics"].outcome is Outcome.FAIL


SYS_PATH_API = """
    import sys
    from pathlib import Path

    import joblib
    from fastapi import FastAPI

    sys.path.insert(0, str(Path(__file__).parent.parent))
    from monitoring.drift_detector import DriftDetector

    app = FastAPI()
    model = joblib.load("model.joblib")


    @app.post("/predict")
    def predict(row: dict):
        return {"prediction": model.predict([row])[0]}


    @app.get("/monitoring/drift/check")
    async def check_drift():
        return {"alerts": DriftDetector().check_all_drifts()}
"""
DRIFT_DETECTOR = """
    from scipy.stats import ks_2samp


    class DriftDetector:
        def check_all_drifts(self):
            return [self.detect_prediction_drift()]

        def detect_prediction_drift(self):
            return ks_2samp(REFERENCE, RECENT).pvalue < 0.05
"""


def test_a_drift_module_imported_through_sys_path_is_followed(tmp_path):
    write(
        tmp_path,
        {
            "requirements.txt": "fastapi\nscipy\n",
            "src_clean/api/main.py": SYS_PATH_API,
            "src_clean/monitoring/drift_detector.py": DRIFT_DETECTOR,
        },
    )
    assert checks(tmp_path)["monitoring.serving-metrics"].outcome is Outcome.PASS


def test_a_drift_module_outside_the_folder_put_on_sys_path_is_not(tmp_path):
    # near miss: the path inserted is the api folder itself, where no monitoring module lives
    api = SYS_PATH_API.replace("Path(__file__).parent.parent", "Path(__file__).parent")
    write(
        tmp_path,
        {
            "requirements.txt": "fastapi\nscipy\n",
            "src_clean/api/main.py": api,
            "src_clean/monitoring/drift_detector.py": DRIFT_DETECTOR,
        },
    )
    assert checks(tmp_path)["monitoring.serving-metrics"].outcome is Outcome.FAIL


KUBEFLOW_REGISTER = """
    def register_model(best_uri: str, run_id: str, map50: float):
        from model_registry import ModelRegistry

        registry = ModelRegistry(server_address="http://model-registry", author="ci")
        registry.register_model(
            "yolo", best_uri, version=run_id, model_format_name="onnx", metadata={"mAP50": map50}
        )
"""


def test_a_model_registered_in_the_kubeflow_model_registry_is_saved_and_registered(tmp_path):
    write(tmp_path, {"requirements.txt": "kfp\n", "pipelines/register.py": KUBEFLOW_REGISTER})
    found = checks(tmp_path)
    assert found["tracking.model-artifact"].outcome is Outcome.PASS
    assert found["tracking.registry"].outcome is Outcome.PASS


def test_a_register_model_of_another_client_is_not_the_kubeflow_registry(tmp_path):
    # near miss: the same call on a home-made client, no model registry library imported
    code = KUBEFLOW_REGISTER.replace("from model_registry import ModelRegistry", "import json")
    write(tmp_path, {"requirements.txt": "kfp\n", "pipelines/register.py": code})
    assert checks(tmp_path)["tracking.registry"].outcome is Outcome.FAIL


PUBLISH_JOB = """
    import mlflow
    from google.cloud import storage


    def copy_model_artifacts_to_gcs(env: str) -> None:
        client = mlflow.tracking.MlflowClient()
        version = client.get_model_version_by_alias("banking", alias="active")
        local = mlflow.artifacts.download_artifacts(artifact_uri=version.source)
        bucket = storage.Client().bucket("banking_model_assets")
        bucket.blob(f"model/{env}/{version.version}/model.pkl").upload_from_filename(local)
"""


def test_a_job_publishing_the_alias_version_to_storage_serves_from_the_registry(tmp_path):
    write(
        tmp_path,
        {
            "requirements.txt": "mlflow\ngoogle-cloud-storage\n",
            "src/train.py": TRAIN_REGISTER,
            "src/artifactory.py": PUBLISH_JOB,
        },
    )
    assert checks(tmp_path)["tracking.serving-from-registry"].outcome is Outcome.PASS


def test_a_job_uploading_a_fresh_model_serves_nothing_from_the_registry(tmp_path):
    # near miss: the same upload of a file the job wrote, no alias looked up
    job = PUBLISH_JOB.replace(
        'version = client.get_model_version_by_alias("banking", alias="active")',
        "version = client.get_run(RUN_ID)",
    )
    write(
        tmp_path,
        {
            "requirements.txt": "mlflow\ngoogle-cloud-storage\n",
            "src/train.py": TRAIN_REGISTER,
            "src/artifactory.py": job,
        },
    )
    assert checks(tmp_path)["tracking.serving-from-registry"].outcome is Outcome.FAIL

"""Defect classes read from the tenth held-out batch's misses once it joined the calibration
part, over-scores first: a batch-scoring flow read as the training pipeline, pickled feature
vectors read as a model, a traffic-routing JSON read as a parameter file, a shadow validator read
as data validation, tests that mock the drift check read as drift tests (the too-low classes are
in test_defect_classes_tenth_low.py).
Each test fails on the code before the fix; each reads a shape of a stack, not one repository's
files, and the near misses beside them pass on both."""

from __future__ import annotations

import json

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write


def outcome(root, check_id):
    return checks(root)[check_id].outcome


SCORING_FLOW = """
    from prefect import flow, task

    from churn.inference.predictor import predict_active


    @task
    def score_batch(df):
        return predict_active(df, alias="champion")


    @flow(name="batch-scoring")
    def batch_scoring_flow(limit=None):
        df = extract(limit)
        write_predictions(score_batch(df))


    if __name__ == "__main__":
        batch_scoring_flow()
"""
SCORING_WORKFLOW = """
    on: [workflow_dispatch]
    jobs:
      batch-scoring:
        runs-on: ubuntu-latest
        steps:
          - run: python -m orchestration.flows.batch_scoring
"""


def test_a_flow_that_only_scores_batches_is_no_training_pipeline(tmp_path):
    write(
        tmp_path,
        {
            "pyproject.toml": "[project]\nname = 'churn'\n",
            "orchestration/flows/batch_scoring.py": SCORING_FLOW,
            ".github/workflows/batch-scoring.yml": SCORING_WORKFLOW,
            "notebooks/train.py": "import joblib\njoblib.dump(model, 'model.pkl')\n",
        },
    )
    found = checks(tmp_path)
    assert found["pipelines.orchestrated"].outcome is Outcome.FAIL, found["pipelines.orchestrated"]
    assert "batch_scoring.py" in found["pipelines.orchestrated"].evidence[0]
    assert found["pipelines.image-build"].outcome is Outcome.FAIL


def test_a_flow_that_trains_and_evaluates_is_a_training_pipeline(tmp_path):
    # near miss: a training flow predicts too (its evaluation), through a task that fits
    flow = SCORING_FLOW.replace(
        "write_predictions(score_batch(df))", "fit_and_evaluate(df)\n        score_batch(df)"
    ).replace(
        "    @task\n",
        "    @task\n    def fit_and_evaluate(df):\n        model.fit(df)\n"
        "        return model.predict(df)\n\n\n    @task\n",
        1,
    )
    write(
        tmp_path,
        {
            "pyproject.toml": "[project]\nname = 'churn'\n",
            "orchestration/flows/batch_scoring.py": flow,
            ".github/workflows/batch-scoring.yml": SCORING_WORKFLOW,
        },
    )
    found = checks(tmp_path)
    assert found["pipelines.orchestrated"].outcome is Outcome.PASS
    assert found["pipelines.image-build"].outcome is Outcome.PASS
    # a flow that calls the project's training step by name trains, wherever the fit lives
    write(
        tmp_path / "b",
        {
            "flows/retrain.py": """
                from prefect import flow
                from pkg.steps import train_model, predict_holdout

                @flow
                def retrain():
                    predict_holdout(train_model())
            """,
        },
    )
    assert outcome(tmp_path / "b", "pipelines.orchestrated") is Outcome.PASS


ROUTING = {
    "canary_enabled": False,
    "canary_traffic_pct": 0,
    "champion_traffic_pct": 100,
    "canary_model_uris": ["/app/models/canary"],
    "champion_model_uris": ["/app/models/champion"],
    "ensemble_weights": {"xgboost": 0.5, "random_forest": 0.5},
}


def test_a_traffic_routing_file_is_no_parameter_file(tmp_path):
    write(
        tmp_path,
        {
            "requirements.txt": "xgboost\n",
            "api/config/traffic_routing.json": json.dumps(ROUTING),
        },
    )
    assert outcome(tmp_path, "repro.config-file") is Outcome.FAIL


def test_a_config_json_with_run_parameters_beside_routing_is_a_parameter_file(tmp_path):
    # near miss: the training's parameters in the same folder, or mixed into the routing file
    mixed = {**ROUTING, "learning_rate": 0.1, "max_depth": 6}
    write(tmp_path, {"api/config/traffic_routing.json": json.dumps(mixed)})
    assert outcome(tmp_path, "repro.config-file") is Outcome.PASS
    write(
        tmp_path / "b",
        {
            "api/config/traffic_routing.json": json.dumps(ROUTING),
            "config/train.json": json.dumps({"n_estimators": 200, "threshold": 0.5}),
        },
    )
    assert outcome(tmp_path / "b", "repro.config-file") is Outcome.PASS


FEATURE_PICKLES = """
    import pickle as pkl


    def create_pbssdb(output_dir, soaps):
        ftd = open(f"{output_dir}/Zr-Zr-SOAPS.vec", "wb")
        pkl.dump(soaps, ftd)
        ftd.close()


    def extract(sub_run_dir):
        with open(f"{sub_run_dir}/SOAPS.vec", "rb") as ftl:
            vectors = pkl.load(ftl, encoding="latin1")
        return vectors
"""


def test_pickled_feature_vectors_are_no_model(tmp_path):
    write(
        tmp_path,
        {
            "requirements.txt": "scikit-learn\nmlflow\n",
            "app/endpoints_dataops.py": FEATURE_PICKLES,
            "app/features.py": """
                import joblib
                import numpy as np

                def cache(features):
                    joblib.dump(features, "cache/features.pkl")
                    return np.load("x.npy")
            """,
        },
    )
    found = checks(tmp_path)
    assert found["tracking.model-artifact"].outcome is Outcome.FAIL
    assert found["deployment.predict-script"].outcome is Outcome.FAIL


def test_a_pickled_model_is_still_a_model(tmp_path):
    # near miss: the model pickled to a handle, and loaded back to predict
    write(
        tmp_path,
        {
            "requirements.txt": "scikit-learn\n",
            "app/train.py": """
                import pickle

                def save(model):
                    with open("models/model.pkl", "wb") as handle:
                        pickle.dump(model, handle)
            """,
            "app/predict.py": """
                import pickle

                def predict(x):
                    with open("models/model.pkl", "rb") as handle:
                        return pickle.load(handle).predict(x)
            """,
        },
    )
    found = checks(tmp_path)
    assert found["tracking.model-artifact"].outcome is Outcome.PASS
    assert found["deployment.predict-script"].outcome is Outcome.PASS


def test_a_web_app_of_a_project_with_no_model_to_serve_predicts_nothing(tmp_path):
    # the data service's FastAPI app extracts and pickles feature vectors; no model is saved,
    # loaded or resolved, and no route predicts
    write(
        tmp_path,
        {
            "requirements.txt": "fastapi\nmlflow\n",
            "app/endpoints_dataops.py": FEATURE_PICKLES
            + """
    from fastapi import FastAPI

    app = FastAPI()


    @app.post("/create_pbssdb/{composition}")
    def create(composition: str):
        create_pbssdb("/tmp", [])
""",
        },
    )
    assert outcome(tmp_path, "deployment.predict-script") is Outcome.FAIL


def test_a_web_app_with_a_predict_route_predicts(tmp_path):
    # near miss: the same app with a route that predicts (the model loaded elsewhere)
    write(
        tmp_path,
        {
            "app/main.py": """
                from fastapi import FastAPI

                app = FastAPI()


                @app.post("/predict")
                def predict(x: float):
                    return {"y": x}
            """,
        },
    )
    assert outcome(tmp_path, "deployment.predict-script") is Outcome.PASS


SHADOW_VALIDATOR = """
    import mlflow.pytorch


    def _load(uri):
        return mlflow.pytorch.load_model(uri).eval()


    def validate(challenger_version, X_eval, y_eval):
        production = _load("models:/rul@production")
        challenger = _load(f"models:/rul/{challenger_version}")
        return compare(production(X_eval), challenger(X_eval), y_eval)
"""


def test_a_shadow_validator_of_models_is_no_data_validation(tmp_path):
    write(tmp_path, {"src/shadow/validator.py": SHADOW_VALIDATOR})
    assert outcome(tmp_path, "validation.data-checks") is Outcome.FAIL


def test_a_validate_function_of_input_data_is_data_validation(tmp_path):
    # near miss: `validate` checking the input frame, beside a model loaded elsewhere in the file
    write(
        tmp_path,
        {
            "src/serving/inputs.py": """
                import joblib

                MODEL = joblib.load("models/model.joblib")


                def validate(df):
                    missing = set(COLUMNS) - set(df.columns)
                    if missing:
                        raise ValueError(missing)
                    return df
            """,
        },
    )
    assert outcome(tmp_path, "validation.data-checks") is Outcome.PASS


def test_tests_that_mock_the_drift_check_are_no_drift_tests(tmp_path):
    write(
        tmp_path,
        {
            "tests/unit/test_training_flow.py": """
                from unittest.mock import MagicMock

                import flows.training_flow as training_flow
                from src.training.policy import should_skip_training


                def test_training_pipeline_drift_refreshes_api(monkeypatch):
                    mock_check_drift = MagicMock(return_value=True)
                    monkeypatch.setattr("flows.training_flow.task_check_drift", mock_check_drift)
                    training_flow.training_pipeline.fn(force_run=False)
                    mock_check_drift.assert_called_once()


                def test_should_skip_training_returns_false_when_drift_detected():
                    assert should_skip_training(True, False) is False
            """,
        },
    )
    assert outcome(tmp_path, "quality.drift-tests") is Outcome.FAIL


def test_tests_that_run_drift_detection_or_a_drift_module_are_drift_tests(tmp_path):
    # near misses: a test computing PSI, and one running a drift module with its SDK mocked
    write(
        tmp_path,
        {
            "tests/test_drift.py": """
                from src.drift import psi


                def test_psi_flags_a_shifted_sample():
                    assert psi([1, 2, 3], [7, 8, 9]) > 0.2
            """,
        },
    )
    assert outcome(tmp_path, "quality.drift-tests") is Outcome.PASS
    write(
        tmp_path / "b",
        {
            "tests/unit/data_drift_setup_test.py": """
                from unittest.mock import MagicMock, patch

                from src.data_drift_setup import main


                @patch("src.data_drift_setup.DataDriftDetector")
                def test_data_drift_setup(mock_detector):
                    mock_monitor = MagicMock()
                    mock_detector.create_from_datasets.return_value = mock_monitor
                    main()
                    mock_monitor.enable_schedule.assert_called_once()
            """,
        },
    )
    assert outcome(tmp_path / "b", "quality.drift-tests") is Outcome.PASS

"""Defect classes read from the calibration part's remaining too-high cells (issue 23): each
test fails on the code before its fix and reads a shape of a stack, not one repository's files;
the near miss beside it must still score."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

APP_LOGGER = """
    import logging

    from azure.monitor.opentelemetry import configure_azure_monitor


    def get_logger(connection_string: str) -> logging.Logger:
        configure_azure_monitor(connection_string=connection_string)
        return logging.getLogger("taxi")
"""
BATCH_SCORE = """
    import mlflow
    import pandas as pd

    from monitoring.app_logger import get_logger


    def score(path: str) -> None:
        logger = get_logger("key")
        model = mlflow.pyfunc.load_model("models:/taxi/1")
        model.predict(pd.read_parquet(path)).to_parquet("scores.parquet")
        logger.info("scored")
"""
SERVICE = """
    import mlflow
    from fastapi import FastAPI

    from monitoring.app_logger import get_logger

    app = FastAPI()
    model = mlflow.pyfunc.load_model("models:/taxi/1")
    logger = get_logger("key")


    @app.post("/predict")
    def predict(x: float):
        logger.info("predict")
        return {"y": float(model.predict([[x]])[0])}
"""


def test_azure_monitor_telemetry_of_batch_jobs_watches_no_serving_side(tmp_path):
    # a telemetry SDK (Azure Monitor's OpenTelemetry distro) in a project with training and batch
    # scoring jobs only: its logs and traces watch those jobs, not a serving side
    write(tmp_path, {"monitoring/app_logger.py": APP_LOGGER, "jobs/score.py": BATCH_SCORE})
    found = checks(tmp_path)
    assert found["monitoring.pipeline-metrics"].outcome is Outcome.PASS
    assert found["monitoring.serving-metrics"].outcome is Outcome.FAIL


def test_azure_monitor_telemetry_of_a_service_monitors_the_serving_side(tmp_path):
    # near miss: the same SDK in a project with a prediction service
    write(tmp_path, {"monitoring/app_logger.py": APP_LOGGER, "api/main.py": SERVICE})
    assert checks(tmp_path)["monitoring.serving-metrics"].outcome is Outcome.PASS


ZENML_PIPELINE = """
    from zenml import pipeline, step


    @step
    def train(n_estimators: int = 100) -> None:
        print(n_estimators)


    @pipeline
    def training_pipeline():
        train()


    if __name__ == "__main__":
        training_pipeline.with_options(config_path="config.yaml")()
"""
ZENML_SETTINGS = """
    enable_cache: False

    settings:
      docker:
        required_integrations:
          - mlflow

    model:
      name: prices_car_predictor
      license: Apache 2.0
      description: Predictor of used car prices.
      tags: ["regression", "car"]
"""
ZENML_PARAMETERS = (
    ZENML_SETTINGS
    + """
    steps:
      train:
        parameters:
          n_estimators: 300
"""
)


def test_a_zenml_run_config_of_settings_only_holds_no_parameters(tmp_path):
    # caching, Docker integrations and the model's name/licence/tags set how ZenML runs the
    # pipeline; the hyperparameters stay in the code
    write(tmp_path, {"run_pipeline.py": ZENML_PIPELINE, "config.yaml": ZENML_SETTINGS})
    assert checks(tmp_path)["repro.config-file"].outcome is Outcome.FAIL


def test_a_zenml_run_config_passing_step_parameters_is_the_config_file(tmp_path):
    # near miss: the same file passing the training step's parameters
    write(tmp_path, {"run_pipeline.py": ZENML_PIPELINE, "config.yaml": ZENML_PARAMETERS})
    assert checks(tmp_path)["repro.config-file"].outcome is Outcome.PASS


HEALTH_CHECK = """
    import logging

    from monitoring.alerts import alert_manager
    from monitoring.performance import live_accuracy, load_active_model


    def main(model):
        accuracy = live_accuracy(model)
        baseline_accuracy = model.metrics.get("accuracy", 0.9)
        degradation_threshold = 0.05
        if accuracy < baseline_accuracy - degradation_threshold:
            logging.warning("performance degradation: %.3f", accuracy)
            alert_manager.handle_alert("performance", "high", {"accuracy": accuracy})


    if __name__ == "__main__":
        main(load_active_model())
"""
GATE_THAT_ALERTS = """
    import sys

    from monitoring.alerts import notify_slack
    from monitoring.performance import live_accuracy, load_candidate_model


    def main(model):
        accuracy = live_accuracy(model)
        baseline_accuracy = model.metrics.get("accuracy", 0.9)
        if accuracy < baseline_accuracy:
            notify_slack(f"candidate below baseline: {accuracy:.3f}")
            sys.exit(1)


    if __name__ == "__main__":
        main(load_candidate_model())
"""


def test_a_metric_bar_that_only_raises_an_alert_gates_nothing(tmp_path):
    # a live model's accuracy held to its baseline, an alert when it falls below: monitoring,
    # nothing is held back from promotion
    write(tmp_path, {"scripts/monitor_model_health.py": HEALTH_CHECK})
    assert checks(tmp_path)["validation.quality-gate"].outcome is Outcome.FAIL


def test_a_metric_bar_that_alerts_and_stops_the_run_is_a_gate(tmp_path):
    # near miss: the same comparison notifies and fails the run, holding the model back
    write(tmp_path, {"scripts/evaluate.py": GATE_THAT_ALERTS})
    assert checks(tmp_path)["validation.quality-gate"].outcome is Outcome.PASS


DOCS_WORKFLOW = """
    name: docs
    on:
      push:
        branches: [master]
        paths: ["docs/**", "mkdocs.yml", ".github/workflows/docs.yml"]
      pull_request:
        paths:
{pr_paths}
    jobs:
      build:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: pip install mkdocs-material && mkdocs build --strict
"""


def _docs_workflow(paths: list[str]) -> str:
    return DOCS_WORKFLOW.replace("{pr_paths}", "\n".join(f'          - "{p}"' for p in paths))


def test_a_pull_request_workflow_filtered_to_docs_checks_no_change(tmp_path):
    # the only workflow builds the docs site, and only when docs/ or mkdocs.yml change
    write(
        tmp_path,
        {
            "README.md": "# demo\n",
            ".github/workflows/docs.yml": _docs_workflow(["docs/**", "mkdocs.yml"]),
        },
    )
    assert checks(tmp_path)["governance.change-review"].outcome is Outcome.FAIL


def test_a_pull_request_workflow_that_also_watches_code_checks_changes(tmp_path):
    # near miss: the same workflow also runs when the package changes
    write(
        tmp_path,
        {
            "README.md": "# demo\n",
            ".github/workflows/docs.yml": _docs_workflow(["docs/**", "mkdocs.yml", "src/**"]),
        },
    )
    assert checks(tmp_path)["governance.change-review"].outcome is Outcome.PASS


HEALTH_API = """
    import time

    import joblib
    import psutil
    from fastapi import FastAPI

    app = FastAPI()
    model = joblib.load("models/model.joblib")
    START = time.time()


    @app.post("/predict")
    def predict(x: float):
        return {"y": float(model.predict([[x]])[0])}


    @app.get("{route}")
    def process_metrics():
        process = psutil.Process()
        return {"uptime": time.time() - START, "memory_mb": process.memory_info().rss / 2**20}
"""


def test_a_metrics_route_nested_under_health_is_no_metrics_endpoint(tmp_path):
    # `/health/metrics` reports the process's uptime and memory inside the health check
    write(tmp_path, {"api/main.py": HEALTH_API.replace("{route}", "/health/metrics")})
    assert checks(tmp_path)["monitoring.serving-metrics"].outcome is Outcome.FAIL


def test_a_metrics_route_of_the_service_is_its_metrics_endpoint(tmp_path):
    # near miss: the same handler at `/metrics`, where a scraper looks
    write(tmp_path, {"api/main.py": HEALTH_API.replace("{route}", "/metrics")})
    assert checks(tmp_path)["monitoring.serving-metrics"].outcome is Outcome.PASS


WARM_START = """
    import joblib
    import pandas as pd
    from sklearn.linear_model import LinearRegression


    def fit(df, model=None):
        model = model or LinearRegression()
        model.fit(df[["x"]], df["y"])
        return model


    def train(data_path: str, base_model_path: str | None = None) -> None:
        model = None
        if base_model_path:
            model = joblib.load(base_model_path)
        model = fit(pd.read_parquet(data_path), model=model)
        joblib.dump(model, "models/model.bin")


    if __name__ == "__main__":
        train("data/processed/trips.parquet", "models/model.bin")
"""
BATCH_PREDICT = """
    import joblib
    import pandas as pd


    def score(data_path: str) -> None:
        model = joblib.load("models/model.bin")
        df = pd.read_parquet(data_path)
        df["prediction"] = model.predict(df[["x"]])
        df.to_parquet("data/scored.parquet")


    if __name__ == "__main__":
        score("data/processed/trips.parquet")
"""


def test_a_model_loaded_to_go_on_training_predicts_nothing(tmp_path):
    # the saved model is reloaded only to continue training (a warm start) and saved again
    write(tmp_path, {"src/train.py": WARM_START})
    assert checks(tmp_path)["deployment.predict-script"].outcome is Outcome.FAIL


def test_a_model_loaded_to_score_a_batch_predicts(tmp_path):
    # near miss: the model that training saves, loaded by a batch job that predicts with it
    write(tmp_path, {"src/train.py": WARM_START, "src/score.py": BATCH_PREDICT})
    assert checks(tmp_path)["deployment.predict-script"].outcome is Outcome.PASS

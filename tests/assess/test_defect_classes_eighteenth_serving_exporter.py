"""Defect class read from the calibration part's too-low monitoring cells (eighteenth round): a
Prometheus exporter (prometheus_client's or OpenTelemetry's `start_http_server`) configured in a
project module the serving app imports (`app/utils/metrics_config.py` beside `app/main.py`) was
read as a batch job's, because only the app's own file counted. The app's process runs what it
imports, so its exporter serves the app's metrics. The test fails on the code before the fix;
the near miss beside it (the same module imported only by a batch job) passes on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

METRICS_CONFIG = """
    from opentelemetry import metrics
    from opentelemetry.exporter.prometheus import PrometheusMetricReader
    from opentelemetry.sdk.metrics import MeterProvider
    from prometheus_client import start_http_server


    def configure_metrics(port: int = 8099):
        start_http_server(port)
        metrics.set_meter_provider(MeterProvider(metric_readers=[PrometheusMetricReader()]))
        return metrics.get_meter("fraud")
"""
APP = """
    import pickle

    from fastapi import FastAPI

    from app.utils.metrics_config import configure_metrics

    app = FastAPI()
    model = pickle.load(open("model.pkl", "rb"))
    meter = configure_metrics()
    predictions = meter.create_counter("predictions")


    @app.post("/predict")
    def predict(x: float):
        predictions.add(1)
        return {"prediction": model.predict([[x]]).tolist()}
"""
BATCH = """
    import pickle

    from app.utils.metrics_config import configure_metrics


    def main():
        configure_metrics()
        model = pickle.load(open("model.pkl", "rb"))
        print(model.predict([[1.0]]))


    if __name__ == "__main__":
        main()
"""
TRAIN = """
    import pickle
    from sklearn.linear_model import LogisticRegression

    pickle.dump(LogisticRegression().fit([[0], [1]], [0, 1]), open("model.pkl", "wb"))
"""


def _serving_metrics(tmp_path, files: dict[str, str]) -> Outcome:
    write(
        tmp_path, {"app/__init__.py": "", "app/utils/__init__.py": "", "train.py": TRAIN, **files}
    )
    return checks(tmp_path)["monitoring.serving-metrics"].outcome


def test_an_exporter_the_serving_app_imports_monitors_the_serving_side(tmp_path):
    files = {"app/utils/metrics_config.py": METRICS_CONFIG, "app/main.py": APP}
    assert _serving_metrics(tmp_path, files) is Outcome.PASS


def test_the_same_exporter_imported_only_by_a_batch_job_does_not(tmp_path):
    # near miss: no serving app imports the module; the batch job's metrics are its own
    files = {"app/utils/metrics_config.py": METRICS_CONFIG, "app/batch.py": BATCH}
    assert _serving_metrics(tmp_path, files) is Outcome.FAIL

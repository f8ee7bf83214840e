"""Defect classes read from the thirteenth held-out batch's misses once it joined the
calibration part, the over-scores: a FastAPI app that serves only health and metrics read as
serving the model training saves and its /metrics read as the serving side monitored, a Grafana
container with nothing provisioned read as watching metrics, a Databricks one-time run spec read
as an orchestrated job, a benchmark's settings read as the run's parameters, a KServe
InferenceService whose model location is a placeholder read as serving (the too-low
classes are in test_defect_classes_thirteenth_low.py).
Each test fails on the code before the fix; each reads a shape of a stack, not one repository's
files, and the near misses beside them pass on both."""

from __future__ import annotations

import textwrap

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

TRAIN = """
    import mlflow
    import mlflow.sklearn
    from sklearn.linear_model import LinearRegression

    with mlflow.start_run():
        model = LinearRegression().fit([[0], [1]], [0, 1])
        mlflow.log_params({"fit_intercept": True})
        mlflow.sklearn.log_model(model, "model")
"""
MONITOR_APP = """
    from fastapi import FastAPI
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
    from starlette.responses import Response

    app = FastAPI(title="Monitor")

    @app.get("/health")
    def health():
        return {"status": "ok"}

    @app.get("/run-monitor")
    def run_monitor():
        return {"status": "done"}

    @app.get("/metrics")
    def metrics():
        return Response(content=generate_latest(), media_type=CONTENT_TYPE_LATEST)
"""


def test_an_app_serving_only_health_and_metrics_serves_no_model(tmp_path):
    # training logs a model, a FastAPI app beside it answers /health, /run-monitor and
    # /metrics: nothing loads the model and no route predicts, so nothing is served from it
    write(tmp_path, {"model/train.py": TRAIN, "api/main.py": MONITOR_APP})
    assert checks(tmp_path)["deployment.predict-script"].outcome is Outcome.FAIL


def test_a_model_server_in_compose_serves_what_training_saves(tmp_path):
    # near miss: `mlflow models serve` in a compose service serves the model training logs
    compose = """
        services:
          model-server:
            image: ghcr.io/mlflow/mlflow:v2.9.2
            command: mlflow models serve -m models:/churn/1 --host 0.0.0.0 -p 5001
    """
    write(tmp_path, {"model/train.py": TRAIN, "docker-compose.yml": compose})
    assert checks(tmp_path)["deployment.predict-script"].outcome is Outcome.PASS


def test_metrics_of_an_app_that_serves_no_model_watch_no_serving_side(tmp_path):
    # the same app's /metrics exports gauges a monitoring job sets: no model is served there
    write(tmp_path, {"model/train.py": TRAIN, "api/main.py": MONITOR_APP})
    assert checks(tmp_path)["monitoring.serving-metrics"].outcome is Outcome.FAIL


def test_metrics_of_an_app_that_predicts_watch_the_serving_side(tmp_path):
    # near miss: the app also loads the model and predicts; its /metrics is the service's
    predict = """
        import joblib

        model = joblib.load("model.joblib")

        @app.post("/predict")
        def predict(x: list[float]):
            return {"y": model.predict([x]).tolist()}
    """
    app = textwrap.dedent(MONITOR_APP) + textwrap.dedent(predict)
    write(tmp_path, {"model/train.py": TRAIN, "api/main.py": app})
    assert checks(tmp_path)["monitoring.serving-metrics"].outcome is Outcome.PASS


GRAFANA = """
    services:
      database:
        image: postgres:15
      grafana:
        image: grafana/grafana:main
        ports: ["3000:3000"]
        volumes:
          - %s
    volumes:
      grafana_data:
"""


def test_a_grafana_container_with_nothing_provisioned_watches_nothing(tmp_path):
    # Grafana beside a database, with only its own data volume: it starts with no datasource and
    # no dashboard, so no metric of the project is watched
    write(
        tmp_path,
        {"src/train.py": TRAIN, "docker-compose.yaml": GRAFANA % "grafana_data:/var/lib/grafana"},
    )
    assert checks(tmp_path)["monitoring.pipeline-metrics"].outcome is Outcome.FAIL


def test_a_grafana_container_given_the_repositorys_provisioning_watches(tmp_path):
    # near miss: the repository's datasources and dashboards mounted into it
    mount = "./grafana/provisioning:/etc/grafana/provisioning"
    write(tmp_path, {"src/train.py": TRAIN, "docker-compose.yaml": GRAFANA % mount})
    assert checks(tmp_path)["monitoring.pipeline-metrics"].outcome is Outcome.PASS


RUN_SPEC = """
    {
      %s
      "new_cluster": {"spark_version": "13.3.x-scala2.12", "num_workers": 2},
      "libraries": [],
      "spark_python_task": {"python_file": "train.py"}
    }
"""


def test_a_databricks_one_time_run_spec_orchestrates_nothing(tmp_path):
    # `mlflow run . --backend databricks --backend-config job_spec_aws.json`: a Runs Submit spec
    # (run_name, one task) runs the entry point once on a cluster; it is no orchestrated job
    spec = RUN_SPEC % '"run_name": "my spark task",'
    write(tmp_path, {"train.py": TRAIN, "job_spec_aws.json": spec})
    assert checks(tmp_path)["pipelines.orchestrated"].outcome is Outcome.FAIL


def test_a_databricks_job_spec_orchestrates(tmp_path):
    # near miss: a Jobs API spec (`databricks jobs create --json-file`) names a job
    spec = RUN_SPEC % '"name": "nightly-training",'
    write(tmp_path, {"train.py": TRAIN, "jobs/train.json": spec})
    assert checks(tmp_path)["pipelines.orchestrated"].outcome is Outcome.PASS


BENCH_CONFIG = """
    model_name: resnet
    batch_sizes: [1, 8, 32]
    concurrency: [1, 4]
    measurement_interval: 5000
    learning_rate: 0.001
"""


def test_a_benchmarks_settings_are_no_run_parameters(tmp_path):
    # a load benchmark's config.yaml under benchmarks/: settings of a measurement, not training's
    files = {"training/train.py": TRAIN, "benchmarks/triton_analysis/config.yaml": BENCH_CONFIG}
    assert checks(write(tmp_path, files))["repro.config-file"].outcome is Outcome.FAIL


def test_the_same_settings_under_config_are_run_parameters(tmp_path):
    # near miss: the same file under config/ is the run's parameter file
    files = {"training/train.py": TRAIN, "config/train.yaml": BENCH_CONFIG}
    assert checks(write(tmp_path, files))["repro.config-file"].outcome is Outcome.PASS


ISVC = """
    apiVersion: serving.kserve.io/v1beta1
    kind: InferenceService
    metadata:
      name: text-classifier
    spec:
      predictor:
        sklearn:
          storageUri: "%s"
"""


def test_an_inference_service_pointing_at_a_placeholder_serves_nothing(tmp_path):
    # storageUri left as the template's s3://your-bucket/...: no model is served from it
    files = {"train.py": TRAIN, "kserve.yaml": ISVC % "s3://your-bucket/models/text-classifier"}
    assert checks(write(tmp_path, files))["deployment.predict-script"].outcome is Outcome.FAIL


def test_an_inference_service_pointing_at_a_real_bucket_serves(tmp_path):
    # near miss: a bucket of the project's own
    files = {"train.py": TRAIN, "kserve.yaml": ISVC % "s3://acme-ml-models/text-classifier/v3"}
    assert checks(write(tmp_path, files))["deployment.predict-script"].outcome is Outcome.PASS

"""Defect classes read from the sixteenth held-out batch's monitoring misses once it joined the
calibration part (and the earlier batches' misses of the same shape): the serving side of an
Azure ML online endpoint watched by Azure ML itself, read as not monitored: an Azure ML v2
online deployment with `app_insights_enabled: true` (v1's `appInsightsEnabled`, already read),
and a model monitor of the deployment that names no signals (Azure ML's out-of-box drift and
data-quality signals on the inputs and outputs the deployment collects); and a service whose
route answers with the model's recommendations (loaded by the project's own class) read as
serving no model, so its /metrics was not the serving side's; CloudWatch alarms on a SageMaker
endpoint's invocation errors defined with the CDK (through a metric helper) and on an API
Gateway in Terraform read as alert rules only, not as the serving side watched; a shell script
creating alert policies with a cloud CLI (`gcloud monitoring policies create`, `aws cloudwatch
put-metric-alarm`, `az monitor metrics alert create`) read as no alert rules; a Vertex batch
prediction job requested with `modelMonitoringConfig` (skew detection with e-mail alerts on the
predicted inputs) read as nothing watched.
Each test fails on the code before the fix; each reads a shape of a stack, not one repository's
files, and the near misses beside them pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

DEPLOYMENT = """
    $schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
    name: main
    endpoint_name: waiting-times
    model: azureml:waiting-times:7
    code_configuration: {code: ../score, scoring_script: score.py}
    instance_type: Standard_DS2_v2
    instance_count: 1
    app_insights_enabled: true
"""

MONITOR = """
    $schema: http://azureml/sdk-2-0/Schedule.json
    name: iris_endpoint_monitor
    trigger: {type: recurrence, frequency: day, interval: 1}
    create_monitor:
      compute: {instance_type: standard_e8s_v3, runtime_version: "3.4"}
      monitoring_target:
        ml_task: classification
        endpoint_deployment_id: azureml:iris-endpoint:blue
"""


def _monitoring(tmp_path, files):
    write(tmp_path, files)
    result = checks(tmp_path)
    return (
        result["monitoring.pipeline-metrics"].outcome,
        result["monitoring.serving-metrics"].outcome,
    )


def test_an_online_deployment_with_app_insights_is_monitored(tmp_path):
    files = {"deployments/main.yml": DEPLOYMENT}
    assert _monitoring(tmp_path, files) == (Outcome.PASS, Outcome.PASS)


def test_an_online_deployment_without_app_insights_is_not(tmp_path):
    # near miss: the same deployment with Application Insights off
    files = {"deployments/main.yml": DEPLOYMENT.replace("true", "false")}
    assert _monitoring(tmp_path, files) == (Outcome.FAIL, Outcome.FAIL)


def test_an_out_of_box_model_monitor_of_a_deployment_monitors_it(tmp_path):
    files = {"monitoring/endpoint_monitor.yml": MONITOR}
    assert _monitoring(tmp_path, files) == (Outcome.PASS, Outcome.PASS)


def test_a_monitor_without_a_deployment_target_is_not_serving_monitoring(tmp_path):
    # near miss: no deployment named, so nothing served is watched
    source = MONITOR.replace("endpoint_deployment_id: azureml:iris-endpoint:blue", "")
    assert _monitoring(tmp_path, {"monitoring/endpoint_monitor.yml": source})[1] is Outcome.FAIL


TRAIN = """
    import pickle

    from implicit.als import AlternatingLeastSquares


    def train(matrix, path):
        model = AlternatingLeastSquares().fit(matrix)
        with open(path, "wb") as handle:
            pickle.dump(model, handle)
"""
SERVICE = """
    from fastapi import FastAPI
    from prometheus_client import Counter, generate_latest

    from recsys.ranking import Recommender

    app = FastAPI()
    REQUESTS = Counter("recommendation_requests_total", "requests")
    recommender = Recommender.from_path("/models/ranking")


    @app.post("/{route}")
    def answer(user_id: int):
        REQUESTS.inc()
        return {{"items": recommender.top_k(user_id)}}


    @app.get("/metrics")
    def metrics():
        return generate_latest()
"""


def test_a_recommendation_service_exporting_metrics_is_monitored(tmp_path):
    # the service answers with the model's recommendations (its load is the project's own
    # class, not a library load) and serves /metrics
    files = {
        "src/recsys/train.py": TRAIN,
        "src/recsys/service.py": SERVICE.format(route="recommendations"),
    }
    assert _monitoring(tmp_path, files)[1] is Outcome.PASS


def test_a_metrics_endpoint_of_an_app_answering_no_model_output_is_not(tmp_path):
    # near miss: the same app whose only route records events; the trained model is served
    # nowhere, so its /metrics watches no serving side
    files = {
        "src/recsys/train.py": TRAIN,
        "src/recsys/service.py": SERVICE.format(route="events"),
    }
    assert _monitoring(tmp_path, files)[1] is Outcome.FAIL


CDK_ALARMS = """
    from aws_cdk import Duration, Stack
    from aws_cdk import aws_cloudwatch as cw


    class MonitoringStack(Stack):
        def __init__(self, scope, endpoint_name):
            super().__init__(scope, "Monitoring")

            def _metric(name, statistic):
                return cw.Metric(
                    namespace="{namespace}",
                    metric_name=name,
                    dimensions_map={{"EndpointName": endpoint_name, "VariantName": "AllTraffic"}},
                    statistic=statistic,
                    period=Duration.minutes(5),
                )

            cw.Alarm(self, "Errors", metric=_metric("{metric}", "Sum"), threshold=5, evaluation_periods=1)
"""
TF_ALARM = """
    resource "aws_cloudwatch_metric_alarm" "api_5xx" {{
      alarm_name          = "api-5xx"
      comparison_operator = "GreaterThanThreshold"
      evaluation_periods  = 1
      metric_name         = "5xx"
      namespace           = "{namespace}"
      period              = 60
      statistic           = "Sum"
      threshold           = 0
    }}
"""


def test_a_cdk_alarm_on_the_endpoint_invocation_errors_monitors_serving(tmp_path):
    source = CDK_ALARMS.format(namespace="AWS/SageMaker", metric="Invocation5XXErrors")
    assert _monitoring(tmp_path, {"infra/monitoring_stack.py": source})[1] is Outcome.PASS


def test_a_cdk_alarm_on_a_custom_drift_metric_does_not(tmp_path):
    # near miss: the alarm watches a metric a monitoring job puts, not the endpoint's requests
    source = CDK_ALARMS.format(namespace="Churn/Monitoring", metric="FeaturePSI")
    assert _monitoring(tmp_path, {"infra/monitoring_stack.py": source}) == (
        Outcome.PASS,
        Outcome.FAIL,
    )


def test_a_terraform_alarm_on_the_api_gateway_in_front_of_the_model_monitors_serving(tmp_path):
    source = TF_ALARM.format(namespace="AWS/ApiGateway")
    assert _monitoring(tmp_path, {"infra/alarms.tf": source})[1] is Outcome.PASS


def test_a_terraform_alarm_on_a_lambda_does_not(tmp_path):
    # near miss: a function's errors (a training or drift job's as well as a service's)
    source = TF_ALARM.format(namespace="AWS/Lambda")
    assert _monitoring(tmp_path, {"infra/alarms.tf": source}) == (Outcome.PASS, Outcome.FAIL)


SETUP_MONITORING = """
    #!/bin/bash
    set -e
    gcloud config set project "$PROJECT_ID"
    {command} \\
      --notification-channels="$CHANNEL" \\
      --display-name="Cloud Run error rate" \\
      --condition-filter='resource.type="cloud_run_revision" AND metric.type="run.googleapis.com/request_count"'
"""


def test_a_script_creating_an_alert_policy_keeps_alert_rules_as_code(tmp_path):
    command = "gcloud alpha monitoring policies create"
    files = {"setup_monitoring.sh": SETUP_MONITORING.format(command=command)}
    write(tmp_path, files)
    assert checks(tmp_path)["monitoring.alert-rules"].outcome is Outcome.PASS
    assert checks(tmp_path)["monitoring.pipeline-metrics"].outcome is Outcome.PASS


def test_a_script_listing_alert_policies_creates_none(tmp_path):
    # near miss: the same CLI reading the policies that exist
    command = "gcloud alpha monitoring policies list"
    write(tmp_path, {"setup_monitoring.sh": SETUP_MONITORING.format(command=command)})
    assert checks(tmp_path)["monitoring.pipeline-metrics"].outcome is Outcome.FAIL


BATCH_PREDICT = """
    from google.cloud import aiplatform_v1beta1
    from kfp.dsl import component


    @component
    def model_batch_predict(model: str, source: str, destination: str, skew: dict, data: dict):
        client = aiplatform_v1beta1.JobServiceClient()
        message = {
            "displayName": "batch-predict",
            "model": model,
            "inputConfig": {"instancesFormat": "bigquery", "bigquerySource": {"inputUri": source}},
            "outputConfig": {"predictionsFormat": "bigquery", "bigqueryDestination": {"outputUri": destination}},
        }
        if skew and data:
            message["{key}"] = {
                "alertConfig": {"emailAlertConfig": {"userEmails": []}},
                "objectiveConfigs": [
                    {"trainingDataset": data, "trainingPredictionSkewDetectionConfig": skew}
                ],
            }
        client.create_batch_prediction_job(parent="projects/p/locations/l", batch_prediction_job=message)
"""


def test_a_vertex_batch_prediction_with_model_monitoring_watches_what_is_served(tmp_path):
    files = {
        "components/model_batch_predict.py": BATCH_PREDICT.replace("{key}", "modelMonitoringConfig")
    }
    assert _monitoring(tmp_path, files) == (Outcome.PASS, Outcome.PASS)


def test_a_vertex_batch_prediction_without_it_does_not(tmp_path):
    # near miss: the same job with its labels set, no monitoring
    files = {"components/model_batch_predict.py": BATCH_PREDICT.replace("{key}", "labels")}
    assert _monitoring(tmp_path, files) == (Outcome.FAIL, Outcome.FAIL)

"""Defect classes read from the eighth held-out batch's misses once it joined the calibration
part (Jenkins pipelines in `.groovy` files and shared-library steps, registering CLIs, Azure ML
v1 registration and web services, Azure ML v2 model monitors, metrics servers a serving app
starts, requirements directories, lowercase `dockerfile`, Cloud Deploy releases and Skaffold
profiles, Azure workspace and conda files that hold no parameters, ZenML's Seldon deployer).
Each test fails on the code before the fix; each reads a shape of a stack, not one repository's
files, and the near misses beside them pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, kinds, write


def outcome(root, check_id):
    return checks(root)[check_id].outcome


DEPLOY_PIPELINE = """
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
REGISTER_STEP = """
def call(String pipelineName, String modelName) {
  def job = sh(script: "az ml job list --parent-job-name $pipelineName -o tsv", returnStdout: true)
  return sh(script: "az ml model create --name $modelName --path azureml://jobs/$job/outputs/model/ --type mlflow_model", returnStdout: true)
}
"""
RELEASE_STEP = """
def call(String endpoint, String model) {
  sh \"\"\"
    az ml online-deployment create --all-traffic --endpoint-name $endpoint --set model=$model
  \"\"\"
}
"""


def test_a_jenkins_shared_library_step_registers_and_deploys(tmp_path):
    # the pipeline is `jenkins/deploy.groovy` (not a Jenkinsfile), its steps are the library's
    # `vars/*.groovy`; a step's name says nothing (`pushToEndpoint`), its commands do
    write(
        tmp_path,
        {
            "jenkins/deploy.groovy": DEPLOY_PIPELINE,
            "jenkins/shared-library/vars/registerModel.groovy": REGISTER_STEP,
            "jenkins/shared-library/vars/pushToEndpoint.groovy": RELEASE_STEP,
        },
    )
    assert outcome(tmp_path, "tracking.registry") is Outcome.PASS
    assert outcome(tmp_path, "deployment.cd-workflow") is Outcome.PASS


def test_groovy_that_is_no_pipeline_or_library_step_runs_nothing(tmp_path):
    write(
        tmp_path,
        {
            # a Gradle script and a library class: Groovy, not CI
            "build.groovy": "task release { doLast { exec { commandLine 'sh', '-c', "
            "'az ml model create --name m --path model/' } } }\n",
            "src/org/acme/Deployer.groovy": (
                "class Deployer { def run() { sh 'az ml online-deployment create -f d.yml' } }\n"
            ),
            # a library step that only prints the command
            "vars/releaseHelp.groovy": (
                "def call() {\n  sh 'echo run: az ml online-deployment create -f d.yml'\n}\n"
            ),
        },
    )
    assert outcome(tmp_path, "tracking.registry") is Outcome.FAIL
    assert outcome(tmp_path, "deployment.cd-workflow") is Outcome.FAIL


V1_TRAIN = """
from azureml.core import Run, Model

run = Run.get_context()


def register(name, path):
    return run.register_model(model_name=name, model_path=path, tags={"build": "1"})
"""


def test_azure_ml_v1_run_register_model_registers(tmp_path):
    write(tmp_path, {"src/train.py": V1_TRAIN})
    assert outcome(tmp_path, "tracking.registry") is Outcome.PASS


def test_a_register_model_method_outside_azure_ml_registers_nothing(tmp_path):
    write(
        tmp_path,
        {
            "src/catalog.py": (
                "class Catalog:\n    def register_model(self, name):\n        self.names.add(name)\n"
                "\n\ncatalog = Catalog()\ncatalog.register_model('churn')\n"
            )
        },
    )
    assert outcome(tmp_path, "tracking.registry") is Outcome.FAIL


def test_an_azure_ml_v1_aks_deployment_config_is_a_managed_container(tmp_path):
    # `az ml model deploy --deploy-config-file configuration/aks.yml`: an AKS web service
    write(
        tmp_path,
        {
            "configuration/aks_deployment_config.yml": (
                "computeType: AKS\nautoScaler:\n  autoscaleEnabled: True\n  minReplicas: 1\n"
            )
        },
    )
    assert outcome(tmp_path, "deployment.training-image") is Outcome.PASS
    assert "runtime.managed" in kinds(tmp_path)


def test_a_yaml_with_another_compute_type_is_no_web_service(tmp_path):
    write(tmp_path, {"configuration/cluster.yml": "computeType: AmlCompute\nmaxNodes: 4\n"})
    assert outcome(tmp_path, "deployment.training-image") is Outcome.FAIL


MONITOR = """
$schema: http://azureml/sdk-2-0/Schedule.json
name: prod-monitoring
trigger: {type: recurrence, frequency: day, interval: 1}
create_monitor:
  compute: {instance_type: standard_e4s_v3, runtime_version: "3.4"}
  monitoring_target:
    ml_task: regression
    endpoint_deployment_id: azureml:price-prod:blue
  monitoring_signals:
    data_drift:
      type: data_drift
      reference_data: {input_data: {path: azureml:reference:1, type: mltable}}
    quality:
      type: data_quality
"""


def test_an_azure_ml_v2_model_monitor_watches_drift_and_the_deployment(tmp_path):
    write(tmp_path, {"monitoring/prod-monitoring.yaml": MONITOR})
    assert outcome(tmp_path, "monitoring.pipeline-metrics") is Outcome.PASS
    assert outcome(tmp_path, "monitoring.serving-metrics") is Outcome.PASS
    assert "drift.monitor" in kinds(tmp_path)


def test_an_azure_ml_v2_schedule_of_a_training_job_monitors_nothing(tmp_path):
    write(
        tmp_path,
        {
            "schedules/retrain.yaml": (
                "$schema: http://azureml/sdk-2-0/Schedule.json\nname: nightly\n"
                "trigger: {type: cron, expression: '0 2 * * *'}\ncreate_job: ./pipeline.yml\n"
            )
        },
    )
    assert outcome(tmp_path, "monitoring.serving-metrics") is Outcome.FAIL
    assert "drift.monitor" not in kinds(tmp_path)


OTEL_APP = """
from fastapi import FastAPI
from opentelemetry import metrics
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.exporter.prometheus import PrometheusMetricReader, start_http_server

reader = PrometheusMetricReader()
metrics.set_meter_provider(MeterProvider(metric_readers=[reader]))
start_http_server(port=8001, addr="0.0.0.0")
app = FastAPI()


@app.post("/predict")
def predict(x: dict):
    return {"y": 1}
"""


def test_a_metrics_server_the_serving_app_starts_monitors_serving(tmp_path):
    write(tmp_path, {"src/app/app.py": OTEL_APP})
    assert outcome(tmp_path, "monitoring.serving-metrics") is Outcome.PASS


def test_a_metrics_server_of_a_batch_job_does_not_monitor_serving(tmp_path):
    write(
        tmp_path,
        {
            "src/app/app.py": "from fastapi import FastAPI\napp = FastAPI()\n",
            "jobs/score_batch.py": (
                "from prometheus_client import Counter, start_http_server\n"
                "rows = Counter('rows', 'rows scored')\nstart_http_server(9100)\n"
            ),
        },
    )
    assert outcome(tmp_path, "monitoring.serving-metrics") is Outcome.FAIL


def test_requirement_files_of_a_requirements_directory_declare_dependencies(tmp_path):
    write(
        tmp_path,
        {
            "requirements.txt": "-r requirements/test.txt\n",
            "requirements/base.txt": "pandas==2.2.0\nscikit-learn==1.5.0\n",
            "requirements/test.txt": "-r base.txt\npytest==8.0.0\n",
        },
    )
    assert outcome(tmp_path, "repro.dependencies") is Outcome.PASS


def test_a_requirements_file_including_files_that_are_not_there_declares_nothing(tmp_path):
    write(tmp_path, {"requirements.txt": "-r requirements/test.txt\n", "notes/base.txt": "x\n"})
    assert outcome(tmp_path, "repro.dependencies") is Outcome.FAIL


def test_a_lowercase_dockerfile_is_a_container(tmp_path):
    # (with the script it runs: an image running a script the repository lacks runs nothing)
    dockerfile = "FROM python:3.11-slim\nCOPY . /app\nCMD python serve.py\n"
    write(tmp_path, {"dockerfile": dockerfile, "serve.py": "print('serving')\n"})
    assert outcome(tmp_path, "deployment.training-image") is Outcome.PASS


def test_a_note_about_dockerfiles_is_no_container(tmp_path):
    write(tmp_path, {"docs/dockerfiles.txt": "FROM python:3.11-slim\n"})
    assert outcome(tmp_path, "deployment.training-image") is Outcome.FAIL


SKAFFOLD = """
apiVersion: skaffold/v4beta7
kind: Config
manifests: {rawYaml: [k8s/*.yaml]}
deploy: {kubectl: {}}
profiles:
  - name: {first}
    deploy: {kubectl: {defaultNamespace: {first}}}
  - name: {second}
    deploy: {kubectl: {defaultNamespace: {second}}}
"""
K8S = {
    "k8s/deployment.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\n"
        "spec: {template: {spec: {containers: [{name: api, image: api}]}}}\n"
    ),
    "cloudbuild.yaml": (
        "steps:\n  - name: gcr.io/google.com/cloudsdktool/cloud-sdk\n    entrypoint: gcloud\n"
        "    args: [deploy, releases, create, rel-$SHORT_SHA, --delivery-pipeline=serving]\n"
    ),
}


def test_a_cloud_deploy_release_with_skaffold_profiles_per_environment_deploys(tmp_path):
    skaffold = SKAFFOLD.replace("{first}", "staging").replace("{second}", "production")
    write(tmp_path, {**K8S, "skaffold.yaml": skaffold})
    assert outcome(tmp_path, "deployment.cd-workflow") is Outcome.PASS
    assert outcome(tmp_path, "deployment.k8s-environments") is Outcome.PASS


def test_skaffold_profiles_not_named_for_environments_are_no_environments(tmp_path):
    skaffold = SKAFFOLD.replace("{first}", "debug").replace("{second}", "gpu")
    write(tmp_path, {**K8S, "skaffold.yaml": skaffold})
    assert outcome(tmp_path, "deployment.k8s-environments") is Outcome.FAIL


def test_an_azure_workspace_file_and_conda_environments_hold_no_parameters(tmp_path):
    write(
        tmp_path,
        {
            "ci/config.json": (
                '{"subscription_id": "0000", "resource_group": "rg", "workspace_name": "ws",'
                ' "location": "eastus"}'
            ),
            "environments/train.yml": (
                "name: train\nchannels: [conda-forge]\ndependencies:\n  - python=3.10\n"
                "  - scikit-learn=1.5\n"
            ),
        },
    )
    assert outcome(tmp_path, "repro.config-file") is Outcome.FAIL
    assert outcome(tmp_path, "repro.dependencies") is Outcome.PASS


def test_a_config_json_with_parameters_beside_the_workspace_is_config(tmp_path):
    write(
        tmp_path,
        {"config/config.json": '{"workspace_name": "ws", "learning_rate": 0.1, "epochs": 5}'},
    )
    assert outcome(tmp_path, "repro.config-file") is Outcome.PASS


def test_zenmls_seldon_deployer_step_serves_the_model_on_seldon_core(tmp_path):
    write(
        tmp_path,
        {
            "src/run_deployment.py": (
                "from zenml import pipeline\n"
                "from zenml.integrations.seldon.steps import seldon_model_deployer_step\n"
                "from steps import train\n\n\n@pipeline\ndef deployment():\n"
                "    model = train()\n    seldon_model_deployer_step(model=model)\n"
            )
        },
    )
    assert outcome(tmp_path, "deployment.predict-script") is Outcome.PASS
    assert outcome(tmp_path, "deployment.training-image") is Outcome.PASS

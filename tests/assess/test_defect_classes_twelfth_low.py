"""Defect classes read from the twelfth held-out batch's misses once it joined the calibration
part, the under-scores: a /metrics route registered with `add_api_route` not read as a route,
Kubernetes manifests that CD applies in staging and then prod read as having no environments,
an Azure ML v2 deployment of the version fetched by a client made `from_config` not read as
served from the registry, a preprocessing step raising on missing required columns not read as
a data check, a SageMaker pipeline defined as a CfnPipeline in a TypeScript CDK stack not read, a Jenkins
pipeline named `deploy.jenkinsfile` not read, a Prefect 1 `with Flow(...)` not read as a
pipeline, the test functions of a `test.py` CI runs not read as tests, `dev-requirements.txt`
not read as declared dependencies, an alert on KServe's request latency not read as watching the
serving side, a Helm chart's `training:` values not read as parameters, a service loading the
champion a script beside it pulls not read as serving from the registry (the over-scores are in
test_defect_classes_twelfth.py).
Each test fails on the code before the fix; each reads a shape of a stack, not one repository's
files, and the near misses beside them pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

INSTRUMENTATION = """
    from prometheus_client import CONTENT_TYPE_LATEST, Counter, generate_latest
    from starlette.responses import Response

    REQUESTS = Counter("http_requests_total", "requests", ["path"])

    async def metrics_endpoint():
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
"""
MAIN = """
    import joblib
    from fastapi import FastAPI
    from app.instrumentation import metrics_endpoint

    app = FastAPI()
    model = joblib.load("model.joblib")
    %s

    @app.post("/v1/predict")
    def predict(features: list[float]):
        return {"score": float(model.predict([features])[0])}
"""


def test_a_metrics_route_added_with_add_api_route_monitors_the_service(tmp_path):
    # the app registers the Prometheus handler as its /metrics route without a decorator
    route = 'app.add_api_route("/metrics", metrics_endpoint, methods=["GET"])'
    write(
        tmp_path,
        {
            "requirements.txt": "fastapi\nprometheus-client\n",
            "app/instrumentation.py": INSTRUMENTATION,
            "app/main.py": MAIN % route,
        },
    )
    assert checks(tmp_path)["monitoring.serving-metrics"].outcome is Outcome.PASS


def test_a_metrics_handler_no_route_serves_monitors_nothing(tmp_path):
    # near miss: the handler is imported but never made a route of the app
    write(
        tmp_path,
        {
            "requirements.txt": "fastapi\nprometheus-client\n",
            "app/instrumentation.py": INSTRUMENTATION,
            "app/main.py": MAIN % "",
        },
    )
    assert checks(tmp_path)["monitoring.serving-metrics"].outcome is Outcome.FAIL


INFERENCE_SERVICE = """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: loan-default}
    spec:
      template:
        spec:
          containers:
            - {name: api, image: "ghcr.io/acme/loan-api:1.0"}
"""
CD = """
    on: {push: {branches: [main]}}
    jobs:
      deploy-staging:
        runs-on: ubuntu-latest
        environment: staging
        steps:
          - run: kubectl apply -f serving/deployment.yaml
%s"""
PROMOTE = """
      promote-to-prod:
        needs: deploy-staging
        runs-on: ubuntu-latest
        environment: prod
        steps:
          - run: kubectl apply -f serving/deployment.yaml
"""


def test_manifests_the_cd_deploys_into_staging_then_prod_are_deployed_per_environment(tmp_path):
    # one set of manifests, applied by CD jobs in the staging and prod GitHub environments (each
    # holding its cluster credentials): the environments are CD's, not kustomize overlays
    write(
        tmp_path,
        {
            "serving/deployment.yaml": INFERENCE_SERVICE,
            ".github/workflows/model-deploy.yml": CD % PROMOTE,
        },
    )
    assert checks(tmp_path)["deployment.k8s-environments"].outcome is Outcome.PASS


def test_manifests_the_cd_deploys_into_one_environment_have_no_environments(tmp_path):
    # near miss: staging only
    write(
        tmp_path,
        {
            "serving/deployment.yaml": INFERENCE_SERVICE,
            ".github/workflows/model-deploy.yml": CD % "",
        },
    )
    assert checks(tmp_path)["deployment.k8s-environments"].outcome is Outcome.FAIL


def test_cd_in_two_environments_that_does_not_apply_the_manifests_has_no_environments(tmp_path):
    # near miss: the staging and prod jobs deploy with a script of their own, not the manifests
    # (the generated level-2 project's CD deploys its overlays through scripts/deploy.py)
    cd = (CD % PROMOTE).replace(
        "kubectl apply -f serving/deployment.yaml", "python scripts/deploy_model.py"
    )
    write(
        tmp_path,
        {"serving/deployment.yaml": INFERENCE_SERVICE, ".github/workflows/model-deploy.yml": cd},
    )
    assert checks(tmp_path)["deployment.k8s-environments"].outcome is Outcome.FAIL


AZUREML_DEPLOYMENT = """
    from azure.ai.ml import MLClient
    from azure.ai.ml.entities import CodeConfiguration, ManagedOnlineDeployment, Model
    from azure.identity import AzureCliCredential

    ml_client = MLClient.from_config(credential=AzureCliCredential())
    model = %s

    deployment = ManagedOnlineDeployment(
        name="blue",
        endpoint_name="iris",
        model=model,
        code_configuration=CodeConfiguration(code="./code/", scoring_script="scoring.py"),
        instance_type="Standard_DS2_v2",
    )
    ml_client.online_deployments.begin_create_or_update(deployment)
"""


def test_a_deployment_of_the_latest_version_from_a_client_made_from_config(tmp_path):
    # MLClient.from_config(): the client of the workspace named in config.json, whose registered
    # model's latest version the online deployment serves
    got = 'ml_client.models.get(name="iris_model", label="latest")'
    write(tmp_path, {"deployment/online/create_online_deployment.py": AZUREML_DEPLOYMENT % got})
    assert checks(tmp_path)["tracking.serving-from-registry"].outcome is Outcome.PASS


def test_a_deployment_of_a_local_model_folder_is_not_from_the_registry(tmp_path):
    # near miss: the deployment uploads a model folder of the repository
    local = 'Model(path="model/", type="mlflow_model")'
    write(tmp_path, {"deployment/online/create_online_deployment.py": AZUREML_DEPLOYMENT % local})
    assert checks(tmp_path)["tracking.serving-from-registry"].outcome is Outcome.FAIL


PREPROCESS = """
    import pandas as pd
    from sklearn.model_selection import train_test_split

    REQUIRED = ["TX_ID", "TX_AMOUNT", "TX_FRAUD"]

    def main(path):
        df = pd.read_csv(path)
%s
        train, test = train_test_split(df, test_size=0.2)
        train.to_csv("train.csv")
"""


def test_raising_on_missing_required_columns_validates_the_input(tmp_path):
    # the preprocessing step stops the pipeline when the input lacks a column it needs: written
    # directly, or through a list of the missing ones
    direct = (
        '        if "label" not in df.columns:\n'
        "            raise ValueError(f\"Expected a 'label' column. Found: {list(df.columns)}\")"
    )
    listed = (
        "        missing_cols = [c for c in REQUIRED if c not in df.columns]\n"
        "        if missing_cols:\n"
        '            raise ValueError(f"Missing required columns: {missing_cols}")'
    )
    for name, check in (("a", direct), ("b", listed)):
        write(tmp_path / name, {"src/preprocess.py": PREPROCESS % check})
        assert checks(tmp_path / name)["validation.data-checks"].outcome is Outcome.PASS, name


def test_selecting_columns_without_raising_validates_nothing(tmp_path):
    # near miss: the code reads the columns to choose features, and raises on something else
    other = (
        '        features = [c for c in df.columns if c != "label"]\n'
        "        if not features:\n"
        '            print("no features")\n'
        "        if df.empty:\n"
        '            raise ValueError("empty input")'
    )
    write(tmp_path, {"src/preprocess.py": PREPROCESS % other})
    assert checks(tmp_path)["validation.data-checks"].outcome is Outcome.FAIL


def test_a_column_check_of_an_upload_sent_to_an_endpoint_is_no_check_before_training(tmp_path):
    # near miss: a client app checks the user's CSV before calling the serving endpoint
    client = """
        import pandas as pd
        import streamlit as st

        FEATURES = ["sepal_length", "sepal_width"]

        def normalize(df):
            missing = [c for c in FEATURES if c not in df.columns]
            if missing:
                raise ValueError(f"CSV missing required columns: {missing}")
            return df[FEATURES].to_dict(orient="records")
    """
    write(tmp_path, {"app.py": client})
    assert checks(tmp_path)["validation.data-checks"].outcome is Outcome.FAIL


CDK_STACK = """
    import { Stack } from 'aws-cdk-lib';
    import { CfnPipeline } from '%s';

    export class PipelineStack extends Stack {
      constructor(scope, id, props) {
        super(scope, id, props);
        const definition = JSON.stringify({
          Version: '2020-12-01',
          Steps: [
            { Name: 'TrainingStep', Type: 'Training', Arguments: { TrainingJobName: 'train' } },
            { Name: 'RegisterModelStep', Type: 'RegisterModel', DependsOn: ['TrainingStep'] },
          ],
        });
        %snew CfnPipeline(this, 'Training', {
          pipelineName: 'ranking-training',
          pipelineDefinition: { PipelineDefinitionBody: definition },
          roleArn: 'arn:aws:iam::123:role/sm',
        });
      }
    }
"""


def test_a_sagemaker_pipeline_defined_in_a_typescript_cdk_stack(tmp_path):
    # a CfnPipeline of aws-cdk-lib/aws-sagemaker whose definition trains, then registers the
    # model version: the orchestrated training pipeline and the registry, as in Python CDK
    stack = CDK_STACK % ("aws-cdk-lib/aws-sagemaker", "")
    write(tmp_path, {"infra/lib/pipeline-stack.ts": stack, "infra/cdk.json": "{}"})
    result = checks(tmp_path)
    assert result["pipelines.orchestrated"].outcome is Outcome.PASS
    assert result["tracking.registry"].outcome is Outcome.PASS


def test_a_codepipeline_or_a_commented_out_sagemaker_pipeline_is_none(tmp_path):
    # near misses: CodePipeline's CfnPipeline (CI/CD, not training), and the SageMaker one
    # commented out
    codepipeline = CDK_STACK % ("aws-cdk-lib/aws-codepipeline", "")
    write(tmp_path / "a", {"infra/lib/pipeline-stack.ts": codepipeline})
    assert checks(tmp_path / "a")["pipelines.orchestrated"].outcome is Outcome.FAIL
    # (the construct's line commented out, as a stack keeps a pipeline it no longer deploys)
    commented = CDK_STACK % ("aws-cdk-lib/aws-sagemaker", "// ")
    write(tmp_path / "b", {"infra/lib/pipeline-stack.ts": commented})
    assert checks(tmp_path / "b")["pipelines.orchestrated"].outcome is Outcome.FAIL


JENKINS_DEPLOY = """
    pipeline {
        agent any
        stages {
            stage('Build docker image and run app') {
                steps {
                    script {
                        sh 'sudo pip3 install docker-compose'
                        sh 'docker-compose -f ml-app.yml up %s'
                    }
                }
            }
        }
    }
"""
FLASK_APP = """
    import pickle
    from flask import Flask, request, jsonify

    app = Flask(__name__)
    model = pickle.load(open("model.pkl", "rb"))

    @app.route("/predict", methods=["POST"])
    def predict():
        return jsonify(model.predict([request.json["features"]]).tolist())
"""


def test_a_jenkins_pipeline_named_deploy_jenkinsfile_deploys(tmp_path):
    # `deploy.jenkinsfile` beside `train.jenkinsfile`: Jenkins pipelines by their suffix, the
    # deploy one leaving the compose services running on Jenkins's host
    write(tmp_path, {"app.py": FLASK_APP, "deploy.jenkinsfile": JENKINS_DEPLOY % "-d"})
    assert checks(tmp_path)["deployment.cd-workflow"].outcome is Outcome.PASS


def test_a_jenkinsfile_running_compose_in_the_foreground_deploys_nothing(tmp_path):
    # near miss: `up` without -d ends with the build; nothing is left running
    write(tmp_path, {"app.py": FLASK_APP, "deploy.jenkinsfile": JENKINS_DEPLOY % ""})
    assert checks(tmp_path)["deployment.cd-workflow"].outcome is Outcome.FAIL


PREFECT1_TASKS = """
    import joblib
    from prefect import task
    from sklearn.linear_model import LogisticRegression

    @task
    def train_task(data):
        model = LogisticRegression().fit(data[0], data[1])
        joblib.dump(model, "model.pkl")
        return model
"""


def test_a_prefect_1_flow_built_in_a_with_block_is_an_orchestrated_pipeline(tmp_path):
    # Prefect 1: tasks called inside `with Flow(...) as flow:` make the flow's DAG
    flow = """
        from prefect import Flow, Parameter
        from flow_components.task import train_task

        with Flow(name="ml-workflow") as flow:
            penalty = Parameter("penalty", default="l2")
            model = train_task(penalty)
    """
    write(tmp_path, {"flow_components/task.py": PREFECT1_TASKS, "ml_workflow.py": flow})
    assert checks(tmp_path)["pipelines.orchestrated"].outcome is Outcome.PASS


def test_a_prefect_flow_named_only_in_a_type_hint_orchestrates_nothing(tmp_path):
    # near miss: the Flow class appears in an annotation; no flow is built
    helper = """
        from prefect import Flow
        from flow_components.task import train_task

        def describe(flow: Flow) -> str:
            return flow.name
    """
    write(tmp_path, {"flow_components/task.py": PREFECT1_TASKS, "ml_workflow.py": helper})
    assert checks(tmp_path)["pipelines.orchestrated"].outcome is Outcome.FAIL


def test_a_test_py_that_ci_runs_holds_the_tests(tmp_path):
    # `test.py` with a test function, run by the GitLab test stage (`python test.py`)
    test_py = """
        import pickle

        def test_model_loading():
            model = pickle.load(open("model/model.pkl", "rb"))
            assert model is not None

        if __name__ == "__main__":
            test_model_loading()
    """
    ci = """
        test:
          stage: test
          script:
            - python test.py
    """
    write(tmp_path, {"test.py": test_py, ".gitlab-ci.yml": ci})
    assert checks(tmp_path)["quality.unit-tests"].outcome is Outcome.PASS


def test_a_script_named_for_testing_something_else_holds_no_tests(tmp_path):
    # near miss: `testing.py` / `test_data.csv`-style names are no test files; functions of a
    # script not named test.py are not tests
    script = """
        import pickle

        def test_model_loading():
            return pickle.load(open("model/model.pkl", "rb"))
    """
    write(tmp_path, {"testing.py": script})
    assert checks(tmp_path)["quality.unit-tests"].outcome is Outcome.FAIL


def test_requirements_files_named_with_a_prefix_declare_dependencies(tmp_path):
    # `dev-requirements.txt` and `docker-requirements.txt` beside a pyproject whose dependencies
    # are dynamic (read from a requirements file at build time)
    pyproject = """
        [project]
        name = "energy"
        dynamic = ["dependencies", "version"]
    """
    write(
        tmp_path,
        {
            "pyproject.toml": pyproject,
            "dev-requirements.txt": "kedro==0.19.3\npytest\n",
            "docker-requirements.txt": "kedro==0.19.3\ncatboost\n",
        },
    )
    assert checks(tmp_path)["repro.dependencies"].outcome is Outcome.PASS


def test_a_text_file_about_requirements_declares_nothing(tmp_path):
    # near miss: prose about requirements, not a requirements file
    write(tmp_path, {"docs-requirements.md": "- python 3.11\n", "requirements-notes.rst": "x\n"})
    assert checks(tmp_path)["repro.dependencies"].outcome is Outcome.FAIL


ALERTS = """
    groups:
      - name: serving
        rules:
          - alert: %s
            expr: %s
            for: 5m
            labels: {severity: warning}
"""


def test_an_alert_on_the_model_servers_request_latency_watches_the_serving_side(tmp_path):
    # KServe's own latency histogram, alerted on at p99
    expr = (
        "histogram_quantile(0.99, sum(rate(kserve_request_latency_seconds_bucket[5m]))"
        " by (le, model)) > 2"
    )
    write(tmp_path, {"monitoring/alerts/serving.yml": ALERTS % ("ServingLatencyHigh", expr)})
    assert checks(tmp_path)["monitoring.serving-metrics"].outcome is Outcome.PASS


def test_an_alert_on_the_model_servers_memory_is_infrastructure(tmp_path):
    # near miss: the container's memory, not the requests it serves
    expr = 'sum(container_memory_working_set_bytes{container="kserve-container"}) > 1e9'
    write(tmp_path, {"monitoring/alerts/serving.yml": ALERTS % ("ServerMemoryHigh", expr)})
    assert checks(tmp_path)["monitoring.serving-metrics"].outcome is Outcome.FAIL


HELM_VALUES = """
    replicaCount: 1
    image: {repository: mlops-train, tag: latest, pullPolicy: IfNotPresent}
    resources:
      limits: {cpu: 2000m, memory: 2Gi}
    nodeSelector: {}
%s"""


def test_helm_values_with_a_training_section_hold_the_runs_parameters(tmp_path):
    # the chart of a training job sets its parameters in values.yaml (`training: {samples: ...}`)
    section = "    training:\n      samples: 1000\n      learning_rate: 0.1\n"
    write(tmp_path, {"helm/mlops-training/values.yaml": HELM_VALUES % section})
    assert checks(tmp_path)["repro.config-file"].outcome is Outcome.PASS


def test_helm_values_that_only_configure_the_chart_hold_no_parameters(tmp_path):
    # near miss: image, replicas, resources and a service only
    section = "    service: {type: ClusterIP, port: 8000}\n"
    write(tmp_path, {"helm/api/values.yaml": HELM_VALUES % section})
    assert checks(tmp_path)["repro.config-file"].outcome is Outcome.FAIL


PULL = """
    import mlflow

    NAME, ALIAS = "main.ml.wind", "champion"
    mlflow.set_registry_uri("databricks-uc")
    uri = f"models:/{NAME}@{ALIAS}"
    mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path="./local_model")
"""
SERVE = """
    import mlflow
    from fastapi import FastAPI

    app = FastAPI()
    model = mlflow.pyfunc.load_model("./local_model")

    @app.post("/predict")
    def predict(rows: list[dict]):
        return {"prediction": model.predict(rows).tolist()}
"""


def test_a_service_beside_the_script_pulling_the_champion_serves_from_the_registry(tmp_path):
    # on-premises serving: pull_artifact.py downloads models:/NAME@champion into the folder the
    # FastAPI app beside it loads with MLflow
    write(tmp_path, {"onprem/pull_artifact.py": PULL, "onprem/serve.py": SERVE})
    assert checks(tmp_path)["tracking.serving-from-registry"].outcome is Outcome.PASS


def test_an_alias_resolved_in_another_folder_is_not_what_the_service_loads(tmp_path):
    # near miss: the alias is resolved by an evaluation script elsewhere
    write(tmp_path, {"evaluation/pull_artifact.py": PULL, "onprem/serve.py": SERVE})
    assert checks(tmp_path)["tracking.serving-from-registry"].outcome is Outcome.FAIL

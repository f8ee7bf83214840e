"""One test per defect class that real repositories showed (issue 23), each on a small fixture:
files that do not parse, stack equivalents, CI shapes, environments, names instead of evidence."""

from scaffolder.assess.models import Outcome
from scaffolder.assess.scan import scan
from tests.assess.repos import checks, kinds, write

# -- per-file parsing ------------------------------------------------------------------------


def test_notebook_export_with_magics_is_read_by_stripping_them(tmp_path):
    write(
        tmp_path,
        {
            "notebooks/train.py": """
                # Databricks notebook source
                %pip install mlflow xgboost
                # COMMAND ----------
                %run ./setup
                # COMMAND ----------
                import mlflow
                files = !ls /dbfs/data
                mlflow.set_registry_uri("databricks-uc")
                with mlflow.start_run():
                    mlflow.log_metric("auc", 0.9)
                    mlflow.sklearn.log_model(model, "model", registered_model_name="main.ml.churn")
                    !echo done
            """,
        },
    )
    facts = scan(tmp_path)
    assert not facts.problems, facts.problems
    result = checks(tmp_path)
    assert result["tracking.experiments"].outcome is Outcome.PASS
    assert result["tracking.model-artifact"].outcome is Outcome.PASS
    assert any(
        e.startswith("notebooks/train.py:10") for e in result["tracking.experiments"].evidence
    )


def test_python2_file_keeps_its_facts_and_is_a_note_not_an_unknown(tmp_path):
    write(
        tmp_path,
        {
            "src/legacy/train.py": """
                import mlflow
                import joblib

                def train(df):
                    print "training on", len(df)
                    try:
                        model = fit(df)
                    except ValueError, e:
                        print e
                    mlflow.log_param("rows", len(df))
                    joblib.dump(model, "model.pkl")
            """,
            "src/legacy/other.py": "import mlflow\nprint 'x' if True else 0 ,,\n",
        },
    )
    facts = scan(tmp_path)
    result = checks(tmp_path)
    assert result["tracking.experiments"].outcome is Outcome.PASS
    assert result["tracking.model-artifact"].outcome is Outcome.PASS
    notes = [p for p in facts.problems if p.path == "src/legacy/train.py"]
    assert notes and all(p.note for p in notes) and "Python 2" in notes[0].message
    # a failed check is a failure with its evidence, not "unknown" because of a note
    assert result["tracking.registry"].outcome is Outcome.FAIL


def test_one_broken_block_keeps_the_rest_of_the_file(tmp_path):
    write(
        tmp_path,
        {
            "src/pkg/train.py": """
                import mlflow

                def broken(:
                    pass

                def train():
                    mlflow.log_metric("auc", 0.9)
            """,
        },
    )
    facts = scan(tmp_path)
    assert [p.note for p in facts.problems] == [True]
    assert "mlflow.tracking" in {f.kind for f in facts.facts}
    assert checks(tmp_path)["tracking.experiments"].outcome is Outcome.PASS


# -- stack equivalents -----------------------------------------------------------------------


def test_zenml_step_outputs_metadata_and_ci_runs(tmp_path):
    write(
        tmp_path,
        {
            "steps/trainer.py": """
                from typing import Annotated
                from sklearn.base import ClassifierMixin
                from zenml import ArtifactConfig, log_metadata, step

                @step
                def train_model(df) -> Annotated[
                    ClassifierMixin, ArtifactConfig(name="model", is_model_artifact=True)
                ]:
                    model = fit(df)
                    log_metadata(metadata={"accuracy": 0.9})
                    return model
            """,
            "pipelines/training.py": """
                from zenml import pipeline
                from steps.trainer import train_model

                @pipeline
                def training():
                    train_model(load())
            """,
            "run.py": """
                from pipelines.training import training

                if __name__ == "__main__":
                    training()
            """,
            ".github/workflows/train.yml": """
                on: {push: {branches: [main]}}
                jobs:
                  train:
                    runs-on: ubuntu-latest
                    steps:
                      - run: python run.py --training
            """,
        },
    )
    result = checks(tmp_path)
    assert result["tracking.model-artifact"].outcome is Outcome.PASS
    assert result["tracking.experiments"].outcome is Outcome.PASS
    assert result["pipelines.orchestrated"].outcome is Outcome.PASS
    assert result["pipelines.image-build"].outcome is Outcome.PASS, result[
        "pipelines.image-build"
    ].message


def test_databricks_asset_bundle_sdk_endpoint_and_unity_catalog(tmp_path):
    write(
        tmp_path,
        {
            "databricks.yml": """
                bundle:
                  name: churn
                resources:
                  jobs:
                    training:
                      tasks:
                        - task_key: train
                          notebook_task: {notebook_path: ./notebooks/train.py}
                      schedule: {quartz_cron_expression: "0 0 3 * * ?", timezone_id: UTC}
                  registered_models:
                    churn: {catalog_name: main, schema_name: ml, name: churn}
                targets:
                  dev: {mode: development, default: true}
                  prod: {mode: production}
            """,
            "src/deploy.py": """
                from databricks.sdk import WorkspaceClient
                from databricks.sdk.service.serving import EndpointCoreConfigInput

                w = WorkspaceClient()
                w.serving_endpoints.create_and_wait(name="churn", config=EndpointCoreConfigInput())
            """,
            "src/register.py": """
                import mlflow
                mlflow.set_registry_uri("databricks-uc")
                mlflow.register_model("runs:/abc/model", "main.ml.churn")
            """,
            ".github/workflows/cd.yml": """
                on: {push: {branches: [main]}}
                jobs:
                  deploy:
                    runs-on: ubuntu-latest
                    environment: prod
                    steps:
                      - run: databricks bundle deploy -t prod
            """,
        },
    )
    result = checks(tmp_path)
    for check in (
        "pipelines.orchestrated",
        "pipelines.image-build",
        "pipelines.scheduled",
        "repro.environments",
        "tracking.registry",
        "deployment.serving-api",
        "deployment.cd-workflow",
    ):
        assert result[check].outcome is Outcome.PASS, (check, result[check].message)


def test_keras_saves_with_computed_paths(tmp_path):
    write(
        tmp_path,
        {
            "src/train.py": """
                import os
                from tensorflow import keras

                def train(out):
                    model = keras.Sequential()
                    model.save(os.path.join(out, "model.h5"))
                    model.save(f"{out}/model.keras")
            """,
        },
    )
    saves = [f for f in scan(tmp_path).facts if f.kind == "model.save"]
    assert [f.line for f in saves] == [6, 7]


def test_kedro_catalog_model_datasets(tmp_path):
    write(
        tmp_path,
        {
            "conf/base/catalog/models.yml": """
                regressor:
                  type: pickle.PickleDataset
                  filepath: data/06_models/regressor.pickle
                  versioned: true
                companies:
                  type: pandas.CSVDataset
                  filepath: data/01_raw/companies.csv
            """,
        },
    )
    saves = [f for f in scan(tmp_path).facts if f.kind == "model.save"]
    assert [(f.path, f.line) for f in saves] == [("conf/base/catalog/models.yml", 1)]


def test_flyte_and_bentoml_in_ci(tmp_path):
    write(
        tmp_path,
        {
            ".github/workflows/cd.yml": """
                on: {push: {branches: [main]}}
                jobs:
                  flyte:
                    runs-on: ubuntu-latest
                    steps:
                      - run: pyflyte register workflows --project ml --domain production
                  bento:
                    runs-on: ubuntu-latest
                    steps:
                      - run: bentoml build && bentoml containerize churn:latest
            """,
            "workflows/train.py": """
                from flytekit import CronSchedule, LaunchPlan, task, workflow

                @task
                def train() -> float:
                    return 0.9

                @workflow
                def wf() -> float:
                    return train()

                LaunchPlan.get_or_create(
                    wf, name="nightly", schedule=CronSchedule(schedule="0 3 * * *")
                )
            """,
        },
    )
    found = kinds(tmp_path)
    # a bento is the serving tool's image, not the pipeline's (ci.step.serving_image)
    assert {"ci.step.pipeline_deploy", "ci.step.serving_image", "pipeline.schedule"} <= found


def test_jenkins_shared_library_steps_that_register_and_deploy(tmp_path):
    write(
        tmp_path,
        {
            "Jenkinsfile": """
                @Library('ml-platform') _
                pipeline {
                  agent any
                  stages {
                    stage('Train') { steps { sh 'python train.py' } }
                    stage('Ship') {
                      steps {
                        registerModel(name: 'churn', stage: 'Staging')
                        deployModel(name: 'churn', environment: 'production')
                      }
                    }
                  }
                }
            """,
        },
    )
    found = kinds(tmp_path)
    assert {"ci.step.deploy", "ci.step.promote", "registry.model"} <= found


# -- CI shapes -------------------------------------------------------------------------------


def test_gitlab_only_main_on_one_job_leaves_the_others_running_on_merge_requests(tmp_path):
    write(
        tmp_path,
        {
            ".gitlab-ci.yml": """
                stages: [test, deploy]
                test:
                  stage: test
                  script: [python test.py]
                deploy:
                  stage: deploy
                  script: [docker compose up --build -d]
                  only: [main]
            """,
        },
    )
    result = checks(tmp_path)
    assert result["governance.change-review"].outcome is Outcome.PASS
    found = kinds(tmp_path)
    assert {"ci.step.test", "ci.step.build_image"} <= found


def test_gitlab_only_main_on_every_job_is_not_run_on_merge_requests(tmp_path):
    write(
        tmp_path,
        {".gitlab-ci.yml": "test:\n  script: [pytest]\n  only: [main]\n"},
    )
    assert checks(tmp_path)["governance.change-review"].outcome is Outcome.FAIL


def test_plain_python_test_runners_count_as_tests(tmp_path):
    write(
        tmp_path,
        {
            ".github/workflows/ci.yml": """
                on: [pull_request]
                jobs:
                  a: {runs-on: x, steps: [{run: python test.py}]}
                  b: {runs-on: x, steps: [{run: python -m unittest discover -s tests}]}
                  c: {runs-on: x, steps: [{run: python tests/run_tests.py}]}
            """,
        },
    )
    tests = [f for f in scan(tmp_path).facts if f.kind == "ci.step.test"]
    assert {f.detail["job"] for f in tests} == {"a", "b", "c"}


# -- environments ----------------------------------------------------------------------------


def test_helm_values_per_environment_deployed_by_cd(tmp_path):
    write(
        tmp_path,
        {
            "charts/api/Chart.yaml": "apiVersion: v2\nname: api\nversion: 0.1.0\n",
            "charts/api/values.yaml": "replicaCount: 1\n",
            "charts/api/values-staging.yaml": "replicaCount: 1\n",
            "charts/api/values-production.yaml": "replicaCount: 3\n",
            ".github/workflows/cd.yml": """
                on: {push: {branches: [main]}}
                jobs:
                  deploy:
                    runs-on: ubuntu-latest
                    steps:
                      - run: >-
                          helm upgrade --install api charts/api
                          -f charts/api/values-production.yaml
            """,
        },
    )
    result = checks(tmp_path)
    assert result["repro.environments"].outcome is Outcome.PASS, result[
        "repro.environments"
    ].message


def test_compose_override_per_environment(tmp_path):
    write(
        tmp_path,
        {
            "docker-compose.yml": "services:\n  api:\n    build: .\n",
            "docker-compose.prod.yml": "services:\n  api:\n    image: reg/api:1\n",
            "docker-compose.staging.yml": "services:\n  api:\n    image: reg/api:1\n",
        },
    )
    envs = {f.detail["env"] for f in scan(tmp_path).facts if f.kind == "config.environment"}
    assert {"prod", "staging"} <= envs


def test_argo_cd_applications_per_environment(tmp_path):
    app = """
        apiVersion: argoproj.io/v1alpha1
        kind: Application
        metadata: {name: api-%s, namespace: argocd}
        spec:
          source: {repoURL: https://example.invalid/repo.git, path: k8s/overlays/%s}
          destination: {server: https://kubernetes.default.svc, namespace: %s}
          syncPolicy: {automated: {prune: true}}
    """
    write(
        tmp_path,
        {
            "argocd/staging.yaml": app % ("staging", "staging", "staging"),
            "argocd/production.yaml": app % ("production", "production", "production"),
        },
    )
    result = checks(tmp_path)
    assert result["repro.environments"].outcome is Outcome.PASS
    assert result["deployment.cd-workflow"].outcome is Outcome.PASS


# -- names instead of evidence ---------------------------------------------------------------


def test_a_function_name_containing_gate_is_not_a_quality_gate(tmp_path):
    write(
        tmp_path,
        {
            "src/explain.py": """
                import shap

                def _aggregate_shap_to_original(values, mapping):
                    return {k: values[v].sum() for k, v in mapping.items()}

                def navigate(x):
                    return x
            """,
            "src/gate.py": """
                import mlflow

                def quality_gate(metrics, threshold):
                    if metrics["auc"] < threshold:
                        raise SystemExit("below the bar")
            """,
        },
    )
    gates = [f for f in scan(tmp_path).facts if f.kind == "quality.gate"]
    assert [f.path for f in gates] == ["src/gate.py"]


def test_grafana_and_prometheus_yaml_under_config_is_not_a_parameter_file(tmp_path):
    write(
        tmp_path,
        {
            "config/prometheus.yml": """
                global: {scrape_interval: 15s}
                scrape_configs:
                  - job_name: api
                    static_configs: [{targets: ["api:8000"]}]
            """,
            "config/grafana/provisioning/datasources/ds.yml": """
                apiVersion: 1
                datasources:
                  - {name: Prometheus, type: prometheus, url: http://prometheus:9090}
            """,
            "config/alertmanager.yml": "route: {receiver: team}\nreceivers: [{name: team}]\n",
        },
    )
    result = checks(tmp_path)
    assert result["repro.config-file"].outcome is Outcome.FAIL, result["repro.config-file"].evidence


def test_a_service_started_over_ssh_by_cd_is_a_deploy(tmp_path):
    write(
        tmp_path,
        {
            ".github/workflows/deploy.yml": """
                on: {push: {branches: [main]}}
                jobs:
                  vm:
                    runs-on: ubuntu-latest
                    steps:
                      - uses: appleboy/ssh-action@v1.0.3
                        with:
                          script: |
                            cd app && git pull
                            docker run -d --name api -p 3000:3000 api:latest
                  e2e:
                    runs-on: ubuntu-latest
                    steps:
                      - run: docker run -d -p 8000:8000 api:test && pytest tests/e2e
            """,
            "param.json": '{"C": 0.5, "max_iter": 200}',
        },
    )
    deploys = [f for f in scan(tmp_path).facts if f.kind == "ci.step.deploy"]
    # the VM deploy counts; a container started for tests on the runner does not
    assert [f.detail["job"] for f in deploys] == ["vm"]
    assert checks(tmp_path)["repro.config-file"].outcome is Outcome.PASS

"""Defect classes read from the seventh held-out batch's misses once it joined the calibration
part (text a CI step only prints, ECS deploy actions, BentoML images built by make, Travis CI,
empty sample tests, single-task Databricks jobs, Terraform variable examples per environment,
pipelines that alert on failure, BentoML services' Prometheus metrics, ZenML's Model Control
Plane, TestClients of an app the test builds). Each test fails on the code before the fix; each
reads a shape of a stack, not one repository's files."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, facts, write


def outcome(root, check_id):
    return checks(root)[check_id].outcome


TESTS = {
    "tests/test_model.py": "from pkg import model\n\ndef test_fit():\n    assert model.fit()\n"
}


def test_a_ci_step_that_only_prints_a_test_command_runs_no_tests(tmp_path):
    write(
        tmp_path,
        {
            **TESTS,
            ".github/workflows/ci.yml": """
                on: [push, pull_request]
                jobs:
                  test-info:
                    name: "Unit tests: run locally"
                    runs-on: ubuntu-latest
                    steps:
                      - run: |
                          echo "Unit tests need Java 17 + PySpark."
                          echo "Run locally: make test-unit"
            """,
        },
    )
    assert outcome(tmp_path, "quality.ci-tests") is Outcome.FAIL


def test_a_ci_step_that_prints_and_then_runs_the_tests_runs_them(tmp_path):
    write(
        tmp_path,
        {
            **TESTS,
            ".github/workflows/ci.yml": """
                on: [push, pull_request]
                jobs:
                  test:
                    runs-on: ubuntu-latest
                    steps:
                      - run: |
                          echo "running the unit tests"
                          # the suite
                          make test-unit
            """,
        },
    )
    assert outcome(tmp_path, "quality.ci-tests") is Outcome.PASS


def test_the_ecs_deploy_action_deploys(tmp_path):
    write(
        tmp_path,
        {
            ".github/workflows/deploy.yml": """
                on: {workflow_dispatch: {}}
                jobs:
                  deploy:
                    runs-on: ubuntu-latest
                    steps:
                      - uses: aws-actions/amazon-ecs-render-task-definition@v1
                        id: render
                        with: {task-definition: td.json, container-name: api, image: x}
                      - uses: aws-actions/amazon-ecs-deploy-task-definition@v1
                        with: {task-definition: "${{ steps.render.outputs.task-definition }}"}
            """,
        },
    )
    assert "ci.step.deploy" in {f.kind for f in facts(tmp_path).facts}


def test_a_make_target_building_the_bento_image_is_a_container(tmp_path):
    write(
        tmp_path,
        {
            "service.py": "import bentoml\nsvc = bentoml.Service('mnist')\n",
            "Makefile": (
                "serve:\n\tpoetry run bentoml serve service.py:svc\n"
                "containerize:\n\tpoetry run bentoml build -f bentofile.yaml --containerize\n"
            ),
        },
    )
    assert outcome(tmp_path, "deployment.training-image") is Outcome.PASS


def test_a_make_target_serving_the_bento_builds_no_image(tmp_path):
    write(
        tmp_path,
        {
            "service.py": "import bentoml\nsvc = bentoml.Service('mnist')\n",
            "Makefile": "serve:\n\tpoetry run bentoml serve service.py:svc\n",
        },
    )
    assert outcome(tmp_path, "deployment.training-image") is Outcome.FAIL


def test_travis_ci_at_the_root_runs_the_tests_on_pull_requests(tmp_path):
    write(
        tmp_path,
        {**TESTS, ".travis.yml": "language: python\ninstall: pip install tox\nscript: tox\n"},
    )
    assert outcome(tmp_path, "quality.ci-tests") is Outcome.PASS
    assert outcome(tmp_path, "governance.change-review") is Outcome.PASS


def test_a_vendored_travis_file_is_not_the_projects_ci(tmp_path):
    write(tmp_path, {**TESTS, "vendor/lib/.travis.yml": "language: python\nscript: tox\n"})
    assert outcome(tmp_path, "quality.ci-tests") is Outcome.FAIL
    assert outcome(tmp_path, "governance.change-review") is Outcome.FAIL


def test_a_sample_test_with_an_empty_body_tests_nothing(tmp_path):
    write(
        tmp_path,
        {
            "tests/test_pkg.py": '''
                import pytest


                @pytest.fixture
                def response():
                    """Sample pytest fixture."""
                    # return requests.get("https://example.org")


                def test_content(response):
                    """Sample pytest test function with the pytest fixture as an argument."""
                    # assert "GitHub" in response.text
            ''',
        },
    )
    assert outcome(tmp_path, "quality.unit-tests") is Outcome.FAIL
    write(tmp_path, TESTS)
    assert outcome(tmp_path, "quality.unit-tests") is Outcome.PASS


TF_JOB = """
resource "databricks_job" "training" {
  name = "churn-training"
  job_cluster {
    job_cluster_key = "ml"
    new_cluster { num_workers = 2 }
  }
  task {
    task_key        = "train"
    job_cluster_key = "ml"
    notebook_task { notebook_path = "/Shared/train" }
  }
  %s
}
"""
SECOND_TASK = """task {
    task_key = "evaluate"
    depends_on { task_key = "train" }
    job_cluster_key = "ml"
    notebook_task { notebook_path = "/Shared/evaluate" }
  }"""


def test_a_single_task_databricks_job_is_a_managed_job_not_a_pipeline(tmp_path):
    write(tmp_path, {"infra/main.tf": TF_JOB % ""})
    kinds = {f.kind for f in facts(tmp_path).facts}
    assert "runtime.managed" in kinds and "pipeline.def" not in kinds


def test_a_databricks_job_of_dependent_tasks_is_a_pipeline(tmp_path):
    write(tmp_path, {"infra/main.tf": TF_JOB % SECOND_TASK})
    assert "pipeline.def" in {f.kind for f in facts(tmp_path).facts}


def test_a_single_task_bundle_job_is_no_pipeline_and_two_tasks_are(tmp_path):
    bundle = """
        bundle: {name: churn}
        resources:
          jobs:
            train:
              tasks:
                - task_key: train
                  notebook_task: {notebook_path: ./train.py}
        %s
    """
    write(tmp_path, {"databricks.yml": bundle % ""})
    assert "pipeline.def" not in {f.kind for f in facts(tmp_path).facts}
    second = """          - task_key: evaluate
                  depends_on: [{task_key: train}]
                  notebook_task: {notebook_path: ./evaluate.py}"""
    write(tmp_path, {"databricks.yml": bundle % second.replace("          -", "        -", 1)})
    assert "pipeline.def" in {f.kind for f in facts(tmp_path).facts}


def test_terraform_variable_examples_per_environment_are_environments(tmp_path):
    write(
        tmp_path,
        {
            "infra/envs/dev.tfvars.example": 'region = "eu-west-1"\n',
            "infra/envs/prod.tfvars.example": 'region = "eu-west-1"\n',
        },
    )
    assert outcome(tmp_path, "repro.environments") is Outcome.PASS


def test_an_airflow_dag_that_reports_success_and_failure_is_watched(tmp_path):
    # (a failure callback alone is an error notice, not monitoring: the fourteenth batch,
    # test_defect_classes_fourteenth_monitoring.py)
    write(
        tmp_path,
        {
            "dags/train.py": """
                from airflow import DAG
                from utils.slack_alert import SlackAlert

                slack = SlackAlert("#airflow-monitor")
                default_args = {
                    "owner": "ml",
                    "on_success_callback": slack.success_msg,
                    "on_failure_callback": slack.fail_msg,
                }
                with DAG("train", default_args=default_args, schedule="@daily") as dag:
                    pass
            """,
        },
    )
    assert outcome(tmp_path, "monitoring.pipeline-metrics") is Outcome.PASS


def test_a_failure_callback_of_none_alerts_nobody(tmp_path):
    write(
        tmp_path,
        {
            "dags/train.py": """
                from airflow import DAG
                with DAG("train", default_args={"on_failure_callback": None}) as dag:
                    pass
            """,
        },
    )
    assert outcome(tmp_path, "monitoring.pipeline-metrics") is Outcome.FAIL


def test_a_zenml_pipeline_with_success_and_failure_hooks_is_watched(tmp_path):
    write(
        tmp_path,
        {
            "pipelines/training.py": """
                from zenml import pipeline
                from governance.hooks import pipeline_failure_hook, pipeline_success_hook


                @pipeline(on_success=pipeline_success_hook, on_failure=pipeline_failure_hook)
                def training():
                    pass
            """,
        },
    )
    assert outcome(tmp_path, "monitoring.pipeline-metrics") is Outcome.PASS


def test_prometheus_metrics_a_bentoml_service_imports_monitor_the_serving_side(tmp_path):
    write(
        tmp_path,
        {
            "service.py": """
                import bentoml
                from utils.monitoring.prometheus_metrics import inference_duration


                @bentoml.service
                class IrisClassifierService:
                    @bentoml.api
                    def predict(self, x):
                        with inference_duration.time():
                            return x
            """,
            "utils/__init__.py": "",
            "utils/monitoring/__init__.py": "",
            "utils/monitoring/prometheus_metrics.py": """
                from prometheus_client import Histogram
                inference_duration = Histogram("bentoml_inference_duration_seconds", "latency")
            """,
        },
    )
    assert outcome(tmp_path, "monitoring.serving-metrics") is Outcome.PASS


def test_prometheus_metrics_of_a_batch_job_beside_a_bentoml_service_do_not(tmp_path):
    write(
        tmp_path,
        {
            "service.py": "import bentoml\n\n@bentoml.service\nclass Svc:\n    pass\n",
            "jobs/batch.py": """
                from prometheus_client import Counter
                rows = Counter("batch_rows_total", "rows scored")
            """,
        },
    )
    assert outcome(tmp_path, "monitoring.serving-metrics") is Outcome.FAIL


ZENML_TRAIN = """
from zenml import Model, pipeline, step


@step
def train() -> object:
    return object()


@pipeline(model=Model(name="churn", description="churn classifier"))
def training():
    train()
"""
ZENML_INFER = """
from zenml import Model, pipeline, step
from zenml.enums import ModelStages


@step
def predict() -> None:
    pass


@pipeline(model=Model(name="churn", version=ModelStages.PRODUCTION))
def batch_inference():
    predict()
"""
ZENML_PROMOTE = """
from zenml.client import Client


def promote(version, stage):
    Client().get_model_version("churn", version).set_stage(stage, force=True)
"""


def test_zenml_model_control_plane_versions_promoted_and_served_from_the_registry(tmp_path):
    write(
        tmp_path,
        {
            "pipelines/training.py": ZENML_TRAIN,
            "pipelines/batch_inference.py": ZENML_INFER,
            "scripts/promote.py": ZENML_PROMOTE,
        },
    )
    results = checks(tmp_path)
    assert results["tracking.registry"].outcome is Outcome.PASS
    assert results["tracking.serving-from-registry"].outcome is Outcome.PASS


def test_a_zenml_production_look_up_where_nothing_is_promoted_resolves_nothing(tmp_path):
    write(tmp_path, {"pipelines/training.py": ZENML_TRAIN, "steps/loader.py": ZENML_INFER})
    results = checks(tmp_path)
    assert results["tracking.registry"].outcome is Outcome.PASS
    assert results["tracking.serving-from-registry"].outcome is Outcome.FAIL


def test_a_testclient_of_an_app_the_test_builds_is_no_service_test(tmp_path):
    write(
        tmp_path,
        {
            "middlewares/headers.py": "class UpdateResponseHeaders:\n    pass\n",
            "tests/unit/test_headers.py": """
                from starlette.applications import Starlette
                from starlette.testclient import TestClient
                from middlewares.headers import UpdateResponseHeaders

                app = Starlette()
                app.add_middleware(UpdateResponseHeaders)


                def test_headers_removed():
                    assert "server" not in TestClient(app).get("/test").headers
            """,
        },
    )
    assert outcome(tmp_path, "quality.integration-tests") is Outcome.FAIL


def test_a_testclient_of_the_projects_router_is_a_service_test(tmp_path):
    write(
        tmp_path,
        {
            "api/routes.py": "from fastapi import APIRouter\nrouter = APIRouter()\n",
            "tests/test_api.py": """
                from fastapi import FastAPI
                from fastapi.testclient import TestClient
                from api.routes import router

                app = FastAPI()
                app.include_router(router)


                def test_predict():
                    assert TestClient(app).post("/predict", json={}).status_code == 200
            """,
        },
    )
    assert outcome(tmp_path, "quality.integration-tests") is Outcome.PASS

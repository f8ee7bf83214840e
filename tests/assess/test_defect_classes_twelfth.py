"""Defect classes read from the twelfth held-out batch's misses once it joined the calibration
part, the over-scores: a Databricks asset bundle whose targets set only where and how it is
deployed read as a parameter file, the jobs of a GitHub workflow that has no trigger read as
CI/CD, an Azure ML workspace's Application Insights declared in a Terraform module of its own
read as a monitored serving side, CI submitting one Azure ML command job read as running the
pipeline (the too-low classes are in test_defect_classes_twelfth_low.py).
Each test fails on the code before the fix; each reads a shape of a stack, not one repository's
files, and the near misses beside them pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

BUNDLE = """
    bundle:
      name: finance
    include:
      - resources/*.yml
    targets:
      dev:
        mode: development
        default: true
        workspace:
          host: ${DATABRICKS_HOST}
      prod:
        mode: production
        workspace:
          host: ${DATABRICKS_HOST}
%s"""
JOB = """
    resources:
      jobs:
        main:
          tasks:
            - task_key: train
              notebook_task: {notebook_path: notebooks/train%s}
            - task_key: score
              depends_on: [{task_key: train}]
              notebook_task: {notebook_path: notebooks/score}
"""


def test_bundle_targets_that_only_say_where_to_deploy_hold_no_parameters(tmp_path):
    # dev and prod targets with a mode and a workspace host, a job passing nothing to its
    # notebooks: environments to deploy to, but no parameter of the run lives in config
    write(tmp_path, {"databricks.yml": BUNDLE % "", "resources/job.yml": JOB % ""})
    result = checks(tmp_path)
    assert result["repro.config-file"].outcome is Outcome.FAIL, result["repro.config-file"]
    assert result["repro.environments"].outcome is Outcome.PASS


def test_bundle_variables_or_task_parameters_are_parameters_in_config(tmp_path):
    # near misses: the bundle declares variables set per target, or its job passes parameters
    variables = """
    variables:
      catalog: {default: dev_catalog}
"""
    write(tmp_path / "a", {"databricks.yml": BUNDLE % variables, "resources/job.yml": JOB % ""})
    assert checks(tmp_path / "a")["repro.config-file"].outcome is Outcome.PASS
    params = ", base_parameters: {max_depth: '6'}"
    write(tmp_path / "b", {"databricks.yml": BUNDLE % "", "resources/job.yml": JOB % params})
    assert checks(tmp_path / "b")["repro.config-file"].outcome is Outcome.PASS
    per_target = BUNDLE.replace(
        "mode: production\n", "mode: production\n        variables: {catalog: prod}\n"
    )
    write(tmp_path / "c", {"databricks.yml": per_target % "", "resources/job.yml": JOB % ""})
    assert checks(tmp_path / "c")["repro.config-file"].outcome is Outcome.PASS


ENDPOINT_DEPLOY = """
    name: model deployment
    on:
    %s
    jobs:
      deployment-job:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - name: deploy the model to the online endpoint
            run: az ml online-deployment create --file jobs/deploy.yml --all-traffic
"""
SERVING = {
    "src/score.py": """
        import joblib

        def init():
            global model
            model = joblib.load("model.pkl")

        def run(data):
            return model.predict(data).tolist()
    """,
    "jobs/deploy.yml": """
        $schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
        name: blue
        endpoint_name: stock
        model: azureml:stock_model:1
        code_configuration: {code: ../src, scoring_script: score.py}
        instance_type: Standard_DS2_v2
    """,
}


def test_a_github_workflow_whose_triggers_are_all_commented_out_deploys_nothing(tmp_path):
    # `on:` with every trigger commented out: GitHub never runs the workflow, so its deploy job
    # is no CD (the endpoint is deployed by hand)
    untriggered = "  # push:\n    #   branches: [main]\n"
    write(tmp_path, {**SERVING, ".github/workflows/deploy.yml": ENDPOINT_DEPLOY % untriggered})
    assert checks(tmp_path)["deployment.cd-workflow"].outcome is Outcome.FAIL


def test_a_workflow_run_by_hand_still_deploys(tmp_path):
    # near miss: `on: workflow_dispatch` runs when someone presses the button
    manual = "  workflow_dispatch:\n"
    write(tmp_path, {**SERVING, ".github/workflows/deploy.yml": ENDPOINT_DEPLOY % manual})
    assert checks(tmp_path)["deployment.cd-workflow"].outcome is Outcome.PASS


APPI_MODULE = """
    resource "azurerm_application_insights" "appi" {
      name                = "appi-${var.prefix}"
      location            = var.location
      resource_group_name = var.rg_name
      application_type    = "web"
    }
"""
WORKSPACE = """
    module "application_insights" {
      source = "./modules/application-insights"
      prefix = var.prefix
    }

    resource "azurerm_machine_learning_workspace" "mlw" {
      name                    = "mlw-${var.prefix}"
      application_insights_id = module.application_insights.id
      key_vault_id            = module.key_vault.id
      storage_account_id      = module.storage.id
      identity { type = "SystemAssigned" }
    }
"""


def test_application_insights_in_a_module_backing_the_workspace_monitors_nothing(tmp_path):
    # the Application Insights resource every Azure ML workspace requires, declared in its own
    # Terraform module and passed to the workspace: the workspace's telemetry, not a monitored
    # serving side
    write(
        tmp_path,
        {
            "infrastructure/modules/application-insights/main.tf": APPI_MODULE,
            "infrastructure/aml_deploy.tf": WORKSPACE,
        },
    )
    result = checks(tmp_path)
    assert result["monitoring.serving-metrics"].outcome is Outcome.FAIL
    assert result["monitoring.pipeline-metrics"].outcome is Outcome.FAIL


def test_application_insights_a_service_sends_telemetry_to_is_monitoring(tmp_path):
    # near miss: another module's web app sends its telemetry there
    app = """
        resource "azurerm_linux_web_app" "api" {
          name = "api"
          app_settings = {
            APPLICATIONINSIGHTS_CONNECTION_STRING = module.application_insights.connection_string
          }
        }
    """
    write(
        tmp_path,
        {
            "infrastructure/modules/application-insights/main.tf": APPI_MODULE,
            "infrastructure/aml_deploy.tf": WORKSPACE,
            "infrastructure/app.tf": app,
        },
    )
    assert checks(tmp_path)["monitoring.serving-metrics"].outcome is Outcome.PASS


COMMAND_JOB = """
    $schema: https://azuremlschemas.azureedge.net/latest/commandJob.schema.json
    code: ../../src
    command: python train.py --data ${{inputs.data}}
    inputs:
      data: {type: uri_file, path: azureml:taxi:1}
    environment: azureml:sklearn-env:1
    compute: azureml:cpu-cluster
"""
PIPELINE_JOB = """
    $schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json
    type: pipeline
    jobs:
      prep:
        type: command
        command: python prep.py
      train:
        type: command
        command: python train.py
"""
SMOKE = """
    on: {push: {branches: [main]}, pull_request: {}}
    jobs:
      smoke:
        runs-on: ubuntu-latest
        steps:
          - run: az extension add -n ml -y
          - name: Job for model training
            run: az ml job create -f %s --stream
            working-directory: %s
"""


def test_ci_submitting_one_command_job_does_not_run_the_pipeline(tmp_path):
    # CI submits the single training job `cli/jobs/train.yml`; the pipeline (prep -> train) is
    # submitted by hand
    write(
        tmp_path,
        {
            "cli/jobs/train.yml": COMMAND_JOB,
            "pipelines/pipeline.yml": PIPELINE_JOB,
            ".github/workflows/smoke.yml": SMOKE % ("train.yml", "cli/jobs"),
        },
    )
    assert checks(tmp_path)["pipelines.image-build"].outcome is Outcome.FAIL


def test_ci_submitting_the_pipeline_job_runs_the_pipeline(tmp_path):
    # near miss: the same step submits the pipeline's YAML
    write(
        tmp_path,
        {
            "cli/jobs/train.yml": COMMAND_JOB,
            "pipelines/pipeline.yml": PIPELINE_JOB,
            ".github/workflows/smoke.yml": SMOKE % ("../../pipelines/pipeline.yml", "cli/jobs"),
        },
    )
    assert checks(tmp_path)["pipelines.image-build"].outcome is Outcome.PASS

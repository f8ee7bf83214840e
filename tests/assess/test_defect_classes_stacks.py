"""Defect classes the second calibration batch of real repositories showed (issue 23), one test
each on a small fixture: Argo Workflows and Events, Kubeflow components as containers, compiled
pipeline specs, empty integration suites, Azure ML v2 registry references and deployment
environments, GitLab `extends` across included files."""

from scaffolder.assess.models import Outcome
from scaffolder.assess.scan import scan
from tests.assess.repos import checks, write

TRAIN = """
    import joblib
    from sklearn.linear_model import LogisticRegression

    if __name__ == "__main__":
        joblib.dump(LogisticRegression().fit([[0], [1]], [0, 1]), "model.joblib")
"""


def test_argo_workflow_of_steps_is_an_orchestrated_pipeline_and_a_sensor_triggers_it(tmp_path):
    write(
        tmp_path,
        {
            "train.py": TRAIN,
            "workflows/train.yaml": """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata: {generateName: train-}
                spec:
                  entrypoint: pipeline
                  templates:
                    - name: pipeline
                      dag:
                        tasks:
                          - {name: prepare, template: prepare}
                          - {name: train, template: trainer, dependencies: [prepare]}
                    - name: prepare
                      container: {image: "acme/prepare:1", command: [python, prepare.py]}
                    - name: trainer
                      container: {image: "acme/train:1", command: [python, train.py]}
            """,
            "events/sensor.yaml": """
                apiVersion: argoproj.io/v1alpha1
                kind: Sensor
                metadata: {name: new-data}
                spec:
                  dependencies: [{name: data, eventSourceName: minio, eventName: put}]
                  triggers:
                    - template:
                        name: retrain
                        k8s:
                          operation: create
                          source:
                            resource:
                              apiVersion: argoproj.io/v1alpha1
                              kind: Workflow
                              metadata: {generateName: retrain-}
            """,
        },
    )
    result = checks(tmp_path)
    assert result["pipelines.orchestrated"].outcome is Outcome.PASS
    assert "Argo Workflows" in result["pipelines.orchestrated"].message
    assert result["pipelines.scheduled"].outcome is Outcome.PASS
    assert any(e.startswith("events/sensor.yaml") for e in result["pipelines.scheduled"].evidence)
    # the workflow's steps run in containers
    assert result["deployment.training-image"].outcome is Outcome.PASS


def test_an_argo_workflow_of_one_container_without_steps_is_not_a_pipeline(tmp_path):
    write(
        tmp_path,
        {
            "hello.yaml": """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata: {generateName: hello-}
                spec:
                  entrypoint: say
                  templates:
                    - name: say
                      container: {image: docker/whalesay, command: [cowsay, hi]}
            """,
        },
    )
    assert checks(tmp_path)["pipelines.orchestrated"].outcome is Outcome.FAIL


def test_kubeflow_components_run_in_containers(tmp_path):
    write(
        tmp_path,
        {
            "pipeline/components.py": """
                from kfp import dsl
                from kfp.dsl import Output, Model

                @dsl.component(base_image="python:3.11")
                def train(model: Output[Model]):
                    import joblib
                    joblib.dump({}, model.path)

                @dsl.pipeline(name="train")
                def pipeline():
                    train()
            """,
            "predict.py": "import joblib\nmodel = joblib.load('model.joblib')\n",
        },
    )
    result = checks(tmp_path)
    assert result["deployment.training-image"].outcome is Outcome.PASS
    assert "Kubeflow" in result["deployment.training-image"].message


def test_a_compiled_pipeline_spec_is_generated_output_not_a_parameter_file(tmp_path):
    write(
        tmp_path,
        {
            "pipeline.yaml": """
                # PIPELINE DEFINITION
                # Name: ml-pipeline
                components:
                  comp-train: {executorLabel: exec-train}
                deploymentSpec:
                  executors:
                    exec-train: {container: {image: "python:3.9"}}
                pipelineInfo: {name: ml-pipeline}
                root:
                  dag: {tasks: {}}
                schemaVersion: 2.1.0
                sdkVersion: kfp-2.7.0
            """,
        },
    )
    assert checks(tmp_path)["repro.config-file"].outcome is Outcome.FAIL


def test_a_ci_step_running_an_empty_integration_suite_is_no_integration_test(tmp_path):
    write(
        tmp_path,
        {
            ".github/workflows/ci.yml": """
                on: [push, pull_request]
                jobs:
                  unit:
                    runs-on: ubuntu-latest
                    steps: [{run: pytest tests/unit/}]
                  integration-test:
                    runs-on: ubuntu-latest
                    steps:
                      - name: Run integration tests
                        run: pytest tests/integration/ -v
            """,
            "tests/__init__.py": "",
            "tests/integration/__init__.py": "",
            "tests/unit/test_features.py": "def test_one():\n    assert 1 + 1 == 2\n",
        },
    )
    result = checks(tmp_path)
    assert result["quality.ci-tests"].outcome is Outcome.PASS
    assert result["quality.integration-tests"].outcome is Outcome.FAIL
    # the same step counts once the folder holds tests
    write(
        tmp_path,
        {"tests/integration/test_api.py": "def test_up(client):\n    assert client.get('/')\n"},
    )
    assert checks(tmp_path)["quality.integration-tests"].outcome is Outcome.PASS


AZURE_DEPLOYMENT = """
    $schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
    name: main
    endpoint_name: churn-oe
    model: azureml:churn@latest
    code_configuration: {code: ../src, scoring_script: score.py}
    instance_type: Standard_F2s_v2
    instance_count: 1
"""


def test_azure_ml_deployment_of_a_registered_model_resolves_it_from_the_registry(tmp_path):
    write(
        tmp_path,
        {
            "src/train.py": """
                import mlflow

                with mlflow.start_run():
                    mlflow.log_metric("f1", 0.8)
                    mlflow.sklearn.log_model(model, "model", registered_model_name="churn")
            """,
            "endpoints/online/deployment.yml": AZURE_DEPLOYMENT,
        },
    )
    result = checks(tmp_path)
    assert result["tracking.registry"].outcome is Outcome.PASS
    assert result["tracking.serving-from-registry"].outcome is Outcome.PASS
    assert any(
        e.startswith("endpoints/online/deployment.yml")
        for e in result["tracking.serving-from-registry"].evidence
    )
    # a deployment of a local model folder is not from the registry
    write(
        tmp_path,
        {
            "endpoints/online/deployment.yml": AZURE_DEPLOYMENT.replace(
                "azureml:churn@latest", "../model"
            )
        },
    )
    assert checks(tmp_path)["tracking.serving-from-registry"].outcome is Outcome.FAIL


def test_cd_jobs_deploying_to_two_named_environments_are_environments_as_config(tmp_path):
    job = """
      deploy-{env}:
        runs-on: ubuntu-latest
        environment: {{name: {Env}}}
        steps:
          - run: az ml online-deployment create -f deployment.yml -e ${{{{ vars.ENDPOINT }}}}
    """
    jobs = "".join(job.format(env=e, Env=e.title()) for e in ("staging", "production"))
    write(
        tmp_path,
        {".github/workflows/deploy.yml": "on: {workflow_dispatch: {}}\njobs:\n" + jobs},
    )
    assert checks(tmp_path)["repro.environments"].outcome is Outcome.PASS
    # an environment that only gates a test job is not a deployment environment
    write(
        tmp_path,
        {
            ".github/workflows/deploy.yml": "on: {workflow_dispatch: {}}\njobs:\n"
            + job.format(env="staging", Env="Staging")
            + """
      check:
        runs-on: ubuntu-latest
        environment: {name: Production}
        steps: [{run: pytest tests/}]
            """
        },
    )
    assert checks(tmp_path)["repro.environments"].outcome is Outcome.FAIL


def test_gitlab_jobs_extending_a_template_of_an_included_file_run_its_script(tmp_path):
    write(
        tmp_path,
        {
            ".gitlab-ci.yml": """
                stages: [test, deploy]
                include:
                  - local: ci/base.yml
                  - local: ci/churn.yml
            """,
            "ci/base.yml": """
                .unit_test:
                  image: python:3.11
                  script:
                    - pip install -r requirements.txt
                    - pytest -x tests/unit
                  only:
                    refs: [merge_requests]
            """,
            "ci/churn.yml": """
                churn-test:
                  stage: test
                  extends: [.unit_test]
            """,
            "tests/unit/test_churn.py": "import churn\n\ndef test_one():\n    assert churn.fit\n",
        },
    )
    tests = [f for f in scan(tmp_path).facts if f.kind == "ci.step.test"]
    assert [(f.path, f.detail["job"]) for f in tests] == [("ci/churn.yml", "churn-test")]
    assert checks(tmp_path)["quality.ci-tests"].outcome is Outcome.PASS


def test_a_pipeline_in_a_project_that_trains_no_model_is_no_training_pipeline(tmp_path):
    flow = """
        from metaflow import FlowSpec, schedule, step

        @schedule(cron="0/5 * * * ? *")
        class ExampleFlow(FlowSpec):
            @step
            def start(self):
                self.data = [1, 2, 3]
                self.next(self.end)

            @step
            def end(self):
                print(sum(self.data))

        if __name__ == "__main__":
            ExampleFlow()
    """
    write(tmp_path, {"flows/example_flow.py": flow})
    result = checks(tmp_path)
    assert result["pipelines.train-entrypoint"].outcome is Outcome.FAIL
    assert "trains a model" in result["pipelines.train-entrypoint"].message
    # the same flow fitting and saving a model is a training pipeline
    write(
        tmp_path,
        {
            "flows/example_flow.py": flow.replace(
                "self.data = [1, 2, 3]",
                "import joblib\n                self.data = [1, 2, 3]\n"
                "                joblib.dump(self.data, 'model.joblib')",
            )
        },
    )
    assert checks(tmp_path)["pipelines.train-entrypoint"].outcome is Outcome.PASS


def test_a_step_using_a_local_composite_action_runs_that_actions_steps(tmp_path):
    write(
        tmp_path,
        {
            ".github/workflows/build-model.yml": """
                on: {workflow_dispatch: {}}
                jobs:
                  train:
                    runs-on: ubuntu-latest
                    steps:
                      - uses: actions/checkout@v4
                      - name: Run pipeline job to train model
                        uses: "./.github/templates/run-job"
                        with: {job_file: jobs/train_model.yml}
            """,
            ".github/templates/run-job/action.yml": """
                name: Run Job
                inputs:
                  job_file: {required: true}
                runs:
                  using: composite
                  steps:
                    - name: Run job
                      shell: bash
                      run: |
                        RUN_ID=$(az ml job create --file ${{ inputs.job_file }} --query name -o tsv)
                        az ml job show -n $RUN_ID
            """,
        },
    )
    deployed = [f for f in scan(tmp_path).facts if f.kind == "ci.step.pipeline_deploy"]
    assert [(f.path, f.line, f.detail["via"]) for f in deployed] == [
        (".github/workflows/build-model.yml", 7, ".github/templates/run-job/action.yml")
    ]
    assert checks(tmp_path)["pipelines.image-build"].outcome is Outcome.PASS


def test_cd_tagging_the_registered_version_with_its_run_is_lineage(tmp_path):
    files = {
        "src/register.py": """
            import mlflow

            with mlflow.start_run():
                mlflow.sklearn.log_model(model, "model", registered_model_name="churn")
        """,
        "endpoints/deployment.yml": AZURE_DEPLOYMENT,
        ".github/workflows/build.yml": """
            on: {workflow_dispatch: {}}
            jobs:
              build:
                runs-on: ubuntu-latest
                steps:
                  - name: Update model tags
                    run: |
                      az ml model update --name churn --version 3 \\
                        --set tags.github_run_id=${{ github.run_id }} tags.commit=${{ github.sha }}
        """,
    }
    write(tmp_path, files)
    assert checks(tmp_path)["tracking.lineage-tags"].outcome is Outcome.PASS
    # tags that say nothing of where the version came from are not lineage
    files[".github/workflows/build.yml"] = files[".github/workflows/build.yml"].replace(
        "tags.github_run_id=${{ github.run_id }} tags.commit=${{ github.sha }}", "tags.team=risk"
    )
    write(tmp_path, files)
    assert checks(tmp_path)["tracking.lineage-tags"].outcome is Outcome.FAIL


def test_jenkins_plugin_steps_that_update_stacks_deploy(tmp_path):
    write(
        tmp_path,
        {
            "jenkins/Jenkinsfile": """
                pipeline {
                  agent any
                  stages {
                    stage('Build') { steps { sh 'python3 build.py --export-cfn-params-tags True' } }
                    stage('Staging Deploy') {
                      steps {
                        withAWS(region: "${AWS_REGION}") {
                          cfnUpdate(stack: "${STACK_STAGING}", file: 'endpoint-config-template.yml',
                            paramsFile: 'staging-params-export.json', timeoutInMinutes: 30)
                        }
                      }
                    }
                  }
                }
            """,
        },
    )
    deploys = [f for f in scan(tmp_path).facts if f.kind == "ci.step.deploy"]
    assert [(f.path, f.line) for f in deploys] == [("jenkins/Jenkinsfile", 8)]
    result = checks(tmp_path)["deployment.cd-workflow"]
    assert result.outcome is Outcome.PASS and "cfnUpdate" in result.message

"""Defect classes read from the fourteenth held-out batch's pipelines misses once it joined the
calibration part: Mage pipelines (a `pipelines/<uuid>/metadata.yaml` of code blocks, its
`triggers.yaml` schedules) read as no orchestrator; a declarative Jenkins pipeline kept under
another name (`jenkins.pipeline`) not read as CI; the DAG folder a Jenkins pipeline (s3Upload) or
a CI step (`aws s3 sync dags/ s3://...`, `gsutil cp`) copies to the bucket Airflow reads not read
as deploying the pipeline.
Each test fails on the code before the fix; each reads a shape of a stack, not one repository's
files, and the near misses beside them pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, kinds, write

TRAIN_BLOCK = """
    import mlflow
    from sklearn.linear_model import LogisticRegression

    if 'transformer' not in globals():
        from mage_ai.data_preparation.decorators import transformer


    @transformer
    def train(data, *args, **kwargs):
        with mlflow.start_run():
            model = LogisticRegression().fit(data[["x"]], data["y"])
            mlflow.sklearn.log_model(model, "model")
        return model
"""
MAGE_METADATA = """
    blocks:
    - all_upstream_blocks_executed: true
      language: python
      name: load_data
      type: data_loader
      upstream_blocks: []
      uuid: load_data
    - all_upstream_blocks_executed: true
      language: python
      name: train
      type: transformer
      upstream_blocks:
      - load_data
      uuid: train
    name: training_workflow
    type: python
    uuid: training_workflow
"""
MAGE_TRIGGERS = """
    triggers:
    - name: weekly_training
      pipeline_uuid: training_workflow
      schedule_interval: '@weekly'
      schedule_type: time
      status: active
"""


def test_a_mage_pipeline_of_code_blocks_is_orchestrated(tmp_path):
    write(
        tmp_path,
        {
            "ml/transformers/train.py": TRAIN_BLOCK,
            "ml/pipelines/training_workflow/metadata.yaml": MAGE_METADATA,
            "ml/pipelines/training_workflow/triggers.yaml": MAGE_TRIGGERS,
        },
    )
    found = checks(tmp_path)
    assert found["pipelines.train-entrypoint"].outcome is Outcome.PASS
    assert found["pipelines.orchestrated"].outcome is Outcome.PASS
    assert found["pipelines.scheduled"].outcome is Outcome.PASS


def test_a_metadata_file_of_another_shape_is_no_mage_pipeline(tmp_path):
    # near miss: a metadata.yaml listing only markdown blocks, outside a pipeline's own folder
    # uuid, and a trigger that is inactive: no pipeline, no schedule
    notes = MAGE_METADATA.replace("data_loader", "markdown").replace("transformer", "markdown")
    inactive = MAGE_TRIGGERS.replace("status: active", "status: inactive")
    write(
        tmp_path,
        {
            "ml/transformers/train.py": TRAIN_BLOCK,
            "ml/pipelines/training_workflow/metadata.yaml": notes,
            "ml/pipelines/training_workflow/triggers.yaml": inactive,
            "ml/pipelines/other/metadata.yaml": MAGE_METADATA,
        },
    )
    found = checks(tmp_path)
    assert found["pipelines.orchestrated"].outcome is Outcome.FAIL
    assert found["pipelines.scheduled"].outcome is Outcome.FAIL


JENKINS_BUILD = """
    pipeline {
        agent any
        stages {
            stage('Docker Compose Build') {
                steps {
                    sh 'docker-compose build'
                }
            }
        }
    }
"""


def test_a_declarative_jenkins_pipeline_under_another_name_is_ci(tmp_path):
    write(tmp_path, {"ml/transformers/train.py": TRAIN_BLOCK, "jenkins.pipeline": JENKINS_BUILD})
    assert checks(tmp_path)["pipelines.image-build"].outcome is Outcome.PASS


def test_jenkins_notes_holding_no_pipeline_are_no_ci(tmp_path):
    # near miss: a file named for Jenkins whose text is notes quoting a step, not a pipeline
    notes = """
        Jenkins setup: create a job, then in a shell step run
        sh 'docker-compose build'
        and stages { ... } as you like.
    """
    write(tmp_path, {"ml/transformers/train.py": TRAIN_BLOCK, "jenkins.pipeline": notes})
    assert checks(tmp_path)["pipelines.image-build"].outcome is Outcome.FAIL


def test_compose_up_on_a_windows_desk_is_no_deployment(tmp_path):
    # the pipeline starts the services with Docker Desktop in a checkout on a WSL drive mount:
    # the developer's machine, not an environment
    desk = JENKINS_BUILD.replace(
        "sh 'docker-compose build'",
        "dir('/mnt/d/Projects/shop') { sh '\"/mnt/c/Program Files/Docker/Docker/resources/bin/"
        "docker-compose.exe\" up -d' }",
    )
    write(tmp_path, {"jenkins.pipeline": desk})
    assert "ci.step.deploy" not in kinds(tmp_path)


def test_compose_up_on_the_jenkins_host_is_a_deployment(tmp_path):
    # near miss: the same step on the Jenkins server's own host leaves the service running there
    server = JENKINS_BUILD.replace("sh 'docker-compose build'", "sh 'docker compose up -d --build'")
    write(tmp_path, {"Jenkinsfile": server})
    assert "ci.step.deploy" in kinds(tmp_path)


DAG = """
    from datetime import datetime

    from airflow import DAG
    from airflow.operators.bash import BashOperator

    with DAG("churn", schedule_interval="@weekly", start_date=datetime(2024, 1, 1)) as dag:
        BashOperator(task_id="train", bash_command="python train.py")
"""


def _jenkins_upload(folder: str) -> str:
    return f"""
        pipeline {{
            agent any
            stages {{
                stage('Deployment-live') {{
                    steps {{
                        withAWS(region: 'eu-west-1', role: 'deployer') {{
                            s3Upload(bucket: 'live-dag-deployments', workingDir: '{folder}',
                                     includePathPattern: '**/*', path: "churn/")
                        }}
                    }}
                }}
            }}
        }}
    """


def test_jenkins_uploading_the_dag_folder_deploys_the_pipeline(tmp_path):
    write(tmp_path, {"airflow/dags/churn.py": DAG, "Jenkinsfile": _jenkins_upload("airflow/")})
    assert checks(tmp_path)["pipelines.image-build"].outcome is Outcome.PASS


def test_jenkins_uploading_reports_deploys_no_pipeline(tmp_path):
    # near miss: the same step uploads a reports folder, which no orchestrator reads
    write(tmp_path, {"airflow/dags/churn.py": DAG, "Jenkinsfile": _jenkins_upload("reports/")})
    assert checks(tmp_path)["pipelines.image-build"].outcome is Outcome.FAIL


def _sync_workflow(command: str) -> str:
    return f"""
        on: {{push: {{branches: [main]}}}}
        jobs:
          deploy:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - run: {command}
    """


def test_a_ci_step_syncing_the_dags_to_the_bucket_deploys_the_pipeline(tmp_path):
    workflow = _sync_workflow("aws s3 sync dags/ s3://mwaa-bucket/dags/ --delete")
    write(tmp_path, {"dags/churn.py": DAG, ".github/workflows/cd.yml": workflow})
    assert checks(tmp_path)["pipelines.image-build"].outcome is Outcome.PASS


def test_a_ci_step_downloading_the_dags_deploys_no_pipeline(tmp_path):
    # near miss: the step copies from the bucket into the checkout, and another uploads a model
    workflow = _sync_workflow(
        "aws s3 sync s3://mwaa-bucket/dags ./dags && aws s3 cp model.pkl s3://airflow-models/"
    )
    write(tmp_path, {"dags/churn.py": DAG, ".github/workflows/cd.yml": workflow})
    assert checks(tmp_path)["pipelines.image-build"].outcome is Outcome.FAIL


CHECK_PERFORMANCE = """
    import mlflow
    from sklearn.metrics import f1_score


    def check(**kwargs):
        model = mlflow.pyfunc.load_model("models:/btc/Production")
        recent = kwargs["recent"]
        return f1_score(recent["label"], model.predict(recent[["x"]]))


    def monitoring(**kwargs):
        f1_now, f1_prod = kwargs["now"], kwargs["prod"]
        threshold = 0.2
        if (f1_prod - f1_now) / f1_prod > threshold:
            return "trigger_training"
        return "end_task"
"""
MONITOR_DAG = """
    from datetime import datetime

    from airflow import DAG
    from airflow.operators.python import BranchPythonOperator, PythonOperator
    from airflow.operators.trigger_dagrun import TriggerDagRunOperator

    from dags.module.check_performance import check, monitoring

    with DAG("model_monitoring", schedule_interval="0 * * * *", start_date=datetime(2024, 1, 1)):
        score = PythonOperator(task_id="check", python_callable=check)
        branch = BranchPythonOperator(task_id="branch", python_callable=monitoring)
        trigger = TriggerDagRunOperator(task_id="trigger_training", trigger_dag_id="{target}")
        score >> branch >> trigger
"""
TRAINING_DAG = """
    from datetime import datetime

    from airflow import DAG
    from airflow.operators.python import PythonOperator

    from dags.module.training import train

    with DAG("model_training", schedule_interval="0 0 * * *", start_date=datetime(2024, 1, 1)):
        PythonOperator(task_id="train", python_callable=train)
"""
TRAINING = """
    import mlflow
    from sklearn.linear_model import LogisticRegression


    def train():
        with mlflow.start_run():
            model = LogisticRegression().fit([[0], [1]], [0, 1])
            mlflow.sklearn.log_model(model, "model", registered_model_name="btc")
"""
IMAGE_BUILD = """
    on: {push: {branches: [main]}}
    jobs:
      build:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: docker build -t airflow .
"""


def _decay_repo(tmp_path, target):
    return write(
        tmp_path,
        {
            "dags/__init__.py": "",
            "dags/module/__init__.py": "",
            "dags/module/check_performance.py": CHECK_PERFORMANCE,
            "dags/module/training.py": TRAINING,
            "dags/monitoring_pipeline.py": MONITOR_DAG.replace("{target}", target),
            "dags/training_pipeline.py": TRAINING_DAG,
            ".github/workflows/cd.yml": IMAGE_BUILD,
        },
    )


def test_a_dag_checking_decay_that_triggers_the_training_dag(tmp_path):
    found = checks(_decay_repo(tmp_path, "model_training"))
    assert found["pipelines.triggered-retraining"].outcome is Outcome.PASS


def test_a_dag_checking_decay_that_triggers_a_report_dag(tmp_path):
    # near miss: the same check triggers a DAG that does not exist in the project (no training)
    found = checks(_decay_repo(tmp_path, "weekly_report"))
    assert found["pipelines.triggered-retraining"].outcome is Outcome.FAIL


DRIFT = """
    import numpy as np


    def compute_drift(reference, current):
        psi = np.sum((current - reference) * np.log(current / reference))
        return psi
"""
RUN_DRIFT = """
    import sys

    from churn.monitoring.drift import compute_drift

    if __name__ == "__main__":
        sys.exit(2 if compute_drift(1.0, 2.0) > 0.2 else 0)
"""
CRONJOB = """
    apiVersion: batch/v1
    kind: CronJob
    metadata:
      name: drift-auto-retrain
    spec:
      schedule: "5 1 * * *"
      jobTemplate:
        spec:
          template:
            spec:
              restartPolicy: Never
              containers:
                - name: retrain
                  image: churn-ml:1.0
                  command: ["sh", "-c"]
                  args:
                    - |
                      set +e
                      python -m churn.monitoring.{module}
                      if [ "$?" -eq 2 ]; then
                        {then}
                      fi
"""
DVC = """
    stages:
      prepare:
        cmd: python -m churn.prepare
      train:
        cmd: python -m churn.train
"""


def _cron_repo(tmp_path, module, then):
    return write(
        tmp_path,
        {
            "src/churn/__init__.py": "",
            "src/churn/train.py": TRAINING,
            "src/churn/monitoring/__init__.py": "",
            "src/churn/monitoring/drift.py": DRIFT,
            "src/churn/monitoring/run_drift_check.py": RUN_DRIFT,
            "src/churn/monitoring/report.py": "print('report')\n",
            "dvc.yaml": DVC,
            "k8s/cron.yaml": CRONJOB.replace("{module}", module).replace("{then}", then),
            ".github/workflows/cd.yml": IMAGE_BUILD,
        },
    )


def test_a_cronjob_running_the_drift_check_then_the_pipeline(tmp_path):
    found = checks(_cron_repo(tmp_path, "run_drift_check", "dvc repro"))
    assert found["pipelines.triggered-retraining"].outcome is Outcome.PASS


def test_a_cronjob_running_a_report_then_the_pipeline(tmp_path):
    # near miss: the job's first module checks no drift; the pipeline runs on its exit code
    found = checks(_cron_repo(tmp_path, "report", "dvc repro"))
    assert found["pipelines.triggered-retraining"].outcome is Outcome.FAIL


ECR_TF = """
    resource "aws_ecr_repository" "repo" {
      name = "sales-forecast"
    }

    resource "null_resource" "ecr_image" {
      triggers = {
        docker_file = md5(file(var.docker_image_local_path))
      }
      provisioner "local-exec" {
        command = <<EOF
                docker build -t ${aws_ecr_repository.repo.repository_url}:latest .
                docker push ${aws_ecr_repository.repo.repository_url}:latest
            EOF
      }
    }
"""


def _cd(command: str) -> str:
    return f"""
        on: {{push: {{branches: [main]}}}}
        jobs:
          deploy:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - run: {command}
    """


def test_cd_applying_terraform_that_builds_the_image(tmp_path):
    cd = _cd("cd infrastructure && terraform init && terraform apply -auto-approve")
    write(
        tmp_path,
        {"train.py": TRAINING, "infrastructure/ecr.tf": ECR_TF, ".github/workflows/cd.yml": cd},
    )
    assert checks(tmp_path)["pipelines.image-build"].outcome is Outcome.PASS


def test_cd_deploying_otherwise_beside_terraform_that_builds_the_image(tmp_path):
    # near miss: CD deploys with kubectl and only plans the Terraform: nothing applies it
    cd = _cd("terraform plan && kubectl apply -f k8s/")
    write(
        tmp_path,
        {"train.py": TRAINING, "infrastructure/ecr.tf": ECR_TF, ".github/workflows/cd.yml": cd},
    )
    assert checks(tmp_path)["pipelines.image-build"].outcome is Outcome.FAIL

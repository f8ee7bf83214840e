"""Defect classes read from the sixteenth held-out batch's pipelines misses once it joined the
calibration part: an Airflow DAG that only fetches, copies and loads data (storage transfer
operators, a PythonOperator writing a CSV to a database, a scraper) read as the project's
orchestrated training pipeline, so a project training from a plain script reached level 2
through CI building its images; and a CI step running one of the repository's scripts after the
environment variables it gives it (`JOB_NAME_OUTPUT_FILE=... USE_DATA_ASSET=true ./submit.sh`)
not read as running that script, so the Azure ML pipeline the script submits was not run by CD.
Each test fails on the code before the fix; each reads a shape of a stack, not one repository's
files, and the near misses beside them pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

INGEST_DAG = """
    from datetime import datetime

    import pandas as pd
    import sqlalchemy
    from airflow import DAG
    from airflow.operators.python import PythonOperator
    from airflow.providers.google.cloud.transfers.gcs_to_local import (
        GCSToLocalFilesystemOperator,
    )


    def load_to_sql(file_path):
        engine = sqlalchemy.create_engine("postgresql+psycopg2://db/churn")
        pd.read_csv(file_path).to_sql(name="customers", con=engine, if_exists="replace")


    with DAG(dag_id="extract_churn_data", schedule_interval="0 5 * * 1",
             start_date=datetime(2024, 1, 1), catchup=False) as dag:
        download = GCSToLocalFilesystemOperator(
            task_id="download", bucket="raw", object_name="churn.csv", filename="/tmp/churn.csv"
        )
        load = PythonOperator(
            task_id="load_to_sql", python_callable=load_to_sql,
            op_kwargs={"file_path": "/tmp/churn.csv"},
        )
        download >> load
"""
TRAINING_DAG = """
    from datetime import datetime

    import joblib
    import pandas as pd
    from airflow import DAG
    from airflow.operators.python import PythonOperator
    from sklearn.linear_model import LogisticRegression


    def train():
        data = pd.read_csv("/tmp/churn.csv")
        model = LogisticRegression().fit(data.drop(columns=["churn"]), data["churn"])
        joblib.dump(model, "/models/model.pkl")


    with DAG(dag_id="train_churn", schedule_interval="0 5 * * 1",
             start_date=datetime(2024, 1, 1), catchup=False) as dag:
        PythonOperator(task_id="train", python_callable=train)
"""
BASH_DAG = """
    from datetime import datetime

    from airflow import DAG
    from airflow.operators.bash import BashOperator

    with DAG(dag_id="pipeline", schedule_interval="@weekly",
             start_date=datetime(2024, 1, 1), catchup=False) as dag:
        BashOperator(task_id="run", bash_command="python src/train.py")
"""
TRAIN = """
    import joblib
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    if __name__ == "__main__":
        data = pd.read_csv("data/churn.csv")
        model = LogisticRegression().fit(data.drop(columns=["churn"]), data["churn"])
        joblib.dump(model, "models/model.pkl")
"""
BUILD = """
    on:
      push:
        branches: [main]
    jobs:
      build:
        runs-on: ubuntu-latest
        steps:
        - uses: actions/checkout@v4
        - run: docker build -t churn-api .
"""


def test_an_airflow_dag_that_only_moves_data_is_no_training_pipeline(tmp_path):
    write(
        tmp_path,
        {
            "dags/extract.py": INGEST_DAG,
            "src/train.py": TRAIN,
            ".github/workflows/build.yml": BUILD,
        },
    )
    found = checks(tmp_path)
    assert found["pipelines.train-entrypoint"].outcome is Outcome.PASS
    assert found["pipelines.orchestrated"].outcome is Outcome.FAIL
    assert "only fetch, copy and load data" in found["pipelines.orchestrated"].message
    assert found["pipelines.scheduled"].outcome is Outcome.FAIL


def test_an_airflow_dag_whose_task_trains_is_the_training_pipeline(tmp_path):
    write(tmp_path, {"dags/train.py": TRAINING_DAG, ".github/workflows/build.yml": BUILD})
    found = checks(tmp_path)
    assert found["pipelines.orchestrated"].outcome is Outcome.PASS
    assert found["pipelines.scheduled"].outcome is Outcome.PASS


def test_an_airflow_dag_running_a_command_may_train(tmp_path):
    write(tmp_path, {"dags/pipeline.py": BASH_DAG, "src/train.py": TRAIN})
    assert checks(tmp_path)["pipelines.orchestrated"].outcome is Outcome.PASS


AZURE_PIPELINE = """
    $schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json
    type: pipeline
    jobs:
      train_job:
        type: command
        component: azureml:train_component@latest
"""
SUBMIT = """
    #!/usr/bin/env bash
    set -e
    PIPELINE_FILE="${PIPELINE_FILE:-pipelines/train.yml}"
    JOB_NAME="$(az ml job create --file "$PIPELINE_FILE" --query name -o tsv)"
    echo "$JOB_NAME" > "$JOB_NAME_OUTPUT_FILE"
"""


def _submitting_workflow(run: str) -> str:
    return (
        """
    on:
      push:
        branches: [main]
    jobs:
      train:
        runs-on: ubuntu-latest
        steps:
        - uses: actions/checkout@v4
        - name: Submit the Azure ML pipeline
          run: |
"""
        + "\n".join(f"            {line}" for line in run.splitlines())
        + "\n"
    )


def test_a_ci_step_running_a_script_after_the_variables_it_is_given_runs_that_script(tmp_path):
    run = (
        "chmod +x ./scripts/submit.sh\n"
        'JOB_NAME_OUTPUT_FILE="$RUNNER_TEMP/job.txt" \\\n'
        "USE_DATA_ASSET=true \\\n"
        "./scripts/submit.sh"
    )
    write(
        tmp_path,
        {
            "pipelines/train.yml": AZURE_PIPELINE,
            "scripts/submit.sh": SUBMIT,
            ".github/workflows/cd.yml": _submitting_workflow(run),
        },
    )
    found = checks(tmp_path)
    assert found["pipelines.orchestrated"].outcome is Outcome.PASS
    assert found["pipelines.image-build"].outcome is Outcome.PASS


def test_a_script_only_named_as_an_argument_is_not_run(tmp_path):
    run = "chmod +x ./scripts/submit.sh\nls -l ./scripts/submit.sh"
    write(
        tmp_path,
        {
            "pipelines/train.yml": AZURE_PIPELINE,
            "scripts/submit.sh": SUBMIT,
            ".github/workflows/cd.yml": _submitting_workflow(run),
        },
    )
    assert checks(tmp_path)["pipelines.image-build"].outcome is Outcome.FAIL


TRAINING_SERVICE_DAG = """
    from datetime import datetime

    import requests
    from airflow import DAG
    from airflow.operators.python import PythonOperator


    def start_training():
        requests.post("http://trainer:8000/train", json={"dataset": "churn"}, timeout=600)


    with DAG(dag_id="weekly", schedule_interval="@weekly",
             start_date=datetime(2024, 1, 1), catchup=False) as dag:
        PythonOperator(task_id="start", python_callable=start_training)
"""


def test_an_airflow_dag_calling_a_training_service_may_train(tmp_path):
    # near miss: only data libraries, but the request starts training elsewhere
    write(tmp_path, {"dags/weekly.py": TRAINING_SERVICE_DAG, "src/train.py": TRAIN})
    assert checks(tmp_path)["pipelines.orchestrated"].outcome is Outcome.PASS

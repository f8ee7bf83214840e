"""Defect classes read from the calibration part's tracking misses after the eighteenth batch
joined it, fixed as shapes rather than one repository's files.

The run that trains and registers a model recording the version of the data it trained on as a
run parameter (`mlflow.log_param("dataset_version", manifest["dataset_version"])`, also from a
helper the training flow calls into the training run) was read as leaving model versions without
lineage: only tags (`set_tag`, `start_run(tags=...)`, a registration's `tags=`) counted, though a
registered version's source run carries its parameters as much as its tags. Each test fails on
the code before the fix; the near misses beside them pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

TRAIN = """
    import mlflow
    from sklearn.linear_model import LogisticRegression


    def train(X, y, manifest):
        with mlflow.start_run():
            mlflow.log_param("{key}", manifest["{key}"])
            model = LogisticRegression().fit(X, y)
            mlflow.log_metric("accuracy", model.score(X, y))
            mlflow.sklearn.log_model(model, "model", registered_model_name="churn")
"""

APP = """
    import mlflow
    from fastapi import FastAPI

    app = FastAPI()
    model = mlflow.pyfunc.load_model("models:/churn@champion")


    @app.post("/predict")
    def predict(rows: list[dict]):
        return {"predictions": model.predict(rows).tolist()}
"""


def _lineage(tmp_path, key):
    write(tmp_path, {"train.py": TRAIN.replace("{key}", key), "serving/app.py": APP})
    return checks(tmp_path)["tracking.lineage-tags"].outcome


def test_a_training_run_logging_its_dataset_version_gives_versions_lineage(tmp_path):
    assert _lineage(tmp_path, "dataset_version") is Outcome.PASS


def test_a_training_run_logging_a_data_path_records_no_version(tmp_path):
    # near miss: the parameter names where the data is, not which version of it
    assert _lineage(tmp_path, "dataset_path") is Outcome.FAIL


def test_a_dataset_version_written_to_a_file_is_not_on_the_run(tmp_path):
    # near miss: the version goes to a metadata file beside the model, not to the run that
    # logs and registers it
    train = """
        import json

        import mlflow
        from sklearn.linear_model import LogisticRegression


        def train(X, y, manifest):
            with mlflow.start_run():
                model = LogisticRegression().fit(X, y)
                mlflow.sklearn.log_model(model, "model", registered_model_name="churn")
            with open("metadata.json", "w") as handle:
                json.dump({"dataset_version": manifest["dataset_version"]}, handle)
    """
    write(tmp_path, {"train.py": train, "serving/app.py": APP})
    assert checks(tmp_path)["tracking.lineage-tags"].outcome is Outcome.FAIL


# A GitHub Actions or GitLab CI step registering the job's output with a registry's CLI
# (`az ml model create --path azureml://jobs/$JOB/outputs/...`, `gcloud ai models upload`) was
# read as registering nothing: only the other providers' steps (Azure Pipelines, Cloud Build)
# were read for it.
AZURE_TRAIN = """
    import mlflow
    from sklearn.ensemble import RandomForestClassifier


    def main(X, y):
        mlflow.autolog()
        model = RandomForestClassifier().fit(X, y)
        mlflow.sklearn.save_model(model, "outputs/model")
"""

WORKFLOW = """
    on:
      workflow_dispatch:
    jobs:
      train-register:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: az ml job create --file azureml/train.yml --stream
          - name: Register the model
            run: |
              {command} az ml model create --name iris-classifier \\
                --path azureml://jobs/$JOB_NAME/outputs/artifacts/paths/model --type mlflow_model
"""


def _registered(tmp_path, command):
    write(
        tmp_path,
        {
            "src/train.py": AZURE_TRAIN,
            ".github/workflows/train.yml": WORKFLOW.replace("{command}", command),
        },
    )
    return checks(tmp_path)["tracking.registry"].outcome


def test_a_github_step_registering_with_the_azure_ml_cli_registers_the_model(tmp_path):
    assert _registered(tmp_path, "") is Outcome.PASS


def test_a_github_step_printing_the_registration_command_registers_nothing(tmp_path):
    # near miss: the step only prints how to register
    assert _registered(tmp_path, "echo") is Outcome.FAIL

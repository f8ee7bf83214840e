"""Defect classes read from the fifteenth held-out batch's misses once it joined the
calibration part, in deployment: a model loaded only to be measured (its predictions on the
test split go to metrics and plots, its copy to the tracker) read as prediction code, and a CD
step running `mlem deployment run flyio` (MLEM builds the model's server image and runs it) not
read as deploying a served model, and a Dagster Pipes client running assets on EMR Serverless
(a managed job) not read as a managed job environment.
Each test fails on the code before the fix; each reads a shape of a stack, not one repository's
files, and the near misses beside them pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

EVALUATE = """
    import pickle

    import mlflow
    import pandas as pd
    from sklearn.metrics import accuracy_score, roc_auc_score


    def evaluate(model_path, test_path):
        test = pd.read_csv(test_path)
        with open(model_path, "rb") as handle:
            model = pickle.load(handle)
        x, y = test.drop(columns=["target"]), test["target"]
        predictions = model.predict(x)
        probabilities = model.predict_proba(x)[:, 1]
        print(accuracy_score(y, predictions), roc_auc_score(y, probabilities))
        plot_importance(x.columns, model.feature_importances_)


    def register(model_path, x):
        with open(model_path, "rb") as handle:
            model = pickle.load(handle)
        signature = mlflow.models.infer_signature(x, model.predict(x))
        mlflow.sklearn.log_model(sk_model=model, artifact_path="model", signature=signature)
"""

PREDICT = """
    import pickle

    import pandas as pd


    def predict(model_path, batch_path, out_path):
        with open(model_path, "rb") as handle:
            model = pickle.load(handle)
        batch = pd.read_csv(batch_path)
        batch["prediction"] = model.predict(batch)
        batch.to_csv(out_path, index=False)
"""


def test_a_model_loaded_only_to_be_measured_predicts_nothing(tmp_path):
    write(tmp_path, {"src/evaluate.py": EVALUATE})
    assert checks(tmp_path)["deployment.predict-script"].outcome is Outcome.FAIL


def test_a_batch_prediction_script_still_counts(tmp_path):
    # near miss: the loaded model's predictions are written out
    write(tmp_path, {"src/evaluate.py": EVALUATE, "src/predict.py": PREDICT})
    assert checks(tmp_path)["deployment.predict-script"].outcome is Outcome.PASS


def test_predictions_returned_still_count(tmp_path):
    # near miss: scored and returned to the caller, not only measured
    returned = EVALUATE + (
        "\n    def score(model_path, x):\n"
        "        model = pickle.load(open(model_path, 'rb'))\n"
        "        predictions = model.predict(x)\n"
        "        print(accuracy_score(x.y, predictions))\n"
        "        return predictions\n"
    )
    write(tmp_path, {"src/evaluate.py": returned})
    assert checks(tmp_path)["deployment.predict-script"].outcome is Outcome.PASS


PUBLISH = """
    name: publish-model
    on:
      push:
        branches: [main]
    jobs:
      publish-model:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: pip install -r requirements.txt
          - run: dvc pull model/svm
          - name: Deploy model
            run: {command}
"""


def test_an_mlem_deployment_run_in_cd_serves_the_model(tmp_path):
    workflow = PUBLISH.format(command="mlem deployment run flyio svm-app --model model/svm")
    write(tmp_path, {".github/workflows/publish.yaml": workflow})
    result = checks(tmp_path)
    for check in ("predict-script", "training-image", "serving-api", "cd-workflow"):
        assert result[f"deployment.{check}"].outcome is Outcome.PASS, check


def test_mlem_only_installed_or_printed_deploys_nothing(tmp_path):
    # near miss: the tool installed and the command printed, not run
    workflow = PUBLISH.format(
        command="pip install mlem[flyio] && echo 'mlem deployment run flyio svm-app'"
    )
    write(tmp_path, {".github/workflows/publish.yaml": workflow})
    result = checks(tmp_path)
    assert result["deployment.cd-workflow"].outcome is Outcome.FAIL
    assert result["deployment.serving-api"].outcome is Outcome.FAIL


DAGSTER = """
    import dagster as dg
    from {module} import {client}

    from src.defs import score_batch

    defs = dg.Definitions(
        assets=[score_batch],
        resources={{"pipes_client": {client}()}},
    )
"""


def test_a_dagster_pipes_emr_serverless_client_is_a_managed_job(tmp_path):
    write(
        tmp_path,
        {
            "dags/definitions.py": DAGSTER.format(
                module="dagster_aws.pipes", client="PipesEMRServerlessClient"
            )
        },
    )
    assert checks(tmp_path)["deployment.training-image"].outcome is Outcome.PASS


def test_a_dagster_subprocess_client_is_no_managed_job(tmp_path):
    # near miss: Pipes running the code as a local subprocess
    write(
        tmp_path,
        {"dags/definitions.py": DAGSTER.format(module="dagster", client="PipesSubprocessClient")},
    )
    assert checks(tmp_path)["deployment.training-image"].outcome is Outcome.FAIL

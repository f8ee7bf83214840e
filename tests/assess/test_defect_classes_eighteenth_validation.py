"""Defect class read from the calibration part's too-low validation cells (seven repositories
of different stacks: Azure ML v2, a Databricks bundle, W&B, KFP v1, Prefect, SageMaker with
CDK, a compose platform): evaluation code that computes metrics on data that arrives already
split (a pipeline's evaluate step, a test table) and holds them to a bar before the model goes
on was read as no held-out evaluation at all, because no `train_test_split` was in sight - so
the whole dimension stayed at 0 although the rest of level 1 was there. The bars count when
they sit beside the evaluation or above it (the pipeline that runs it), or in a pipeline's
condition step or a config the code reads; a comparison elsewhere (a serving app's `_gate`,
a feature filter in preprocessing) does not. Each test fails on the code before the fix; the
near misses pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

EVALUATE = """
    import joblib
    import pandas as pd
    from sklearn.metrics import accuracy_score, f1_score


    ACCURACY_THRESHOLD = 0.85


    def main():
        model = joblib.load("model.joblib")
        test = pd.read_parquet("data/test.parquet")
        predictions = model.predict(test.drop(columns=["label"]))
        accuracy = accuracy_score(test["label"], predictions)
        f1 = f1_score(test["label"], predictions)
        if accuracy < ACCURACY_THRESHOLD:
            raise SystemExit(f"accuracy {accuracy} is below the bar, not promoting")
        print(f1)


    if __name__ == "__main__":
        main()
"""
TRAIN = """
    import joblib
    import pandas as pd
    from sklearn.linear_model import LogisticRegression


    train = pd.read_parquet("data/train.parquet")
    model = LogisticRegression().fit(train.drop(columns=["label"]), train["label"])
    joblib.dump(model, "model.joblib")
"""
SERVING = """
    from fastapi import FastAPI

    app = FastAPI()
    THRESHOLD = 0.7


    def _gate(score: float) -> bool:
        return score > THRESHOLD


    @app.post("/predict")
    def predict(score: float) -> dict:
        return {"flagged": _gate(score)}
"""
METRICS_ONLY = """
    import joblib
    import pandas as pd
    from sklearn.metrics import accuracy_score


    model = joblib.load("model.joblib")
    test = pd.read_parquet("data/test.parquet")
    print(accuracy_score(test["label"], model.predict(test.drop(columns=["label"]))))
"""


def test_metrics_held_to_a_bar_where_they_are_computed_are_a_held_out_evaluation(tmp_path):
    write(tmp_path, {"src/train.py": TRAIN, "src/evaluate.py": EVALUATE})
    assert checks(tmp_path)["validation.holdout"].outcome is Outcome.PASS


def test_a_bar_in_the_pipeline_above_the_evaluation_counts(tmp_path):
    pipeline = """
        import subprocess

        from evaluation.report import read_accuracy

        subprocess.run(["python", "steps/train.py"], check=True)
        accuracy, baseline_accuracy = read_accuracy()
        if accuracy < baseline_accuracy:
            raise SystemExit("below the bar")
    """
    write(
        tmp_path,
        {
            "pipeline/run.py": pipeline,
            "pipeline/steps/train.py": TRAIN,
            "pipeline/steps/evaluate.py": METRICS_ONLY,
        },
    )
    assert checks(tmp_path)["validation.holdout"].outcome is Outcome.PASS


def test_a_serving_apps_gate_says_nothing_of_evaluation(tmp_path):
    # near miss: the metrics are computed in model/, the only bar is the API's `_gate`
    write(
        tmp_path,
        {"model/train.py": TRAIN, "model/evaluate.py": METRICS_ONLY, "backend/app.py": SERVING},
    )
    assert checks(tmp_path)["validation.quality-gate"].outcome is Outcome.PASS
    assert checks(tmp_path)["validation.holdout"].outcome is Outcome.FAIL


def test_metrics_with_no_bar_and_no_split_are_still_no_held_out_evaluation(tmp_path):
    # near miss: metrics printed, nothing split and nothing held to a bar
    write(tmp_path, {"src/train.py": TRAIN, "src/evaluate.py": METRICS_ONLY})
    assert checks(tmp_path)["validation.holdout"].outcome is Outcome.FAIL


# Second class: a split's score held to a bar (`if test_score < deployment_threshold:` before
# registering) was no quality gate, because "score" alone is also a prediction's score
# (`if score >= threshold:` decides a class). The score of a named split (test_, val_,
# valid_, validation_, eval_, holdout_) is a metric; so are wmape, smape and r_squared.
REGISTER = """
    import mlflow


    def register(run_id: str, test_score: float, deployment_threshold: float) -> None:
        if test_score < deployment_threshold:
            print("below the deployment bar: not registering")
            return
        mlflow.register_model(f"runs:/{run_id}/model", "diabetes")
"""
SCORING = """
    def label(score: float, threshold: float) -> str:
        if score >= threshold:
            return "positive"
        return "negative"
"""


def test_a_splits_score_held_to_a_bar_is_a_quality_gate(tmp_path):
    write(tmp_path, {"src/register.py": REGISTER})
    assert checks(tmp_path)["validation.quality-gate"].outcome is Outcome.PASS


def test_weighted_mape_held_to_a_bar_is_a_quality_gate(tmp_path):
    evaluate = """
        import numpy as np
        from kfp.dsl import component


        @component(base_image="python:3.11")
        def evaluate(y, yhat, wmape_threshold: float = 0.35) -> bool:
            wmape_xgb = float(np.sum(np.abs(y - yhat)) / np.sum(np.abs(y)))
            passed = wmape_xgb <= wmape_threshold
            return passed
    """
    write(tmp_path, {"src/evaluate.py": evaluate})
    assert checks(tmp_path)["validation.quality-gate"].outcome is Outcome.PASS


def test_a_predictions_score_against_a_threshold_is_no_quality_gate(tmp_path):
    # near miss: a prediction's score decides a class, not whether a model is promoted
    write(tmp_path, {"src/predict.py": SCORING})
    assert checks(tmp_path)["validation.quality-gate"].outcome is Outcome.FAIL

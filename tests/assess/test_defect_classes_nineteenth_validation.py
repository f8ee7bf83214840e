"""Defect classes read from the calibration part's too-low validation cells.

First: a decision function that returns a metric held to a number (`return test_acc > 0.9`,
ZenML's deployment trigger, a pipeline's condition) decides whether the model goes on, yet was
no quality gate because only an `if` whose branch registers, deploys or stops counted. Second:
Deepchecks' data-integrity suite run on the training data (directly, or as ZenML's
`deepchecks_data_integrity_check_step`) was read as a drift library only, not as a check of the
input data. Each test fails on the code before the fix; the near misses pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

TRIGGER = """
    from zenml.steps import step


    @step
    def evaluate_deployment(test_acc: float) -> bool:
        \"\"\"Only deploy if the test accuracy is good enough.\"\"\"
        return test_acc > 0.9
"""
LABELLER = """
    def is_positive(churn_probability: float) -> bool:
        return churn_probability > 0.5
"""


def test_a_decision_returning_a_metric_held_to_a_number_is_a_quality_gate(tmp_path):
    write(tmp_path, {"steps/evaluate_deployment.py": TRIGGER})
    result = checks(tmp_path)["validation.quality-gate"]
    assert result.outcome is Outcome.PASS
    assert result.evidence == ["steps/evaluate_deployment.py:7"]


def test_returning_a_probability_held_to_a_number_decides_a_class_not_a_model(tmp_path):
    # near miss: a prediction's probability against a cut-off is no metric of the model
    write(tmp_path, {"src/predict.py": LABELLER})
    assert checks(tmp_path)["validation.quality-gate"].outcome is Outcome.FAIL


ZENML_DEEPCHECKS = """
    from zenml.integrations.deepchecks.steps import (
        DeepchecksDataIntegrityCheckStepParameters,
        deepchecks_data_integrity_check_step,
    )

    validate_data = deepchecks_data_integrity_check_step(
        step_name="validate_data",
        params=DeepchecksDataIntegrityCheckStepParameters(dataset_kwargs={"label": "y"}),
    )
"""
SUITE = """
    import pandas as pd
    from deepchecks.tabular import Dataset
    from deepchecks.tabular.suites import data_integrity

    train = pd.read_csv("data/train.csv")
    result = data_integrity().run(Dataset(train, label="y"))
    if not result.passed():
        raise SystemExit("the training data failed its integrity checks")
"""
MODEL_CHECKS = """
    from deepchecks.tabular import Dataset
    from deepchecks.tabular.checks import ModelInferenceTime


    def test_inference_time(model, train):
        ModelInferenceTime().run(Dataset(train, label="y"), model)
"""


def test_zenmls_deepchecks_data_integrity_step_validates_the_input_data(tmp_path):
    write(tmp_path, {"steps/validate_data.py": ZENML_DEEPCHECKS})
    assert checks(tmp_path)["validation.data-checks"].outcome is Outcome.PASS


def test_deepchecks_data_integrity_suite_validates_the_input_data(tmp_path):
    write(tmp_path, {"src/validate.py": SUITE})
    result = checks(tmp_path)["validation.data-checks"]
    assert result.outcome is Outcome.PASS
    assert "Deepchecks" in result.message


def test_a_deepchecks_model_check_is_no_data_validation(tmp_path):
    # near miss: Deepchecks imported for a model's inference time, not the data's integrity
    write(tmp_path, {"src/checks.py": MODEL_CHECKS})
    assert checks(tmp_path)["validation.data-checks"].outcome is Outcome.FAIL

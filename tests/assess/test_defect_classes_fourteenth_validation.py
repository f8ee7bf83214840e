"""Defect classes read from the fourteenth held-out batch's misses once it joined the
calibration part, in validation: the training data's required columns asserted
(`assert TARGET in df.columns`) not read as a data check, as the same check raising from an
`if` already was; a `validate_*` function that reads no data (an API key, an image tag, a file
that exists) read as a data check; threshold keys that set no bar (an empty one, a count of ROC
thresholds, a near-tie tolerance) read as a quality gate; a model evaluated on the test half's
features and labels (`evaluate(model, X_test, y_test)`) after a split the scanner does not know
not read as held-out evaluation; a bar below which the model is fine-tuned, logged either way,
read as a quality gate (and the config key it reads).
Each test fails on the code before the fix; each reads a shape of a stack, not one repository's
files, and the near misses beside them pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

TRAINING_DATA = """
    import pandas as pd
    from sklearn.model_selection import train_test_split

    TARGET = "default"
    FEATURES = ["age", "income"]


    def load(path):
        df = pd.read_csv(path)
        assert TARGET in df.columns, f"target column {TARGET!r} not found"
        X = df[FEATURES]
        assert TARGET not in X.columns, "target leakage"
        return train_test_split(X, df[TARGET], test_size=0.2, random_state=0)
"""


def test_asserted_required_columns_of_the_training_data_are_a_data_check(tmp_path):
    write(tmp_path, {"src/training/data.py": TRAINING_DATA})
    assert checks(tmp_path)["validation.data-checks"].outcome is Outcome.PASS


def test_asserted_columns_in_a_helper_that_prepares_no_training_data_check_nothing(tmp_path):
    # near miss: a feature helper shared with serving asserts a column; it neither splits the
    # data nor trains, so it checks no training input
    helper = """
        def add_ratio(df):
            assert "income" in df.columns
            df["ratio"] = df["debt"] / df["income"]
            return df
    """
    write(tmp_path, {"src/features/ratio.py": helper})
    assert checks(tmp_path)["validation.data-checks"].outcome is Outcome.FAIL


def test_a_validate_function_that_reads_no_data_checks_no_data(tmp_path):
    # validate_api_key, validate_image_tag, a check that the input file exists: named for
    # validation, reading no frame
    code = """
        import os
        from pathlib import Path


        def validate_api_key(key):
            if key != os.environ["API_KEY"]:
                raise PermissionError("bad key")


        def validate_input_data(path="data/raw/churn.csv"):
            return Path(path).exists() and Path(path).stat().st_size > 0
    """
    write(tmp_path, {"utils/tasks.py": code})
    assert checks(tmp_path)["validation.data-checks"].outcome is Outcome.FAIL


def test_a_validate_function_reading_the_frame_checks_the_data(tmp_path):
    # near miss: the validate function reads the frame's nulls and types
    code = """
        import pandas as pd


        def validate_input_data(df: pd.DataFrame) -> None:
            if df.isnull().any().any():
                raise ValueError("nulls in the input")
            if df.dtypes["age"] != "int64":
                raise TypeError("age must be an integer")
    """
    write(tmp_path, {"utils/tasks.py": code})
    assert checks(tmp_path)["validation.data-checks"].outcome is Outcome.PASS


def test_threshold_keys_that_set_no_bar_are_no_quality_gate(tmp_path):
    # an empty threshold (`endpoint_minimum_roc_auc: {}`), how many thresholds a ROC curve is
    # computed at, how close two candidates' scores count as a tie: no bar a model must meet
    config = """
        training:
          endpoint_minimum_roc_auc: {}
        evaluation:
          near_tie_tolerance: 0.01
          roc_n_thresholds: 100
    """
    write(tmp_path, {"configs/train.yaml": config})
    assert checks(tmp_path)["validation.quality-gate"].outcome is Outcome.FAIL


def test_a_minimum_metric_in_a_config_is_a_quality_gate(tmp_path):
    # near miss: a bar set for the metric
    config = """
        evaluation:
          minimum_roc_auc: 0.8
    """
    write(tmp_path, {"configs/train.yaml": config})
    assert checks(tmp_path)["validation.quality-gate"].outcome is Outcome.PASS


TIME_SPLIT = """
    import pandas as pd
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import average_precision_score


    def _evaluate(model, X, y):
        return average_precision_score(y, model.predict_proba(X)[:, 1])


    def train(df: pd.DataFrame):
        df = df.sort_values("as_of_date")
        cut = int(len(df) * 0.8)
        train_df, test_df = df.iloc[:cut], df.iloc[cut:]
        X_train, y_train = train_df.drop(columns="churn"), train_df["churn"]
        X_test, y_test = test_df.drop(columns="churn"), test_df["churn"]
        model = LogisticRegression().fit(X_train, y_train)
        return model, _evaluate(model, {X}, {y})
"""


def test_a_model_evaluated_on_the_test_halfs_features_and_labels_is_held_out(tmp_path):
    # a time split by hand, then the test half's X and y handed to the evaluation
    write(tmp_path, {"src/train.py": TIME_SPLIT.replace("{X}", "X_test").replace("{y}", "y_test")})
    assert checks(tmp_path)["validation.holdout"].outcome is Outcome.PASS


def test_a_model_evaluated_on_its_training_data_is_not_held_out(tmp_path):
    # near miss: the same code scoring the model on the data it was fitted on
    code = TIME_SPLIT.replace("{X}", "X_train").replace("{y}", "y_train")
    write(tmp_path, {"src/train.py": code})
    assert checks(tmp_path)["validation.holdout"].outcome is Outcome.FAIL


TRAINER = """
    class Trainer:
        def __init__(self, cfg):
            self.cfg = cfg

        def log_model_to_mlflow(self, model, name):
            pass

        def fine_tune(self, model):
            return model

        def run(self, model, X_test, y_test):
            accuracy = model.score(X_test, y_test)
{branch}
"""
EITHER_WAY = """
            if accuracy < self.cfg.accuracy_threshold:
                tuned = self.fine_tune(model)
                self.log_model_to_mlflow(tuned, "churn-tuned")
            else:
                self.log_model_to_mlflow(model, "churn")
"""
ONLY_ABOVE = """
            if accuracy >= self.cfg.accuracy_threshold:
                self.log_model_to_mlflow(model, "churn")
            else:
                raise ValueError("accuracy below the bar: not registered")
"""
CONFIG = """
    model_training:
      # accuracy below which the model is fine-tuned
      accuracy_threshold: 0.85
"""


def test_a_threshold_that_picks_fine_tuning_gates_nothing(tmp_path):
    # the model is logged either way: the bar decides how to train, not whether to promote, and
    # the config key it reads is no quality gate either
    trainer = TRAINER.replace("{branch}", EITHER_WAY)
    write(tmp_path, {"src/train.py": trainer, "config/config.yaml": CONFIG})
    assert checks(tmp_path)["validation.quality-gate"].outcome is Outcome.FAIL


def test_a_threshold_below_which_the_model_is_not_registered_is_a_gate(tmp_path):
    # near miss: below the bar the model is not logged
    trainer = TRAINER.replace("{branch}", ONLY_ABOVE)
    write(tmp_path, {"src/train.py": trainer, "config/config.yaml": CONFIG})
    assert checks(tmp_path)["validation.quality-gate"].outcome is Outcome.PASS

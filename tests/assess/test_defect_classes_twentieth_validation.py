"""Defect classes read from the calibration part's validation cells once the nineteenth batch
joined it.

First: a metric held to a bar the team keeps by name (`MIN_VALID_PR_AUC`, `config.training
.min_auc`), in a decision returning several bars at once, or in a check that raises in a module
that then registers, was no quality gate: only a number, a single comparison returned, or a
raise in the very function that registers counted. Second: a `validate_*` function over records
rather than a frame (rows counted in SQL, a sensor's dict) that holds their values to bounds
validated nothing, because only frame reads (`df.columns`, `isnull`) counted. Third: tests named
for the data counted as data checks even when named for the service's prediction request or for
the split (`test_predict_invalid_data`, `test_divide_data_target_column`), which test serving or
the holdout. Each test fails on the code before the fix; the near misses pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, facts, write

DECISION = """
    import mlflow


    def quality_passed(metrics, config):
        test = metrics["test"]
        training = config.training
        return test["roc_auc"] >= training.min_auc and test["f1"] >= training.min_f1


    def run(metrics, config, run_id):
        if quality_passed(metrics, config):
            mlflow.register_model(f"runs:/{run_id}/model", "income")
"""
NOT_A_BAR = """
    def better(metrics, previous):
        return metrics["roc_auc"] >= previous["roc_auc"] and metrics["f1"] >= previous["f1"]
"""


def test_several_metrics_held_to_bars_kept_in_settings_are_a_quality_gate(tmp_path):
    write(tmp_path, {"train/orchestrator.py": DECISION})
    result = checks(tmp_path)["validation.quality-gate"]
    assert result.outcome is Outcome.PASS
    assert result.evidence == ["train/orchestrator.py:7"]


def test_two_runs_compared_metric_by_metric_hold_nothing_to_a_bar(tmp_path):
    # near miss: a second metric is no bar (a comparison with the previous run is another rule)
    write(tmp_path, {"train/compare.py": NOT_A_BAR})
    assert not [x for x in facts(tmp_path).of("quality.gate")]


RAISING_CHECK = """
    import mlflow
    from pipelines.register_model import register_model_version

    MIN_VALID_PR_AUC = 0.55


    def evaluate_candidate(summary):
        pr_auc_valid = float(summary["pr_auc_valid"])
        if pr_auc_valid < MIN_VALID_PR_AUC:
            raise RuntimeError("candidate rejected")


    def register_candidate(summary):
        return register_model_version(run_id=summary["run_id"], alias="candidate")
"""
RAISING_REPORT = """
    import mlflow

    MIN_VALID_PR_AUC = 0.55


    def report(summary):
        pr_auc_valid = float(summary["pr_auc_valid"])
        if pr_auc_valid < MIN_VALID_PR_AUC:
            raise RuntimeError("below the bar")
        mlflow.log_metric("pr_auc_valid", pr_auc_valid)
"""


def test_a_check_that_raises_in_a_module_that_registers_is_a_quality_gate(tmp_path):
    write(tmp_path, {"src/orchestration/retrain.py": RAISING_CHECK})
    result = checks(tmp_path)["validation.quality-gate"]
    assert result.outcome is Outcome.PASS
    assert result.evidence == ["src/orchestration/retrain.py:9"]


def test_a_check_that_raises_where_nothing_is_registered_gates_nothing(tmp_path):
    # near miss: the same bar in a report that neither registers nor deploys
    write(tmp_path, {"src/report.py": RAISING_REPORT})
    assert checks(tmp_path)["validation.quality-gate"].outcome is Outcome.FAIL


RECORDS = """
    import psycopg2


    def validate_data_quality(run_date):
        conn = psycopg2.connect(host="postgres")
        with conn.cursor() as cur:
            cur.execute("SELECT COUNT(*), COUNT(*) FILTER (WHERE pm2_5 IS NULL) FROM m")
            total, nulls = cur.fetchone()
        null_rate = nulls / total if total > 0 else 0
        if null_rate > 0.3:
            raise ValueError(f"null rate {null_rate:.2%} > 30%")
        return null_rate
"""
CONFIG_CHECK = """
    def validate_config(config):
        if config["epochs"] < 1:
            raise ValueError("epochs must be positive")
        return config
"""


def test_a_validator_holding_records_to_bounds_validates_the_data(tmp_path):
    write(tmp_path, {"dags/daily_pipeline.py": RECORDS})
    result = checks(tmp_path)["validation.data-checks"]
    assert result.outcome is Outcome.PASS
    assert result.evidence == ["dags/daily_pipeline.py:4"]


def test_a_validator_of_the_settings_holding_them_to_bounds_validates_no_data(tmp_path):
    # near miss: the same shape over the run's settings
    write(tmp_path, {"src/config.py": CONFIG_CHECK})
    assert checks(tmp_path)["validation.data-checks"].outcome is Outcome.FAIL


SERVICE_AND_SPLIT_TESTS = """
    def test_predict_invalid_data(test_client):
        response = test_client.post("/predict", json={"fixed_acidity": "invalid"})
        assert response.status_code == 422


    def test_divide_data_target_column():
        X_train, X_test, y_train, y_test = divide(frame)
        assert "quality" not in X_train.columns
"""
DATA_TESTS = """
    def test_missing_columns_are_rejected():
        with pytest.raises(ValueError):
            validate(frame.drop(columns=["age"]))
"""


def test_tests_named_for_the_prediction_request_or_the_split_check_no_input_data(tmp_path):
    write(tmp_path, {"tests/test_api.py": SERVICE_AND_SPLIT_TESTS})
    assert checks(tmp_path)["validation.data-checks"].outcome is Outcome.FAIL


def test_a_test_named_for_the_data_columns_still_checks_the_data(tmp_path):
    # near miss: a test of the data's columns
    write(tmp_path, {"tests/test_data.py": DATA_TESTS})
    assert checks(tmp_path)["validation.data-checks"].outcome is Outcome.PASS

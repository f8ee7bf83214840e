"""Defect class read from the sixteenth batch's validation misses once it joined the calibration
part: a metric bar in a config file (`registry: {min_performance_improvement: 0.02}`) that no
code, script or pipeline definition reads (the only other place the key is written is a config
loader's dict of defaults) read as a quality gate deciding promotion.
Each test fails on the code before the fix; the near misses beside them (the key read by a
subscript, by `.get`, as an attribute, or as an environment variable in any case) pass on
both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

CONFIG = """
    training:
      test_size: 0.2
      cv_folds: 5
    registry:
      auto_promote: false
      min_performance_improvement: 0.02
"""
LOADER = """
    import yaml

    DEFAULTS = {
        "training": {"test_size": 0.2, "cv_folds": 5},
        "registry": {"auto_promote": False, "min_performance_improvement": 0.02},
    }


    def load_config(path="config/config.yaml"):
        with open(path) as handle:
            return {**DEFAULTS, **yaml.safe_load(handle)}
"""


def _gate(tmp_path, code: dict[str, str]) -> Outcome:
    write(tmp_path, {"config/config.yaml": CONFIG, "src/config_loader.py": LOADER, **code})
    return checks(tmp_path)["validation.quality-gate"].outcome


def test_a_config_bar_no_code_reads_is_no_gate(tmp_path):
    assert _gate(tmp_path, {}) is Outcome.FAIL


def test_a_config_bar_only_named_in_a_test_is_no_gate(tmp_path):
    test = (
        "from src.config_loader import load_config\n\n\n"
        "def test_defaults():\n"
        "    assert load_config()['registry']['min_performance_improvement'] == 0.02\n"
    )
    assert _gate(tmp_path, {"tests/test_config.py": test}) is Outcome.FAIL


def test_a_config_bar_read_by_subscript_still_gates(tmp_path):
    # near miss: the promotion code reads the bar
    promote = (
        "from src.config_loader import load_config\n\n\n"
        "def promote(new, old):\n"
        "    bar = load_config()['registry']['min_performance_improvement']\n"
        "    return new - old >= bar\n"
    )
    assert _gate(tmp_path, {"src/promote.py": promote}) is Outcome.PASS


def test_a_config_bar_read_as_an_attribute_still_gates(tmp_path):
    # near miss: Hydra/OmegaConf style `cfg.registry.min_performance_improvement`
    promote = (
        "def promote(cfg, new, old):\n"
        "    return new - old >= cfg.registry.min_performance_improvement\n"
    )
    assert _gate(tmp_path, {"src/promote.py": promote}) is Outcome.PASS


def test_a_config_bar_read_from_the_environment_still_gates(tmp_path):
    # near miss: a CI step exporting the bar under an upper-case name
    workflow = (
        "on: [push]\n"
        "jobs:\n"
        "  promote:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - run: python src/promote.py --bar $MIN_PERFORMANCE_IMPROVEMENT\n"
    )
    assert _gate(tmp_path, {".github/workflows/promote.yml": workflow}) is Outcome.PASS


# a metric held to a number inline before the model is registered (a Flyte task's
# `if model_metrics["r2"] >= 0.95: mlflow.register_model(...)`), read as no quality gate
INLINE = """
    import mlflow


    def validate_model(run_id, rmse, model_metrics):
        if rmse <= model_metrics["rmse"] and model_metrics["r2"] {op} {bar}:
            {action}
            return run_id, True
        return run_id, False
"""
REGISTER = 'mlflow.register_model(f"runs:/{run_id}/model", "diamonds")'


def _inline(tmp_path, op=">=", bar="0.95", action=REGISTER) -> Outcome:
    code = INLINE.format(op=op, bar=bar, action=action)
    write(tmp_path, {"flyte_pipeline/pipeline.py": code})
    return checks(tmp_path)["validation.quality-gate"].outcome


def test_a_metric_held_to_a_number_before_registering_is_a_gate(tmp_path):
    assert _inline(tmp_path) is Outcome.PASS


def test_a_metric_bar_that_stops_a_function_registering_after_it_is_a_gate(tmp_path):
    code = (
        "import mlflow\n\n\n"
        "def register(run_id, accuracy):\n"
        "    if accuracy < 0.8:\n"
        "        raise ValueError('model below the bar')\n"
        "    mlflow.register_model(f'runs:/{run_id}/model', 'churn')\n"
    )
    write(tmp_path, {"src/register.py": code})
    assert checks(tmp_path)["validation.quality-gate"].outcome is Outcome.PASS


def test_a_metric_compared_to_a_number_deciding_nothing_is_no_gate(tmp_path):
    # near miss: the branch only prints
    assert _inline(tmp_path, action='print("good model")') is Outcome.FAIL


def test_a_bar_checked_for_being_set_is_no_gate(tmp_path):
    # near miss: `min_f1 > 0` asks whether a bar was given, it holds no metric to one
    code = (
        "import mlflow\n\n\n"
        "def register(run_id, min_f1):\n"
        "    if min_f1 > 0:\n"
        "        mlflow.register_model(f'runs:/{run_id}/model', 'churn')\n"
    )
    write(tmp_path, {"src/register.py": code})
    assert checks(tmp_path)["validation.quality-gate"].outcome is Outcome.FAIL

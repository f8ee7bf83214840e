"""Defect class read from the validation over-scores of the calibration part (credit-scorecard-
woe-dvc-stages-streamlit): a bar in a config section about the data or the features
(`feature_quality_filter: {MAX_BAD_RATIO_THRESHOLD: 0.95}`) was read as a model's quality gate
because the section's name holds a metric word ("quality"); it filters features, it holds no
model to a metric. A threshold key counts now when it names a metric itself, or when its section
does and the section is not about data or features. The test fails on the code before the fix;
the near misses (an evaluation section's bar, a key naming a metric inside a feature section)
pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

CODE = """
import yaml

params = yaml.safe_load(open("params.yaml"))


def run(frame, score):
    section = params["SECTION"]
    if score < section["KEY"]:
        raise SystemExit("below the bar")
    return frame
"""


def _gate(tmp_path, section: str, key: str) -> Outcome:
    write(
        tmp_path,
        {
            "README.md": "# scorecard\n",
            "params.yaml": f"{section}:\n  {key}: 0.95\nseed: 42\n",
            "src/step.py": CODE.replace("SECTION", section).replace("KEY", key),
        },
    )
    return checks(tmp_path)["validation.quality-gate"].outcome


def test_a_bar_of_a_feature_quality_filter_gates_no_model(tmp_path):
    assert _gate(tmp_path, "feature_quality_filter", "MAX_BAD_RATIO_THRESHOLD") is Outcome.FAIL


def test_a_bar_of_an_evaluation_quality_section_gates_the_model(tmp_path):
    # near miss: the section is the model's quality gate
    assert _gate(tmp_path, "model_quality_gate", "MIN_THRESHOLD") is Outcome.PASS


def test_a_key_naming_a_metric_counts_in_any_section(tmp_path):
    # near miss: the key itself names the metric it holds to a bar
    assert _gate(tmp_path, "feature_quality_filter", "min_auc_threshold") is Outcome.PASS

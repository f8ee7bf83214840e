"""Defect classes read from the eleventh held-out batch's misses once it joined the calibration
part: the too-low ones (the over-scores are in test_defect_classes_eleventh.py). Each test fails
on the code before the fix; the near misses beside them pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

WORKFLOW = """
    on:
      pull_request:
      push:
        branches: [master]
    jobs:
      ci_pipeline:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - name: Run Tests
            run: |
              make {target}
"""
FILES = {
    "pyproject.toml": "[project]\nname = 'nba'\n",
    "src/predict.py": "import joblib\nmodel = joblib.load('model.joblib')\n",
    "tests/test_predict.py": "from src.predict import model\n\n\ndef test_model():\n    assert model\n",
    "Makefile": "ci-test:\n\tuv run pytest\n\nci-build:\n\tdocker build .\n",
}


def test_a_ci_step_running_a_prefixed_make_test_target_runs_the_tests(tmp_path):
    write(tmp_path, {**FILES, ".github/workflows/ci.yml": WORKFLOW.format(target="ci-test")})
    assert checks(tmp_path)["quality.ci-tests"].outcome is Outcome.PASS


def test_a_ci_step_running_a_prefixed_make_build_target_runs_no_tests(tmp_path):
    # near miss: a prefixed target named for something else
    write(tmp_path, {**FILES, ".github/workflows/ci.yml": WORKFLOW.format(target="ci-build")})
    assert checks(tmp_path)["quality.ci-tests"].outcome is Outcome.FAIL

"""Defect class read from a calibration cell (imdb-sentiment-dvc-mlflow-registry-cloud-run,
pipelines 2->0): a dvc.yaml of one training stage that CI reproduces on every push (`dvc
repro`) is the project's pipeline, run by CD; one DVC stage counted as no orchestration at
all. One stage now counts when CI runs the pipeline. The test fails on the code before the
fix; the near miss beside it (the same stage, CI running only the tests) passes on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

DVC = """
    stages:
      train_model:
        cmd: python src/train.py
        deps:
          - src/train.py
          - data/raw/reviews.csv
        outs:
          - models/model.joblib
"""

TRAIN = """
    import joblib
    from sklearn.linear_model import LogisticRegression

    if __name__ == "__main__":
        model = LogisticRegression().fit([[0], [1]], [0, 1])
        joblib.dump(model, "models/model.joblib")
"""


def _workflow(run: str) -> str:
    return f"""
    on: [push, pull_request]
    jobs:
      build_and_test:
        runs-on: ubuntu-latest
        steps:
        - uses: actions/checkout@v4
        - run: pip install -r requirements.txt
        - run: {run}
"""


def _repo(tmp_path, run: str) -> None:
    write(
        tmp_path,
        {
            "dvc.yaml": DVC,
            "src/train.py": TRAIN,
            "tests/test_train.py": "def test_it():\n    assert True\n",
            ".github/workflows/ci.yml": _workflow(run),
        },
    )


def test_one_dvc_stage_that_ci_reproduces_is_an_orchestrated_pipeline(tmp_path):
    _repo(tmp_path, "dvc repro")
    result = checks(tmp_path)
    assert result["pipelines.orchestrated"].outcome is Outcome.PASS
    assert result["pipelines.image-build"].outcome is Outcome.PASS


def test_one_dvc_stage_that_ci_does_not_run_is_no_orchestration(tmp_path):
    _repo(tmp_path, "pytest tests")
    assert checks(tmp_path)["pipelines.orchestrated"].outcome is Outcome.FAIL

"""Defect class read from a calibration cell (weather-mlflow-projects-wandb-hydra, pipelines
1->0): a driver script that runs MLflow Projects one after another (`mlflow.run(os.path.join(
root, "data_ingestion"), "main", ...)`, then pre-processing, training...) chains the steps of
the training pipeline, each in its own environment, as an orchestrator does; nothing read it
as orchestration. A module running two or more different projects is now a `pipeline.def` of
"MLflow Projects". The test fails on the code before the fix; the near miss beside it (one
project run, the other steps commented out, as mlflow-projects-credit-risk labelled 0) passes
on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

STEP = """
    import mlflow
    from sklearn.linear_model import LogisticRegression

    if __name__ == "__main__":
        with mlflow.start_run():
            model = LogisticRegression().fit([[0], [1]], [0, 1])
            mlflow.sklearn.log_model(model, "model")
"""

MLPROJECT = """
    name: step
    entry_points:
      main:
        command: "python run.py"
"""


def _main(calls: str) -> str:
    return (
        """
    import os

    import mlflow

    ROOT = os.path.dirname(__file__)


    def go():
"""
        + calls
        + """

    if __name__ == "__main__":
        go()
"""
    )


def _repo(tmp_path, calls: str) -> None:
    files = {"main.py": _main(calls)}
    for step in ("data_ingestion", "training"):
        files[f"{step}/MLproject"] = MLPROJECT
        files[f"{step}/run.py"] = STEP
    write(tmp_path, files)


def test_a_script_chaining_mlflow_projects_is_an_orchestrated_pipeline(tmp_path):
    calls = (
        '        mlflow.run(os.path.join(ROOT, "data_ingestion"), "main")\n'
        '        mlflow.run(os.path.join(ROOT, "training"), "main", parameters={"C": 1})'
    )
    _repo(tmp_path, calls)
    assert checks(tmp_path)["pipelines.orchestrated"].outcome is Outcome.PASS


def test_a_script_running_one_mlflow_project_orchestrates_nothing(tmp_path):
    calls = (
        '        # mlflow.run(os.path.join(ROOT, "data_ingestion"), "main")\n'
        '        mlflow.run(os.path.join(ROOT, "training"), "main", parameters={"C": 1})'
    )
    _repo(tmp_path, calls)
    assert checks(tmp_path)["pipelines.orchestrated"].outcome is Outcome.FAIL

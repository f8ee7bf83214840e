"""Defect classes read from the fifteenth held-out batch's pipelines misses once it joined the
calibration part: an Azure Pipelines step running `build_train_pipeline.py` of the MLOpsPython
layout read as CI running the pipeline although the repository holds no such script (the step is
a pipeline run only by the name of the script it names).
Each test fails on the code before the fix; each reads a shape of a stack, not one repository's
files, and the near misses beside them pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

BUILD_PIPELINE = """
    from azureml.core import Workspace
    from azureml.pipeline.core import Pipeline
    from azureml.pipeline.steps import PythonScriptStep

    ws = Workspace.from_config()
    train = PythonScriptStep(name="train", script_name="train.py", source_directory="code")
    pipeline = Pipeline(workspace=ws, steps=[train])
    pipeline.publish(name="training")
"""
TRAIN = """
    import joblib
    from sklearn.linear_model import Ridge

    if __name__ == "__main__":
        joblib.dump(Ridge().fit([[1], [2]], [1, 2]), "outputs/model.pkl")
"""
AZDO_CI = """
    trigger:
      branches:
        include:
        - master
    pool:
      vmImage: ubuntu-latest
    steps:
    - script: python -m pytest tests/unit
      displayName: Unit tests
    - bash: |
       python3 $(Build.SourcesDirectory)/ml_service/pipelines/build_train_pipeline.py
      displayName: Train model using AML with Remote Compute
"""


def test_a_ci_step_naming_a_pipeline_script_the_repository_lacks_runs_no_pipeline(tmp_path):
    write(
        tmp_path,
        {
            "ml_service/pipelines/build_pipeline.py": BUILD_PIPELINE,
            "code/train.py": TRAIN,
            ".pipelines/azdo-ci-build-train.yml": AZDO_CI,
        },
    )
    found = checks(tmp_path)
    assert found["pipelines.orchestrated"].outcome is Outcome.PASS
    assert found["pipelines.image-build"].outcome is Outcome.FAIL


def test_a_ci_step_running_the_pipeline_script_it_names_runs_the_pipeline(tmp_path):
    write(
        tmp_path,
        {
            "ml_service/pipelines/build_train_pipeline.py": BUILD_PIPELINE,
            "code/train.py": TRAIN,
            ".pipelines/azdo-ci-build-train.yml": AZDO_CI,
        },
    )
    assert checks(tmp_path)["pipelines.image-build"].outcome is Outcome.PASS

"""Defect class read from a calibration cell the serving-image class would otherwise lose: a CI
step that moves into a folder (`cd pipeline/`, `cd pipeline && ...`) and runs a script there
(`python deploy-train.py`, an Azure ML pipeline submitted by the SDK) was read as running
`deploy-train.py` from the repository's root, which does not hold it, so CD running the
pipeline was not seen. The script is now read from the folder the step moved to.
The test fails on the code before the fix; the near miss beside it passes on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

SUBMIT = """
    from azure.ai.ml import MLClient, load_component
    from azure.ai.ml.dsl import pipeline
    from azure.identity import DefaultAzureCredential

    train = load_component(source="config/train-model.yml")


    @pipeline(name="training_pipeline")
    def build_pipeline(raw_data):
        train(data=raw_data)


    if __name__ == "__main__":
        client = MLClient.from_config(DefaultAzureCredential())
        client.jobs.create_or_update(build_pipeline(raw_data=None))
"""


def _workflow(run: str) -> str:
    return (
        """
    on:
      push:
        branches: [main]
    jobs:
      train:
        runs-on: ubuntu-latest
        steps:
        - uses: actions/checkout@v4
        - name: Run the Azure ML pipeline
          run: |
"""
        + "\n".join(f"            {line}" for line in run.splitlines())
        + "\n"
    )


def test_a_script_run_after_cd_into_its_folder_runs_the_pipeline(tmp_path):
    run = "cd pipeline/\npip install -r requirements.txt\npython deploy-train.py"
    write(
        tmp_path,
        {"pipeline/deploy-train.py": SUBMIT, ".github/workflows/train.yml": _workflow(run)},
    )
    assert checks(tmp_path)["pipelines.image-build"].outcome is Outcome.PASS


def test_a_script_run_after_cd_that_submits_no_pipeline_runs_none(tmp_path):
    # near miss: the script in the folder the step moved to only prints the run's settings
    run = "cd pipeline/\npython deploy-train.py"
    script = "print('training settings checked')\n"
    write(
        tmp_path,
        {"pipeline/deploy-train.py": script, ".github/workflows/train.yml": _workflow(run)},
    )
    assert checks(tmp_path)["pipelines.image-build"].outcome is Outcome.FAIL


def test_a_cd_into_a_variable_folder_reads_scripts_from_the_root(tmp_path):
    # near miss: `cd $(projectRoot)` (the checkout) keeps the script's path from the root
    run = "cd $(projectRoot)\npython pipeline/deploy-train.py"
    write(
        tmp_path,
        {"pipeline/deploy-train.py": SUBMIT, ".github/workflows/train.yml": _workflow(run)},
    )
    assert checks(tmp_path)["pipelines.image-build"].outcome is Outcome.PASS

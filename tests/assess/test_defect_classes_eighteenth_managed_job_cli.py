"""Defect class read from the deployment misses of the seventeenth batch once it joined the
calibration part: CI launching the training as a managed job through the service's CLI (`aws
sagemaker create-training-job` with the built-in algorithm's image, `az ml job create`, `gcloud
ai custom-jobs create`) was not read as training in a managed job environment, so a GitLab
pipeline training on SageMaker and deploying the endpoint stayed at deployment 0.
The tests fail on the code before the fix; the near miss (the same CLI only listing jobs) passes
on both."""

from __future__ import annotations

import pytest

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

GITLAB = """
stages: [train]
train:
  stage: train
  image: python:3.8
  script:
    - COMMAND
"""


def _image(tmp_path, command: str) -> Outcome:
    write(tmp_path, {".gitlab-ci.yml": GITLAB.replace("COMMAND", command)})
    return checks(tmp_path)["deployment.training-image"].outcome


@pytest.mark.parametrize(
    "command",
    [
        "aws sagemaker create-training-job --training-job-name $JOB --algorithm-specification "
        "TrainingImage=$IMAGE,TrainingInputMode=File",
        "az ml job create -f train.yml --stream",
        "gcloud ai custom-jobs create --region=$REGION --display-name=train",
    ],
)
def test_a_managed_job_launched_by_its_cli_runs_in_a_managed_environment(tmp_path, command):
    assert _image(tmp_path, command) is Outcome.PASS


def test_listing_the_services_jobs_runs_nothing(tmp_path):
    # near miss: the CLI asked about jobs, not launching one
    assert _image(tmp_path, "aws sagemaker list-training-jobs --max-results 5") is Outcome.FAIL

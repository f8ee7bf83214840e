"""Defect class read from the calibration part's tracking misses after the eighteenth batch
joined it: CD running a script that registers the pipeline job's output with the Azure ML CLI and
tags the version with that job (`az ml model create --set tags.pipeline_job="$JOB_NAME"`) was
read as leaving versions without lineage: only git, commit, run id and workflow tags counted in
CLI registrations, though a registration in Python naming the pipeline or training job already
did (python_version_lineage). The test fails on the code before the fix; the near miss beside it
(a tag naming the owner) passes on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

WORKFLOW = """
    on:
      push:
        branches: [main]
    jobs:
      register:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: JOB_NAME=$(az ml job create --file pipeline.yml --query name -o tsv)
          - run: ./scripts/model/register-from-job.sh "$JOB_NAME"
"""

SCRIPT = """#!/usr/bin/env bash
set -euo pipefail
JOB_NAME="$1"
az ml model create \\
  --name iris-model \\
  --set path="azureml://jobs/${JOB_NAME}/outputs/trained_model" \\
  --set tags.{tag}="$JOB_NAME"
"""


def _lineage(tmp_path, tag):
    files = {
        ".github/workflows/cd.yml": WORKFLOW,
        "scripts/model/register-from-job.sh": SCRIPT.replace("{tag}", tag),
    }
    write(tmp_path, files)
    return checks(tmp_path)["tracking.lineage-tags"].outcome


def test_a_cli_registration_tagged_with_its_pipeline_job_carries_lineage(tmp_path):
    assert _lineage(tmp_path, "pipeline_job") is Outcome.PASS


def test_a_cli_registration_tagged_with_its_owner_carries_no_lineage(tmp_path):
    # near miss: a tag that says nothing of where the version came from
    assert _lineage(tmp_path, "owner") is Outcome.FAIL

"""Defect class read from the deployment misses of the seventeenth batch once it joined the
calibration part: CD running the project's deployment CLI (`python -m src.deployment.cli deploy
prediction_api`) whose imported module builds the cloud command as a list of words
(`command = ["gcloud", "run", "deploy", name, ...]`) and runs it through a helper
(`_run_command(command)`). Neither the list (not a subprocess call's argument) nor the module
the script imports was read, so the step deployed nothing.
The tests fail on the code before the fix; the near misses (a list of a cloud CLI that reads,
an imported module that only builds images) pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

WORKFLOW = """
name: mlops-pipeline
on:
  push:
    branches: [main]
jobs:
  deploy-api:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Deploy API via deployment CLI
        run: |
          uv run python -m src.deployment.cli deploy prediction_api --tag ${{ github.sha }}
"""
CLI = """
    import argparse

    from src.deployment.gcp import deploy_cloud_run_service


    def main():
        parser = argparse.ArgumentParser()
        parser.add_argument("service")
        args = parser.parse_args()
        deploy_cloud_run_service(args.service)


    if __name__ == "__main__":
        main()
"""
GCP = """
    import subprocess


    def _run_command(command):
        return subprocess.run(command, check=True, text=True)


    def deploy_cloud_run_service(service):
        command = [
            "gcloud",
            "run",
            "VERB",
            service,
            "--region",
            "europe-west1",
        ]
        _run_command(command)
"""


def _cd(tmp_path, verb: str) -> Outcome:
    files = {
        ".github/workflows/main.yml": WORKFLOW,
        "src/__init__.py": "",
        "src/deployment/__init__.py": "",
        "src/deployment/cli.py": CLI,
        "src/deployment/gcp.py": GCP.replace("VERB", verb),
    }
    write(tmp_path, files)
    return checks(tmp_path)["deployment.cd-workflow"].outcome


def test_a_deploy_command_list_of_an_imported_module_deploys(tmp_path):
    assert _cd(tmp_path, "deploy") is Outcome.PASS


def test_a_command_list_that_reads_deploys_nothing(tmp_path):
    # near miss: `gcloud run services describe ...` as a list
    assert _cd(tmp_path, "services describe") is Outcome.FAIL

"""Defect class read from the deployment misses of the seventeenth batch once it joined the
calibration part: a CD step running the project's deploy script that pushes the app to a
Hugging Face Space through the Hub's Python API (`HfApi().upload_folder(...,
repo_type="space")`), which Hugging Face then builds and runs, was not read as deploying (the
same push by `huggingface-cli upload --repo-type space` was).
The test fails on the code before the fix; the near miss (the model pushed to a model
repository of the Hub) passes on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

WORKFLOW = """
name: CD Pipeline
on:
  push:
    tags: ["v*"]
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Deploy
        run: python scripts/deploy.py --space-name ${{ secrets.HF_SPACE }}
"""
DEPLOY = """
    import argparse

    from huggingface_hub import HfApi


    def main():
        parser = argparse.ArgumentParser()
        parser.add_argument("--space-name")
        args = parser.parse_args()
        api = HfApi()
        api.upload_folder(folder_path="src", repo_id=args.space_name, repo_type="KIND")


    if __name__ == "__main__":
        main()
"""


def _cd(tmp_path, kind: str) -> Outcome:
    write(
        tmp_path,
        {".github/workflows/cd.yml": WORKFLOW, "scripts/deploy.py": DEPLOY.replace("KIND", kind)},
    )
    return checks(tmp_path)["deployment.cd-workflow"].outcome


def test_an_app_uploaded_to_a_space_by_the_hub_api_is_deployed(tmp_path):
    assert _cd(tmp_path, "space") is Outcome.PASS


def test_a_model_uploaded_to_the_hub_deploys_nothing(tmp_path):
    # near miss: the model pushed to a model repository
    assert _cd(tmp_path, "model") is Outcome.FAIL

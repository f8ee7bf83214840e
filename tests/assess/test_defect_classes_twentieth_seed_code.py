"""Defect class read from the calibration part's quality and deployment over-scores (a SageMaker
project with its seed code kept under `configs/sagemaker_projects/seed_code/`): the buildspecs of
seed code were read as this repository's CI. A SageMaker project copies each seed folder
(`seed_code/model_build/`) into a repository of its own, and its buildspec runs there: `pytest
tests/` tests the seed's tests, and `python scripts/deployment/deploy_model.py` runs the seed's
script. A buildspec of seed code now reaches only what its seed folder holds: a test step with
no test in the seed tests nothing, and a deploy step naming a script outside the seed deploys
nothing. Each test fails on the code before the fix; the near misses (a seed whose buildspec
runs its own test script, a buildspec of this repository) pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

TEST_BUILDSPEC = """
    version: 0.2
    phases:
      build:
        commands:
          - python -m pytest tests/
"""
DEPLOY_BUILDSPEC = """
    version: 0.2
    phases:
      build:
        commands:
          - python scripts/deployment/deploy_model.py --endpoint-name prod
"""
DEPLOY_SCRIPT = """
    import sagemaker

    def main():
        model = sagemaker.model.Model(image_uri="img", model_data="s3://b/model.tar.gz")
        model.deploy(initial_instance_count=1, instance_type="ml.m5.large")

    if __name__ == "__main__":
        main()
"""
UNIT_TEST = """
    from model import predict

    def test_predict_returns_a_label():
        assert predict([1.0, 2.0]) in (0, 1)
"""
SEED = "configs/sagemaker_projects/seed_code"


def test_a_seed_buildspec_running_pytest_tests_nothing_of_the_repository(tmp_path):
    write(
        tmp_path,
        {
            f"{SEED}/model_build/test-buildspec.yml": TEST_BUILDSPEC,
            "tests/test_model.py": UNIT_TEST,
        },
    )
    assert checks(tmp_path)["quality.ci-tests"].outcome is Outcome.FAIL


def test_a_seed_buildspec_naming_a_script_of_the_repository_deploys_nothing(tmp_path):
    write(
        tmp_path,
        {
            f"{SEED}/model_deploy/prod-buildspec.yml": DEPLOY_BUILDSPEC,
            "scripts/deployment/deploy_model.py": DEPLOY_SCRIPT,
        },
    )
    assert checks(tmp_path)["deployment.cd-workflow"].outcome is Outcome.FAIL


def test_a_seed_buildspec_running_its_own_tests_and_script_counts(tmp_path):
    # near miss: the seed holds the tests and the script its buildspecs run
    write(
        tmp_path,
        {
            "seedcode/deploy/test-buildspec.yml": TEST_BUILDSPEC,
            "seedcode/deploy/tests/test_model.py": UNIT_TEST,
            "seedcode/deploy/buildspec.yml": DEPLOY_BUILDSPEC,
            "seedcode/deploy/scripts/deployment/deploy_model.py": DEPLOY_SCRIPT,
        },
    )
    result = checks(tmp_path)
    assert result["quality.ci-tests"].outcome is Outcome.PASS
    assert result["deployment.cd-workflow"].outcome is Outcome.PASS


def test_a_buildspec_of_the_repository_runs_its_tests_and_scripts(tmp_path):
    # near miss: the same buildspecs outside seed code are this repository's CI
    write(
        tmp_path,
        {
            "build/test-buildspec.yml": TEST_BUILDSPEC,
            "tests/test_model.py": UNIT_TEST,
            "deploy/buildspec.yml": DEPLOY_BUILDSPEC,
            "scripts/deployment/deploy_model.py": DEPLOY_SCRIPT,
        },
    )
    result = checks(tmp_path)
    assert result["quality.ci-tests"].outcome is Outcome.PASS
    assert result["deployment.cd-workflow"].outcome is Outcome.PASS

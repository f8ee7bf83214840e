"""Defect class read from calibration cells dex-anomaly-vertex-terraform and
azure-container-apps-onnx-canary-mlflow (reproducibility 2->0): Terraform variable files per
environment (terraform/envs/dev/terraform.tfvars beside envs/prod/terraform.tfvars,
environments/staging.tfvars beside prod.tfvars) hold the values set per environment, so the
project's parameters live in config; they were seen as environments but not as a config file,
so reproducibility stopped at 0. Two or more environments' tfvars now count as the config file.
The test fails on the code before the fix; the near miss beside it (one lone terraform.tfvars)
passes on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

TFVARS = 'project_id = "acme-{env}"\nregion = "europe-west1"\nmachine_type = "n1-standard-4"\n'


def test_tfvars_per_environment_are_the_config_file(tmp_path):
    write(
        tmp_path,
        {
            "requirements.txt": "scikit-learn\n",
            "terraform/envs/dev/terraform.tfvars": TFVARS.format(env="dev"),
            "terraform/envs/prod/terraform.tfvars": TFVARS.format(env="prod"),
        },
    )
    result = checks(tmp_path)
    assert result["repro.config-file"].outcome is Outcome.PASS
    assert result["repro.environments"].outcome is Outcome.PASS


def test_one_lone_tfvars_is_not_the_config_file(tmp_path):
    write(
        tmp_path,
        {
            "requirements.txt": "scikit-learn\n",
            "terraform/envs/prod/terraform.tfvars": TFVARS.format(env="prod"),
        },
    )
    assert checks(tmp_path)["repro.config-file"].outcome is not Outcome.PASS

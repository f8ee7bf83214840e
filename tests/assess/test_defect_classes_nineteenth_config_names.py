"""Defect class read from the calibration part's too-low reproducibility cells (a Kubeflow v1
pipeline with TorchServe, Argo Workflows with MLflow lineage): a run's parameter file named
`setting.yaml`, or committed as a template to copy (`pipeline_config.example.yaml`), was no
parameter file, because YAML was matched against a short list of exact names. One rule now names
a parameter file in every format (config_names.py); YAML keeps to names of its own or names of
the run, since YAML is also every tool's format: `inference_config.yml` or `services_config.yaml`
configure serving and hosts, not a run. Each test fails on the code before the fix; the near miss
passes on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

SETTINGS = """
    data:
      bucket: mnist
      path: raw/
    train:
      epochs: 10
      learning_rate: 0.001
"""


def test_a_singular_setting_yaml_is_a_parameter_file(tmp_path):
    write(tmp_path, {"kubeflow_pipeline/setting.yaml": SETTINGS})
    result = checks(tmp_path)["repro.config-file"]
    assert result.outcome is Outcome.PASS
    assert result.evidence == ["kubeflow_pipeline/setting.yaml:1"]


def test_a_committed_template_of_the_pipeline_config_is_a_parameter_file(tmp_path):
    write(tmp_path, {"pipeline_config.example.yaml": SETTINGS})
    assert checks(tmp_path)["repro.config-file"].outcome is Outcome.PASS


def test_a_serving_config_named_config_is_no_run_parameter_file(tmp_path):
    # near miss: `*_config.yml` that configures the inference service, not a run
    inference = """
        entryScript: score.py
        runtime: python
        condaFile: environment.yml
    """
    write(tmp_path, {"deployment/inference_config.yml": inference})
    assert checks(tmp_path)["repro.config-file"].outcome is Outcome.FAIL

"""Defect classes read from the calibration part's reproducibility misses.

First, a scanner bug: `dvc.lock` was never read - the walk hands files to the YAML reader by
suffix, and `.lock` is not one - so no repository's pinned data version was seen, and DVC
stages alone (`dvc.yaml`, no lock committed) stood in for it as the data version recorded with
the model. Now the lock is read, and stages without it record nothing. Second, environments
kept as deployment config in two more layouts: Kustomize overlays of one base (`overlays/local`,
`overlays/aws`), and Helm values per environment folder (`overlays/prod/inference-values.yaml`,
Argo CD's layout). Each test fails on the code before the fix; the near misses pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, facts, write

DVC_YAML = """
    stages:
      prepare:
        cmd: python src/prepare.py
        deps: [data/raw]
        outs: [data/prepared]
"""
DVC_LOCK = """
    schema: '2.0'
    stages:
      prepare:
        cmd: python src/prepare.py
        deps:
        - path: data/raw
          md5: 8a870762be40022d5e3f35fb004b9c06.dir
"""


def test_a_committed_dvc_lock_is_read_as_the_data_version(tmp_path):
    write(tmp_path, {"dvc.yaml": DVC_YAML, "dvc.lock": DVC_LOCK})
    assert [x.path for x in facts(tmp_path).of("dvc.lock")] == ["dvc.lock"]
    result = checks(tmp_path)["repro.data-lineage"]
    assert result.outcome is Outcome.PASS
    assert "dvc.lock:1" in result.evidence


def test_dvc_stages_without_a_lock_record_no_data_version(tmp_path):
    # near miss: the stages say how to rebuild, not which data the model was built from
    write(tmp_path, {"dvc.yaml": DVC_YAML})
    assert checks(tmp_path)["repro.data-lineage"].outcome is Outcome.FAIL


KUSTOMIZATION = """
    apiVersion: kustomize.config.k8s.io/v1beta1
    kind: Kustomization
    resources: [../../base]
"""
BASE = """
    apiVersion: kustomize.config.k8s.io/v1beta1
    kind: Kustomization
    resources: [job.yaml]
"""


def test_kustomize_overlays_for_two_places_are_environments(tmp_path):
    write(
        tmp_path,
        {
            "k8s/base/kustomization.yaml": BASE,
            "k8s/overlays/local/kustomization.yaml": KUSTOMIZATION,
            "k8s/overlays/aws/kustomization.yaml": KUSTOMIZATION,
        },
    )
    result = checks(tmp_path)["repro.environments"]
    assert result.outcome is Outcome.PASS
    assert "aws" in result.message and "local" in result.message


def test_kustomize_overlays_for_variants_are_no_environments(tmp_path):
    # near miss: two overlays of one base that are hardware variants, not places
    write(
        tmp_path,
        {
            "k8s/base/kustomization.yaml": BASE,
            "k8s/overlays/gpu/kustomization.yaml": KUSTOMIZATION,
            "k8s/overlays/cpu/kustomization.yaml": KUSTOMIZATION,
        },
    )
    assert checks(tmp_path)["repro.environments"].outcome is Outcome.FAIL


VALUES = """
    image:
      tag: "1.4.0"
    replicas: 2
"""


def test_helm_values_per_environment_folder_are_environments(tmp_path):
    write(
        tmp_path,
        {
            "argocd/overlays/dev/inference-values.yaml": VALUES,
            "argocd/overlays/staging/inference-values.yaml": VALUES,
            "argocd/overlays/prod/inference-values.yaml": VALUES,
        },
    )
    result = checks(tmp_path)["repro.environments"]
    assert result.outcome is Outcome.PASS
    assert "staging" in result.message


def test_helm_values_of_charts_are_no_environments(tmp_path):
    # near miss: one values file per chart, in folders named after the charts
    write(
        tmp_path,
        {
            "helm/mlflow/values.yaml": VALUES,
            "helm/inference/values.yaml": VALUES,
        },
    )
    assert checks(tmp_path)["repro.environments"].outcome is Outcome.FAIL

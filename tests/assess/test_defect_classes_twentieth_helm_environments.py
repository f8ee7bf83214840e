"""Defect class read from the calibration part's too-low deployment cells (twentieth round): Helm
values per environment beside a plain manifest. A chart installed per environment with its own
values (an Argo CD ApplicationSet reading `argocd/overlays/<env>/inference-values.yaml`, or
values-staging.yaml and values-prod.yaml) was read as manifests without environments as soon as
the repository also held one plain workload of another component (an alert forwarder's
Deployment): the per-environment values only counted for a chart with nothing beside it. Values
for two environments or more now set the deployment per environment (deployment_k8s). The test
fails on the code before the fix; the near miss beside it (values for one environment only)
fails on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

FORWARDER = """
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: alertmanager-sns-forwarder
    spec:
      replicas: 1
      template:
        spec:
          containers:
            - name: forwarder
              image: forwarder:1.0
"""
VALUES = """
    replicaCount: {replicas}
    image:
      repository: churn-inference
      tag: latest
"""


def _environments(tmp_path, envs: list[str]) -> Outcome:
    files = {"monitoring/alertmanager-sns-forwarder.yaml": FORWARDER}
    for i, env in enumerate(envs, 1):
        files[f"argocd/overlays/{env}/inference-values.yaml"] = VALUES.replace("{replicas}", str(i))
    write(tmp_path, files)
    return checks(tmp_path)["deployment.k8s-environments"].outcome


def test_helm_values_per_environment_beside_a_plain_manifest(tmp_path):
    assert _environments(tmp_path, ["dev", "staging", "prod"]) is Outcome.PASS


def test_near_miss_helm_values_for_one_environment(tmp_path):
    assert _environments(tmp_path, ["dev"]) is Outcome.FAIL

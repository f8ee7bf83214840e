"""Defect class read from the deployment misses of the seventeenth batch once it joined the
calibration part: Kubernetes manifests kept beside a CD that deploys elsewhere (`docker compose
up -d` on an EC2 host over ssh or SSM) held the service at level 1 for lacking staging and
production overlays, although CD never applies them. When every deploy step is read in the
workflow and none applies manifests, the per-environment check does not apply.
The tests fail on the code before the fix; the near misses (CD applying the same manifests,
on the runner or on a host through ssh-action's `script:`) still require overlays."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

WORKFLOW = """
name: cd
on:
  push:
    branches: [main]
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Deploy to EC2
        uses: appleboy/ssh-action@v1.0.3
        with:
          host: ${{ secrets.HOST }}
          script: |
            cd /opt/app && git pull
            COMMAND
"""
DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: api
          image: ghcr.io/me/api:latest
"""


def _environments(tmp_path, command: str) -> Outcome:
    workflow = WORKFLOW.replace("COMMAND", command)
    write(tmp_path, {".github/workflows/cd.yml": workflow, "k8s/deployment.yaml": DEPLOYMENT})
    return checks(tmp_path)["deployment.k8s-environments"].outcome


def test_manifests_cd_does_not_apply_need_no_overlays(tmp_path):
    assert _environments(tmp_path, "docker compose up -d") is Outcome.NOT_APPLICABLE


def test_manifests_applied_on_the_host_still_need_overlays(tmp_path):
    # near miss: the host applies the manifests (ssh-action's script)
    assert _environments(tmp_path, "kubectl apply -f k8s/") is Outcome.FAIL

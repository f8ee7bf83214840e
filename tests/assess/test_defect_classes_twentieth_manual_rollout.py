"""Defect class read from the calibration part's deployment over-scores (a FastAPI service behind
an nginx canary split on a VPS): a workflow run only by hand (`on: workflow_dispatch` alone),
whose inputs choose to set the canary's share, promote it or roll it back, was read as
progressive delivery with rollback. Each run is a person's decision: nothing shifts traffic on a
release and nothing rolls it back when the canary fails. Shift and rollback count now in a
workflow that runs on its own (a push, a release, another workflow), not in one only dispatched
by hand. The test fails on the code before the fix; the near miss (the same job run on a push to
main) passes on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

SERVE = """
    import joblib
    from fastapi import FastAPI

    app = FastAPI()
    model = joblib.load("model.joblib")

    @app.post("/predict")
    def predict(x: float):
        return {"y": float(model.predict([[x]])[0])}
"""
MANUAL = """
    name: Rollback Canary Traffic
    on:
      workflow_dispatch:
        inputs:
          action:
            type: choice
            options: [rollback, set-canary, promote]
"""
ON_PUSH = """
    name: Release canary
    on:
      push:
        branches: [main]
"""
JOBS = """
    jobs:
      rollout-control:
        runs-on: ubuntu-latest
        environment: production
        steps:
          - name: Execute rollout control remotely
            uses: appleboy/ssh-action@v1.0.3
            with:
              host: ${{ secrets.DEPLOY_HOST }}
              script: |
                docker compose up -d api-canary
                ./rolloutctl set-canary --percent 10
                ./rolloutctl check || ./rolloutctl rollback
"""


def test_a_canary_shifted_and_rolled_back_only_by_hand_is_no_progressive_delivery(tmp_path):
    write(tmp_path, {"api/main.py": SERVE, ".github/workflows/rollout.yml": MANUAL + JOBS})
    assert checks(tmp_path)["deployment.canary"].outcome is Outcome.FAIL


def test_the_same_canary_shift_and_rollback_on_a_push_is_progressive_delivery(tmp_path):
    # near miss: the workflow runs on every push to main, the rollback with it
    write(tmp_path, {"api/main.py": SERVE, ".github/workflows/rollout.yml": ON_PUSH + JOBS})
    assert checks(tmp_path)["deployment.canary"].outcome is Outcome.PASS

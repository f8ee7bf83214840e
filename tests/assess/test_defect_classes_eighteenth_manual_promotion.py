"""Defect class read from the governance misses of the seventeenth batch once it joined the
calibration part: a promotion workflow that only a person starts (`on: workflow_dispatch`,
promoting the registry's candidate to production) was not read as an approval before
production. Each promotion is someone's decision, as a protected environment's reviewer's is.
The test fails on the code before the fix; the near misses (a manual workflow that retrains and
promotes what it trained, a promotion on every push) pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

PROMOTION = """
name: Model promotion
on:
  workflow_dispatch:
    inputs:
      dry_run:
        default: "true"
jobs:
  promotion:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Promote the candidate
        run: python scripts/promote_model.py --to production --dry-run ${{ inputs.dry_run }}
"""
PROMOTE = """
    import wandb


    def main():
        api = wandb.Api()
        api.artifact("team/registry/model:candidate").aliases.append("production")


    if __name__ == "__main__":
        main()
"""


def _approval(tmp_path, workflow: str) -> Outcome:
    write(
        tmp_path,
        {
            ".github/workflows/model-promotion.yml": workflow,
            "scripts/promote_model.py": PROMOTE,
            "train.py": "print('train')\n",
        },
    )
    return checks(tmp_path)["governance.production-approval"].outcome


def test_a_promotion_only_a_person_starts_is_an_approval(tmp_path):
    assert _approval(tmp_path, PROMOTION) is Outcome.PASS


def test_a_manual_retraining_that_promotes_what_it_trained_approves_nothing(tmp_path):
    # near miss: the person starts a retraining; its result is promoted without a decision
    workflow = PROMOTION.replace(
        "      - name: Promote the candidate",
        "      - name: Retrain\n        run: python train.py\n      - name: Promote the candidate",
    )
    assert _approval(tmp_path, workflow) is Outcome.FAIL


def test_a_promotion_on_every_push_approves_nothing(tmp_path):
    # near miss: the same promotion started by any push
    workflow = PROMOTION.replace("on:\n  workflow_dispatch:", "on:\n  push:\n  workflow_dispatch:")
    assert _approval(tmp_path, workflow) is Outcome.FAIL

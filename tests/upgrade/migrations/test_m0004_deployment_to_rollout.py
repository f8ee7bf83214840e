"""2 -> 3: the team's tuned serving Deployment becomes the Rollout; their patches follow it."""

import shutil

import yaml

from scaffolder.state import load_state
from scaffolder.upgrade.apply import UpgradeRequest, upgrade
from scaffolder.upgrade.migrations.m0004_deployment_to_rollout import MIGRATION

from ..helpers import commit, git, new_project

EXTRA_PATCH = """
  # Ours: a feature flag in staging only.
  - target:
      kind: Deployment
      name: churn-serving
    patch: |-
      - op: add
        path: /spec/template/spec/containers/0/env/-
        value:
          name: FEATURE_FLAGS
          value: new-pricing
"""


def tune_level2(repo):
    """Realistic team edits: replicas, resources, an env var, a slower probe, a staging patch,
    and a step in the CD workflow."""
    deployment = repo / "k8s/base/deployment.yaml"
    text = deployment.read_text()
    text = text.replace("  revisionHistoryLimit: 5\n", "  replicas: 3\n  revisionHistoryLimit: 5\n")
    text = text.replace("              cpu: 250m\n              memory: 512Mi",
                        "              cpu: 300m\n              memory: 768Mi")  # fmt: skip
    text = text.replace("            - name: HOME\n              value: /tmp\n",
                        "            - name: HOME\n              value: /tmp\n"
                        "            - name: LOG_LEVEL\n              value: debug\n")  # fmt: skip
    text = text.replace("            failureThreshold: 60", "            failureThreshold: 90")
    deployment.write_text(text)
    staging = repo / "k8s/overlays/staging/kustomization.yaml"
    staging.write_text(staging.read_text() + EXTRA_PATCH)
    cd = repo / ".github/workflows/cd.yml"
    step = "      - name: Test (unit and slower tests)\n        run: make test-all\n"
    text = cd.read_text()
    assert step in text  # the team's step goes after it; fail loudly when the template moves
    cd.write_text(text.replace(
        step, step + "      - name: Our license check\n        run: echo licenses ok\n"
    ))  # fmt: skip
    commit(repo, "team: tune serving")


def test_the_tuned_deployment_becomes_the_rollout_in_a_clean_upgrade(tmp_path):
    repo = new_project(tmp_path, level=2, orchestrator="airflow")
    tune_level2(repo)

    result = upgrade(UpgradeRequest(path=repo, to=3, defaults=True))

    assert not result.conflicts, result.conflicts
    assert "0004-deployment-to-rollout" in load_state(repo).migrations
    assert not (repo / "k8s/base/deployment.yaml").exists()
    rollout = yaml.safe_load((repo / "k8s/base/rollout.yaml").read_text())
    assert (rollout["apiVersion"], rollout["kind"]) == ("argoproj.io/v1alpha1", "Rollout")
    assert rollout["spec"]["replicas"] == 3
    assert "canary" in rollout["spec"]["strategy"] and "rollingUpdate" not in str(rollout)
    (container,) = rollout["spec"]["template"]["spec"]["containers"]
    assert container["resources"]["requests"] == {"cpu": "300m", "memory": "768Mi"}
    assert {"name": "LOG_LEVEL", "value": "debug"} in container["env"]
    assert container["startupProbe"]["failureThreshold"] == 90
    staging = yaml.safe_load((repo / "k8s/overlays/staging/kustomization.yaml").read_text())
    kinds = [p["target"]["kind"] for p in staging["patches"]]
    assert kinds == ["HorizontalPodAutoscaler", "Rollout", "Rollout"], kinds
    assert "FEATURE_FLAGS" in str(staging["patches"][-1])
    base = yaml.safe_load((repo / "k8s/base/kustomization.yaml").read_text())
    assert "rollout.yaml" in base["resources"] and "deployment.yaml" not in base["resources"]
    cd = (repo / ".github/workflows/cd.yml").read_text()
    assert "Our license check" in cd and "governance check --version" in cd
    assert git(repo, "status", "--porcelain") == ""


def test_before_and_after_on_a_tree(tmp_path):
    repo = new_project(tmp_path, level=2, orchestrator="kubeflow")
    tune_level2(repo)
    shutil.rmtree(repo / ".git")
    state = load_state(repo)
    assert not MIGRATION.is_applied(repo, state)
    before = (repo / "k8s/base/deployment.yaml").read_text()
    MIGRATION.apply(repo, state)
    after = (repo / "k8s/base/rollout.yaml").read_text()
    pairs = zip(before.splitlines(), after.splitlines(), strict=True)
    changed = [(a, b) for a, b in pairs if a != b]
    assert changed == [("apiVersion: apps/v1", "apiVersion: argoproj.io/v1alpha1"),
                       ("kind: Deployment", "kind: Rollout")]  # fmt: skip
    assert MIGRATION.is_applied(repo, state)
    MIGRATION.apply(repo, state)  # idempotent
    assert (repo / "k8s/base/rollout.yaml").read_text() == after


def test_a_level2_project_without_serving_changes_needs_it_too_but_a_level3_one_not(tmp_path):
    level2 = new_project(tmp_path / "a", level=2)
    assert not MIGRATION.is_applied(level2, load_state(level2))
    level3 = new_project(tmp_path / "b", level=3)
    assert MIGRATION.is_applied(level3, load_state(level3))

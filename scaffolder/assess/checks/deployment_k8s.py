"""Deployment's per-environment rule for Kubernetes: the manifests a project deploys are set per
environment (kustomize overlays, Helm values per environment, or one set CD applies in two named
environments), or the same release goes everywhere."""

from __future__ import annotations

from scaffolder.assess.checks.base import Verdict, where
from scaffolder.assess.checks.deployment_targets import deployed_elsewhere
from scaffolder.assess.checks.reproducibility import deploy_environments
from scaffolder.assess.models import Facts

WORKLOADS = {"Deployment", "StatefulSet", "Job", "CronJob", "Pod", "DaemonSet", "Rollout"}


def r_k8s_environments(f: Facts) -> Verdict:
    # a Helm chart's templates are set per environment by values at install time
    resources = [
        x
        for x in f.of("k8s.resource")
        if x.detail.get("kind") in WORKLOADS and not x.detail.get("helm")
    ]
    overlays = [
        x for x in f.of("k8s.kustomization") + f.of("k8s.resource") if x.detail.get("overlay")
    ]
    envs = {str(x.detail["overlay"]) for x in overlays}
    if len(envs) >= 2:
        return Verdict(True, where(overlays), f"Kubernetes overlays for {', '.join(sorted(envs))}")
    charted = [
        x
        for x in f.of("k8s.resource")
        if x.detail.get("kind") in WORKLOADS and x.detail.get("helm")
    ]
    helm_envs = {
        str(x.detail.get("env"))
        for x in f.of("config.environment")
        if x.detail.get("via") == "Helm"
    }
    if len(helm_envs) >= 2:
        # Helm values per environment (values-staging.yaml and values-prod.yaml, an Argo CD
        # ApplicationSet's `overlays/<env>/inference-values.yaml`): the chart is installed per
        # environment; plain manifests beside it (an alert forwarder) are other components
        values = [x for x in f.of("config.environment") if x.detail.get("via") == "Helm"]
        return Verdict(
            True, where(values), f"Helm values per environment: {', '.join(sorted(helm_envs))}"
        )
    set_by_cd = [x for x in f.of("ci.step.deploy") if x.detail.get("helm_values")]
    if charted and not (resources or f.of("k8s.kustomization") or set_by_cd):
        # a chart installed with its one values.yaml (no values-staging/values-prod, no values
        # CD gives at install): the same release everywhere, unless CD deploys it to named
        # environments (below)
        resources = charted
    if not resources and not f.of("k8s.kustomization"):
        return Verdict(None, [], "no Kubernetes manifests: per-environment overlays do not apply")
    # one set of manifests that CD applies (kubectl apply, helm upgrade, argo rollouts) in two
    # named environments (GitHub `environment: staging`, then `prod`, each with its cluster and
    # settings): deployed per environment by CD rather than by overlays
    applying = {
        (x.path, x.detail.get("job")) for x in f.of("ci.step.deploy") if x.detail.get("k8s")
    }
    deployed = [x for x in deploy_environments(f) if (x.path, x.detail.get("job")) in applying]
    names = {str(x.detail.get("name")).lower() for x in deployed}
    if len(names) >= 2:
        return Verdict(
            True, where(deployed), f"CD deploys the manifests to {', '.join(sorted(names))}"
        )
    elsewhere = deployed_elsewhere(f)
    if elsewhere:
        return Verdict(
            None,
            where(elsewhere),
            "CD deploys outside Kubernetes (a VM, a managed service): the manifests are not "
            "what it deploys",
        )
    return Verdict(
        False,
        where(resources),
        "Kubernetes manifests without staging and production overlays",
    )

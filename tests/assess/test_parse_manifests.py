from scaffolder.assess.models import Zone
from scaffolder.assess.parse_manifests import manifest_facts
from scaffolder.assess.parse_yaml import load_yaml_documents


def facts(text: str, path: str):
    return manifest_facts(load_yaml_documents(text), path, Zone.SOURCE)


def test_argo_rollout_with_canary_analysis_and_template():
    found = facts(
        """
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: churn}
spec:
  strategy:
    canary:
      steps:
        - setWeight: 10
        - analysis: {templates: [{templateName: error-rate}]}
---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: error-rate}
spec:
  metrics:
    - name: error-rate
      provider: {prometheus: {query: "x"}}
""",
        "k8s/base/rollout.yaml",
    )
    rollout = [f for f in found if f.kind == "argo.rollout"][0]
    assert rollout.detail["canary"] and rollout.detail["analysis"] and rollout.line == 3
    template = [f for f in found if f.kind == "argo.analysis"][0]
    assert template.detail["providers"] == ["prometheus"] and template.line == 13


def test_prometheus_rules_plain_and_as_prometheusrule():
    plain = facts(
        "groups:\n  - name: g\n    rules:\n      - alert: DriftHigh\n        expr: psi > 0.2\n",
        "monitoring/alerts.yml",
    )
    assert [(f.detail["alert"], f.line) for f in plain] == [("DriftHigh", 4)]
    crd = facts(
        "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nspec:\n  groups:\n"
        "    - name: g\n      rules:\n        - alert: Latency\n          expr: x\n",
        "k8s/rules.yaml",
    )
    assert "prometheus.rule" in {f.kind for f in crd}


def test_kustomize_overlays_name_their_environment():
    found = facts("resources: [../../base]\n", "k8s/overlays/staging/kustomization.yaml")
    assert [(f.kind, f.detail["overlay"]) for f in found] == [("k8s.kustomization", "staging")]


def test_precommit_hooks_dvc_stages_and_config_thresholds():
    hooks = facts(
        "repos:\n  - repo: local\n    hooks:\n      - id: ruff\n      - id: detect-private-key\n",
        ".pre-commit-config.yaml",
    )
    assert [f.detail.get("id") for f in hooks if f.kind == "precommit.hook"] == [
        "ruff",
        "detect-private-key",
    ]
    dvc = facts("stages:\n  train:\n    cmd: python train.py\n", "dvc.yaml")
    assert [(f.kind, f.detail["name"], f.line) for f in dvc] == [("dvc.stage", "train", 2)]
    config = facts("quality_gate:\n  thresholds: {roc_auc: 0.7}\n", "config/pipeline.yaml")
    assert config[0].kind == "config.file" and config[0].detail["thresholds"] is True
    envs = facts("db: x\n", "config/staging.yaml")
    assert ("config.environment", "staging") in {(f.kind, f.detail.get("env")) for f in envs}

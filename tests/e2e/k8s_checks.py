"""Checks of rendered Kubernetes manifests that need more than a schema: core kinds with
kubernetes-validate, Argo Rollouts kinds with the JSON Schemas in schemas/ (written by hand for
the fields our templates use, from the Argo Rollouts documentation; unknown fields refused),
and the references between objects that neither can see."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from tests.e2e.conftest import run, tool

SCHEMAS = Path(__file__).parent / "schemas"
ARGO_SCHEMAS = {"Rollout": "argo-rollout.json", "AnalysisTemplate": "argo-analysistemplate.json"}
ARG = re.compile(r"\{\{\s*args\.([A-Za-z0-9_.-]+)\s*\}\}")


def _subset(small: dict, big: dict) -> bool:
    return all(big.get(k) == v for k, v in small.items())


def cross_reference_problems(docs: list[dict]) -> list[str]:
    """Every broken reference between the rendered objects (empty: none)."""
    by_kind: dict[str, dict[str, dict]] = {}
    for doc in docs:
        by_kind.setdefault(doc["kind"], {})[doc["metadata"]["name"]] = doc
    problems = []
    templates = by_kind.get("AnalysisTemplate", {})
    for name, template in templates.items():
        declared = {a["name"] for a in template["spec"].get("args", [])}
        used = set(ARG.findall(yaml.safe_dump(template["spec"]["metrics"], width=10**6)))
        for arg in sorted(used - declared):
            problems.append(f"AnalysisTemplate {name}: {{{{args.{arg}}}}} is not declared")
    for name, rollout in by_kind.get("Rollout", {}).items():
        pod_labels = rollout["spec"]["template"]["metadata"]["labels"]
        if not _subset(rollout["spec"]["selector"]["matchLabels"], pod_labels):
            problems.append(f"Rollout {name}: selector does not match its pod labels")
        canary = rollout["spec"]["strategy"]["canary"]
        for key in ("canaryService", "stableService"):
            if canary.get(key) not in by_kind.get("Service", {}):
                problems.append(f"Rollout {name}: {key} {canary.get(key)} is not a Service here")
        for step in canary.get("steps", []):
            for ref in step.get("analysis", {}).get("templates", []):
                template = templates.get(ref["templateName"])
                if template is None:
                    missing = ref["templateName"]
                    problems.append(f"Rollout {name}: AnalysisTemplate {missing} missing")
                    continue
                given = {a["name"] for a in step["analysis"].get("args", [])}
                for arg in template["spec"].get("args", []):
                    if "value" not in arg and "valueFrom" not in arg and arg["name"] not in given:
                        problems.append(f"Rollout {name}: no value for arg {arg['name']}")
                for arg in sorted(given - {a["name"] for a in template["spec"].get("args", [])}):
                    problems.append(f"Rollout {name}: arg {arg} is not declared by the template")
        for service in by_kind.get("Service", {}).values():
            component = service["spec"]["selector"].get("app.kubernetes.io/component")
            if component in (None, "serving") and not _subset(service["spec"]["selector"],
                                                              pod_labels):  # fmt: skip
                problems.append(f"Service {service['metadata']['name']} selects no pod of {name}")
        for pdb in by_kind.get("PodDisruptionBudget", {}).values():
            if not _subset(pdb["spec"]["selector"]["matchLabels"], pod_labels):
                problems.append(f"PodDisruptionBudget {pdb['metadata']['name']} selects no pod")
        for container in rollout["spec"]["template"]["spec"]["containers"]:
            for source in container.get("envFrom", []):
                ref = source.get("configMapRef")
                if ref and ref["name"] not in by_kind.get("ConfigMap", {}):
                    problems.append(f"Rollout {name}: ConfigMap {ref['name']} missing")
    workloads = [*by_kind.get("Rollout", {}).values(), *by_kind.get("Deployment", {}).values()]
    pods = [w["spec"]["template"]["metadata"]["labels"] for w in workloads]
    for service in by_kind.get("Service", {}).values():
        if not any(_subset(service["spec"]["selector"], labels) for labels in pods):
            problems.append(f"Service {service['metadata']['name']} selects no pod here")
    for policy in by_kind.get("NetworkPolicy", {}).values():
        selector = policy["spec"]["podSelector"].get("matchLabels", {})
        if not any(_subset(selector, labels) for labels in pods):
            problems.append(f"NetworkPolicy {policy['metadata']['name']} selects no pod here")
    for workload in by_kind.get("Deployment", {}).values():
        spec = workload["spec"]
        if not _subset(spec["selector"]["matchLabels"], spec["template"]["metadata"]["labels"]):
            problems.append(f"Deployment {workload['metadata']['name']}: selector misses its pods")
        for container in spec["template"]["spec"]["containers"]:
            for source in container.get("envFrom", []):
                ref = source.get("configMapRef")
                if ref and ref["name"] not in by_kind.get("ConfigMap", {}):
                    problems.append(f"Deployment {workload['metadata']['name']}: ConfigMap "
                                    f"{ref['name']} missing")  # fmt: skip
    for hpa in by_kind.get("HorizontalPodAutoscaler", {}).values():
        target = hpa["spec"]["scaleTargetRef"]
        if target["name"] not in by_kind.get(target["kind"], {}):
            problems.append(f"HPA {hpa['metadata']['name']}: no {target['kind']} {target['name']}")
    return problems


def validate_manifests(rendered: str, venv: Path, tmp: Path, label: str) -> list[dict]:
    """Validate one rendered stream: core kinds, Argo kinds, the Rollout's pod template as a
    Deployment's, and the cross references. Returns the parsed documents."""
    docs = [doc for doc in yaml.safe_load_all(rendered) if doc]
    core = [doc for doc in docs if doc["kind"] not in ARGO_SCHEMAS]
    for doc in docs:
        if doc["kind"] == "Rollout":  # its pod template, checked as a Deployment's would be
            spec = doc["spec"]
            core.append({
                "apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": doc["metadata"]["name"]},
                "spec": {"selector": spec["selector"], "template": spec["template"]},
            })  # fmt: skip
    core_file = tmp / f"{label}-core.yaml"
    core_file.write_text(yaml.safe_dump_all(core))
    run([tool("kubernetes-validate", venv), "--strict", "--quiet", core_file], tmp)
    for kind, schema in ARGO_SCHEMAS.items():
        found = [doc for doc in docs if doc["kind"] == kind]
        assert found, f"{label}: no {kind}"
        for index, doc in enumerate(found):
            path = tmp / f"{label}-{kind}-{index}.yaml"
            path.write_text(yaml.safe_dump(doc))
            run([tool("check-jsonschema", venv), "--schemafile", SCHEMAS / schema, path], tmp)
    problems = cross_reference_problems(docs)
    assert not problems, f"{label}: " + "; ".join(problems)
    return docs

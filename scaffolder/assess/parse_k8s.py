"""Facts from Kubernetes manifests: workloads and their overlays, KServe/Seldon/Ray/Bento
serving resources, Argo Rollouts and AnalysisTemplates, Flagger, ServiceMonitors,
PrometheusRules, Argo CD applications, Argo Workflows and Argo Events sensors."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

from scaffolder.assess.models import Fact, Zone
from scaffolder.assess.parse_infra import ENV_NAMES
from scaffolder.assess.parse_yaml import YMap, line_of

SERVING_KINDS = {
    "InferenceService": "KServe",
    "SeldonDeployment": "Seldon",
    "ServingRuntime": "KServe",
    "RayService": "Ray Serve",
    "BentoDeployment": "BentoML",
}
ARGO_WORKFLOWS = {"Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow"}


def _fact(fact_kind: str, path: str, line: int, zone: Zone, /, **detail) -> Fact:
    return Fact(kind=fact_kind, path=path, line=line, zone=zone, detail=detail)


def _overlay_env(p: PurePosixPath) -> str | None:
    parts = [part.lower() for part in p.parts]
    if "overlays" in parts:
        index = parts.index("overlays")
        if index + 1 < len(parts) - 1:
            return parts[index + 1]
    for part in parts[:-1]:
        if part in ENV_NAMES:
            return part
    return None


# a template value never filled in (`s3://your-bucket/models/x`, `gs://<BUCKET>/model`)
PLACEHOLDER = re.compile(r"//(your|my)[-_]?(bucket|storage|account)|<[^>/]+>|CHANGE_?ME", re.I)


def _placeholder_model(spec: dict) -> bool:
    """A model server whose every model location is a placeholder serves no model."""
    uris = re.findall(r"'storageUri': '([^']*)'", str(spec))
    return bool(uris) and all(PLACEHOLDER.search(u) for u in uris)


def _k8s(doc: YMap, path: str, zone: Zone, p: PurePosixPath) -> list[Fact]:
    kind = str(doc.get("kind"))
    meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    name = str(meta.get("name", ""))
    spec = doc.get("spec") if isinstance(doc.get("spec"), dict) else {}
    line = doc.line_of("kind")
    facts = [
        _fact(
            "k8s.resource",
            path,
            line,
            zone,
            kind=kind,
            name=name,
            api=str(doc.get("apiVersion")),
            overlay=_overlay_env(p) or "",
            helm="templates" in p.parts[:-1],
        )
    ]
    if kind == "Kustomization":
        facts.append(_fact("k8s.kustomization", path, line, zone, overlay=_overlay_env(p) or ""))
    elif kind == "Config" and str(doc.get("apiVersion")).startswith("skaffold/"):
        facts.extend(_skaffold_profiles(doc, path, zone))
    elif kind in SERVING_KINDS and not _placeholder_model(spec):
        facts.append(_fact("serving.app", path, line, zone, tool=SERVING_KINDS[kind]))
    elif (
        kind == "Model"
        and str(doc.get("apiVersion")).startswith("mlops.seldon.io/")
        and spec.get("storageUri")
        and not _placeholder_model(spec)
    ):
        # Seldon Core v2: a Model loaded from its storage URI onto a Server, served over HTTP
        facts.append(_fact("serving.app", path, line, zone, tool="Seldon Core v2"))
    elif kind == "Canary" and "flagger" in str(doc.get("apiVersion")) and "analysis" in spec:
        facts.append(_fact("deploy.progressive", path, line, zone, tool="Flagger"))
    elif kind in ("ServiceMonitor", "PodMonitor"):
        facts.append(_fact("metrics.scrape", path, line, zone, tool="Prometheus Operator"))
    elif kind == "Rollout":
        strategy = spec.get("strategy") if isinstance(spec.get("strategy"), dict) else {}
        canary = strategy.get("canary") if isinstance(strategy.get("canary"), dict) else None
        analysis = False
        if canary is not None:
            analysis = "analysis" in canary or any(
                isinstance(step, dict) and "analysis" in step for step in canary.get("steps") or []
            )
        facts.append(
            _fact(
                "argo.rollout",
                path,
                line,
                zone,
                name=name,
                canary=canary is not None,
                bluegreen="blueGreen" in strategy,
                analysis=analysis,
            )
        )
    elif kind in ("AnalysisTemplate", "ClusterAnalysisTemplate"):
        providers = [
            str(k)
            for m in spec.get("metrics") or []
            if isinstance(m, dict)
            for k in (m.get("provider") or {})
        ]
        facts.append(_fact("argo.analysis", path, line, zone, name=name, providers=providers))
    elif kind == "PrometheusRule":
        facts.extend(_prom_groups(spec.get("groups") or [], path, zone))
    elif kind == "Application" and "argoproj.io" in str(doc.get("apiVersion")):
        facts.extend(_argo_application(doc, spec, name, path, line, zone))
    elif kind == "CronJob":
        facts.append(_fact("pipeline.schedule", path, line, zone, via=kind, **_cron_runs(spec)))
    elif kind in ("CronWorkflow", "ScheduledWorkflow"):
        facts.append(_fact("pipeline.schedule", path, line, zone, via=kind))
    elif (
        kind == "Sensor"
        and "argoproj.io" in str(doc.get("apiVersion"))
        and "Workflow" in _as_words(spec.get("triggers"))
    ):  # Argo Events starts a workflow on an event (new data, a webhook, a schedule)
        facts.append(_fact("pipeline.schedule", path, line, zone, via="Argo Events"))
    if kind in ARGO_WORKFLOWS and "argoproj.io" in str(doc.get("apiVersion")):
        facts.extend(_argo_workflow(spec, kind, path, line, zone))
    return facts


def _cron_runs(spec: dict) -> dict[str, Any]:
    """What a CronJob's containers run: the project's modules and scripts (`python -m
    pkg.monitoring.run_drift_check`), and whether the same script runs the training pipeline
    (`dvc repro`, a pipeline run) — a scheduled check that retrains on its result."""
    from scaffolder.assess.parse_ci import STEP_KINDS, scripts_run

    containers: Any = spec
    for key in ("jobTemplate", "spec", "template", "spec", "containers"):
        containers = containers.get(key) if isinstance(containers, dict) else None
    if not isinstance(containers, list):
        return {}
    text = "\n".join(
        "\n".join(str(a) for a in (c.get("command") or []) + (c.get("args") or []))
        for c in containers
        if isinstance(c, dict)
        and isinstance(c.get("command") or [], list)
        and isinstance(c.get("args") or [], list)
    )
    if not text:
        return {}
    runs = [r.get("module") or r.get("script") for r in scripts_run(text)]
    return {"runs": runs, "pipeline": bool(STEP_KINDS["pipeline_deploy"].search(text))}


def _as_words(value: Any, depth: int = 0) -> str:
    if depth > 12:
        return ""
    if isinstance(value, dict):
        return " ".join(f"{k} {_as_words(v, depth + 1)}" for k, v in value.items())
    if isinstance(value, list):
        return " ".join(_as_words(v, depth + 1) for v in value)
    return str(value)


def _argo_workflow(spec: dict, kind: str, path: str, line: int, zone: Zone) -> list[Fact]:
    """An Argo Workflow (or template): a pipeline when a template chains steps (`dag`/`steps`)
    of templates that run containers; those steps run in containers either way."""
    spec = spec.get("workflowSpec", spec) if kind == "CronWorkflow" else spec
    templates = [t for t in spec.get("templates") or [] if isinstance(t, dict)]
    runs = [t for t in templates if "container" in t or "script" in t or "containerSet" in t]
    chained = any("dag" in t or "steps" in t for t in templates)
    facts = []
    if runs:
        facts.append(_fact("runtime.managed", path, line, zone, tool="Argo Workflows"))
    if runs and chained:
        facts.append(_fact("pipeline.def", path, line, zone, tool="Argo Workflows", via=kind))
    return facts


def _prom_groups(groups: list[Any], path: str, zone: Zone) -> list[Fact]:
    facts = []
    for group in groups:
        if not isinstance(group, dict):
            continue
        rules = group.get("rules") or []
        if not isinstance(rules, list):
            continue
        for rule, line in zip(
            rules, getattr(rules, "item_lines", [line_of(rules)] * len(rules)), strict=False
        ):
            if isinstance(rule, dict) and ("alert" in rule or "record" in rule):
                facts.append(
                    _fact(
                        "prometheus.rule",
                        path,
                        line,
                        zone,
                        alert=str(rule.get("alert") or ""),
                        record=str(rule.get("record") or ""),
                        expr=str(rule.get("expr") or ""),
                    )
                )
    return facts


def _argo_application(
    doc: YMap, spec: dict, name: str, path: str, line: int, zone: Zone
) -> list[Fact]:
    """An Argo CD Application: GitOps deployment of one environment (named by the application,
    its destination namespace or its source path); automated sync deploys on every merge."""
    source = spec.get("source") if isinstance(spec.get("source"), dict) else {}
    destination = spec.get("destination") if isinstance(spec.get("destination"), dict) else {}
    words = " ".join(
        str(x) for x in (name, destination.get("namespace", ""), source.get("path", ""), path)
    )
    tokens = re.split(r"[^a-z]+", words.lower())
    env = next((t for t in tokens if t in ENV_NAMES and t != "test"), None)
    facts = []
    if env:
        facts.append(_fact("config.environment", path, line, zone, env=env, via="Argo CD"))
    policy = spec.get("syncPolicy") if isinstance(spec.get("syncPolicy"), dict) else {}
    if "automated" in policy:
        facts.append(_fact("ci.step.deploy", path, line, zone, job=name, tool="Argo CD"))
    return facts


def _skaffold_profiles(doc: YMap, path: str, zone: Zone) -> list[Fact]:
    """Skaffold profiles named for environments (`staging`, `production`, each deploying the
    manifests to its namespace, as Cloud Deploy targets render them): the manifests as set per
    environment, as kustomize overlays are."""
    profiles = doc.get("profiles") if isinstance(doc.get("profiles"), list) else []
    lines = getattr(profiles, "item_lines", [])
    facts = []
    for profile, line in zip(profiles, lines or [doc.line] * len(profiles), strict=False):
        env = str(profile.get("name", "")).lower() if isinstance(profile, dict) else ""
        if env in ENV_NAMES and ("manifests" in profile or "deploy" in profile):
            facts.append(_fact("k8s.kustomization", path, line, zone, overlay=env, via="Skaffold"))
    return facts


_TOP_KIND = re.compile(r"^kind:\s*['\"]?([A-Za-z]+)['\"]?\s*$", re.M)
_TOP_API = re.compile(r"^apiVersion:\s*['\"]?([\w./-]+)['\"]?\s*$", re.M)


def template_resources(text: str, path: str, zone: Zone) -> list[Fact]:
    """The resources a Helm chart's template declares when it is no YAML until rendered
    (`{{ .Values.model.version | quote }}`): each document's top-level `apiVersion:` and
    `kind:` are literal, so the chart's Deployment is known, though its spec is not."""
    p = PurePosixPath(path)
    if "templates" not in p.parts[:-1]:
        return []
    facts = []
    offset = 0
    for chunk in re.split(r"(?m)^---[^\n]*$", text):
        kind, api = _TOP_KIND.search(chunk), _TOP_API.search(chunk)
        if kind and api:
            line = offset + chunk.count("\n", 0, kind.start()) + 1
            facts.append(
                _fact(
                    "k8s.resource",
                    path,
                    line,
                    zone,
                    kind=kind.group(1),
                    name="",
                    api=api.group(1),
                    overlay="",
                    helm=True,
                )
            )
        offset += chunk.count("\n")
    return facts

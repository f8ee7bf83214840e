"""Azure ML, v1 (azureml-core) and v2 (azure-ai-ml): the calls `detect_python` reads (tracking
contexts, registrations, look-ups, web services, managed jobs, model monitors), and the YAML
shapes beyond jobs and endpoints (those are in `parse_infra`): a v1 web service deployment
config (`computeType: AKS` / `ACI`, the file `az ml model deploy --deploy-config-file` reads),
a v2 model monitor (`create_monitor:` of a schedule: drift and data-quality signals on a
deployment, named or Azure ML's out-of-box ones) and a v2 online deployment sending its
telemetry to Application Insights (`app_insights_enabled: true`)."""

from __future__ import annotations

from typing import Any

from scaffolder.assess.models import Fact, Zone

# qualified call (exact or suffix after a dot) -> (kind, tool), merged into detect_python.CALLS
CALLS: list[tuple[str, str, str]] = [
    ("Run.get_context", "track.run", "Azure ML"),
    ("Experiment.submit", "track.run", "Azure ML"),
    ("Model.register", "registry.model", "Azure ML"),
    ("models.create_or_update", "registry.model", "Azure ML"),
    # Azure ML v2: a model version fetched from a workspace's or a registry's models
    ("MLClient.models.get", "registry.resolve", "Azure ML"),
    # the same on the client of the workspace named in config.json (`MLClient.from_config()`)
    ("MLClient.from_config.models.get", "registry.resolve", "Azure ML"),
    ("Model.get_model_path", "registry.resolve", "Azure ML"),
    # Azure ML v1 `Model(workspace, name=..., tags=[...])` fetches a registered model version
    ("azureml.core.Model", "registry.resolve", "Azure ML"),
    ("azureml.core.model.Model", "registry.resolve", "Azure ML"),
    # Azure ML v1 scoring images built with registered models (deployed, or not, elsewhere)
    ("azureml.core.image.Image.create", "image.model_package", "Azure ML"),
    ("azureml.core.Image.create", "image.model_package", "Azure ML"),
    ("azureml.core.model.Model.package", "image.model_package", "Azure ML"),
    ("azureml.core.Model.package", "image.model_package", "Azure ML"),
    ("azureml.pipeline.core.Pipeline", "track.run", "Azure ML"),
    ("azureml.pipeline.core.Schedule.create", "pipeline.schedule", "Azure ML"),
    ("JobSchedule", "pipeline.schedule", "Azure ML"),
    ("AciWebservice.deploy_configuration", "serving.app", "Azure ML"),
    ("AksWebservice.deploy_configuration", "serving.app", "Azure ML"),
    ("azureml.core.ScriptRunConfig", "runtime.managed", "Azure ML"),
    ("azureml.pipeline.steps.PythonScriptStep", "runtime.managed", "Azure ML"),
    ("azureml.core.Environment", "runtime.managed", "Azure ML"),
    ("azure.ai.ml.command", "runtime.managed", "Azure ML"),
    # v2 model monitors defined with the SDK: signals on a deployment's inputs and outputs
    ("azure.ai.ml.entities.MonitorDefinition", "drift.monitor", "Azure ML model monitor"),
    ("azure.ai.ml.entities.MonitorDefinition", "serving.monitor", "Azure ML model monitor"),
    ("azure.ai.ml.entities.DataDriftSignal", "drift.monitor", "Azure ML model monitor"),
]

V1_COMPUTE = {"aks": "Azure ML AKS web service", "aci": "Azure ML ACI web service"}


def _fact(kind: str, path: str, line: int, zone: Zone, **detail) -> Fact:
    return Fact(kind=kind, path=path, line=line, zone=zone, detail=detail)


def azureml_facts(doc: Any, path: str, zone: Zone) -> list[Fact]:
    facts: list[Fact] = []
    compute = str(doc.get("computeType", "")).lower()
    if compute in V1_COMPUTE:
        # the service runs the scoring script in a container Azure ML builds and hosts
        line = doc.line_of("computeType")
        facts.append(_fact("runtime.managed", path, line, zone, tool=V1_COMPUTE[compute]))
    monitor = doc.get("create_monitor")
    if isinstance(monitor, dict):
        line = doc.line_of("create_monitor")
        signals = monitor.get("monitoring_signals")
        types = (
            {str(s.get("type", "")).lower() for s in signals.values() if isinstance(s, dict)}
            if isinstance(signals, dict)
            else set()
        )
        tool = "Azure ML model monitor"
        if any("drift" in t for t in types):
            facts.append(_fact("drift.monitor", path, line, zone, tool=tool))
        target = monitor.get("monitoring_target")
        # signals computed on what the deployment received and answered; a monitor of a
        # deployment that names no signals gets Azure ML's out-of-box ones (data drift,
        # prediction drift, data quality) on the inputs and outputs the deployment collects
        out_of_box = signals is None
        deployment = isinstance(target, dict) and target.get("endpoint_deployment_id")
        if (types or out_of_box) and deployment:
            facts.append(_fact("serving.monitor", path, line, zone, tool=tool))
    if str(doc.get("app_insights_enabled", "")).lower() == "true" and doc.get("endpoint_name"):
        # Azure ML v2 online deployment (`app_insights_enabled: true`, v1's appInsightsEnabled):
        # the endpoint's requests, latency and failures go to Application Insights
        line = doc.line_of("app_insights_enabled")
        facts.append(_fact("serving.monitor", path, line, zone, tool="Application Insights"))
    return facts

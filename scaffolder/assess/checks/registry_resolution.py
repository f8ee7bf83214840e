"""Where what is served or scored takes its model from the registry, beyond a serving app's
own MLflow load (checks/tracking.py): scoring roots reaching a registry look-up, and the
look-ups that resolve nothing deployed (a Vertex parent-model look-up before an upload, Azure
ML scoring scripts nothing deploys)."""

from __future__ import annotations

import re

from scaffolder.assess.checks.base import of, predicting_loads, reachable
from scaffolder.assess.models import Facts

INFERENCE_PATH = re.compile(r"infer|predict|scor(e|ing)|serv", re.I)


def inference_resolves_a_registry_version(f: Facts, apps: set[str]) -> list:
    """What serves or scores predictions (a serving app, a scoring pipeline) and the project
    modules it imports resolve a registry version: a `models:/NAME/{version}` URI together with
    a registry look-up (`get_model_version_by_alias`, `get_latest_versions`,
    `search_model_versions`), however the model is then read (a loader chosen at run time,
    `download_artifacts` and ONNX Runtime, a flavour's `load_model`) where it loads a model. A
    look-up or URI only in training or promotion code, which nothing serving imports, does not
    count; nor a look-up in a service that loads no model.

    A batch inference notebook or script a scheduled job runs (a Databricks job's
    `notebook_path`) counts as a scoring pipeline: one building the registry URI of the stage
    its environment serves and handing it to the project's predict function, which loads it
    with MLflow (`mlflow.pyfunc.spark_udf(spark, model_uri)`), scores what the registry holds."""
    scoring = {x.path for x in of(f, "pipeline.def") if x.detail.get("scores")}
    scoring |= {
        str(x.detail.get("runs"))
        for x in of(f, "job.task")
        if INFERENCE_PATH.search(str(x.detail.get("runs")))
    }
    roots = apps | scoring
    if not roots:
        return []
    side = reachable(f, roots)
    uris = [
        x
        for x in f.of("mlflow.model_uri")
        if x.path in side and re.search(r"models:/.", str(x.detail.get("uri")))
    ]
    lookups = [x for x in f.of("mlflow.alias_lookup") if x.path in side]
    loads = [x for x in predicting_loads(f) if x.path in side]
    by_mlflow = [x for x in loads if str(x.detail.get("via", "")).startswith("mlflow")]
    jobs = [x for x in uris if x.path in scoring]
    if uris and lookups and loads:
        return uris[:1] + lookups[:1] + loads[:1]
    return jobs[:1] + by_mlflow[:1] if jobs and by_mlflow else []


def vertex_parent_lookups(f: Facts) -> list:
    """`aiplatform.Model.list(filter=...)` in the component that uploads the model finds the
    parent model to add a version under (`Model.upload(parent_model=...)`): registration, not a
    look-up of what is deployed, unless that component deploys too."""
    uploads = {
        x.path
        for x in of(f, "registry.model")
        if x.detail.get("tool") == "Vertex AI" and x.detail.get("call") == "upload"
    }
    deploys = {x.path for x in of(f, "serving.app")}
    return [
        x
        for x in of(f, "registry.resolve")
        if x.detail.get("tool") == "Vertex AI"
        and x.detail.get("call") == "list"
        and x.path in uploads - deploys
    ]


AZURE_SCORING_SCRIPT = "Azure ML scoring script"


def undeployed_azure_resolves(f: Facts) -> list:
    """Azure ML look-ups of a registered version that nothing serves: with no deployment in
    the project (no web service or endpoint deployed, no CD deploy step), an Azure ML scoring
    script's `Model.get_model_path` and a helper building a scoring image of
    `Model(ws, name, version)` (`Image.create`, `Model.package`) name a version no service
    runs. Batch inference downloading the registered version still serves it."""
    scripts = {x.path for x in of(f, "serving.app") if x.detail.get("tool") == AZURE_SCORING_SCRIPT}
    deployed = [x for x in of(f, "serving.app") if x.path not in scripts] + of(
        f, "ci.step.deploy", "ci.step.from_registry"
    )
    if deployed:
        return []
    idle = scripts | {x.path for x in of(f, "image.model_package")}
    return [
        x
        for x in of(f, "registry.resolve")
        if x.detail.get("tool") == "Azure ML" and x.path in idle
    ]


def configured_registry_uris(f: Facts, apps: set[str]) -> list:
    """A serving app that loads with MLflow the URI its settings give it (`mlflow.pyfunc.
    load_model(config["mlflow"]["model_uri"])`), where the project's settings name a
    registry alias or stage (`model_uri: models:/churn@champion` per environment, a
    `MODEL_URI=models:/churn/Production` env file): the service serves what the registry
    marks. A URI literal in the app is read where it is written (checks/tracking.py); a
    settings URI with no app loading a configured URI serves nothing."""
    configured = [
        x
        for x in f.of("config.model_uri")
        if re.search(r"@|models:/[^/]+/[A-Za-z]", str(x.detail.get("uri")))
    ]
    if not configured or not apps:
        return []
    loads = _mlflow_loads_of_a_given_uri(f, apps)
    return configured[:1] + loads[:1] if loads else []


def _mlflow_loads_of_a_given_uri(f: Facts, apps: set[str]) -> list:
    """Loads with MLflow, on the serving apps' side, of a URI or folder the app is given (a
    variable, not a literal: a literal is read where it is written)."""
    side = reachable(f, apps)
    return [
        x
        for x in predicting_loads(f)
        if x.path in side
        and str(x.detail.get("via", "")).startswith("mlflow")
        and not x.detail.get("uri")
    ]


def scoring_entrypoints_resolving_a_version(f: Facts) -> list:
    """A job's entry script that trains and registers nothing, itself or through the modules
    it imports, reaching the project's registry helper that asks which version a stage or
    alias marks (`get_latest_versions(name, stages=["Production"])`) and loads it with MLflow:
    the job (a medallion pipeline's gold step scoring claims) predicts with what the registry
    holds, whatever its file is called. The training script importing the same helper to
    register and promote is no such job."""
    lookups = {x.path for x in f.of("mlflow.alias_lookup")}
    loading = {
        x.path for x in predicting_loads(f) if str(x.detail.get("via", "")).startswith("mlflow")
    }
    helpers = lookups & loading
    if not helpers:
        return []
    training = {
        x.path for x in of(f, "model.save", "mlflow.registry", "registry.model", "mlflow.alias")
    }
    for script in sorted({x.path for x in f.of("entrypoint")}):
        if script in training or script in helpers:
            continue
        side = reachable(f, {script}) - {script}
        if side & training - helpers:
            continue
        found = sorted(side & helpers)
        if found:
            return [x for x in f.of("mlflow.alias_lookup") if x.path == found[0]][:1]
    return []


def registry_exports_for_a_service(f: Facts, apps: set[str]) -> list:
    """An export script - an entry point that asks the registry which version a stage or
    alias marks (`get_latest_versions(name, stages=["Production"])`) and downloads it for the
    service, training, registering and loading nothing itself - beside a serving app that
    loads with MLflow the model folder it is given (`mlflow.pyfunc.load_model(MODEL_DIR)`,
    mounted from the export's output): the service serves what the registry marks. A serving
    app loading a literal URI or path is read where it is written."""
    if not apps:
        return []
    side = reachable(f, apps)
    serving_loads = _mlflow_loads_of_a_given_uri(f, apps)
    if not serving_loads:
        return []
    entries = {x.path for x in f.of("entrypoint")}
    busy = {x.path for x in of(f, "model.save", "registry.model", "mlflow.alias", "model.load")}
    busy |= {
        x.path
        for x in f.of("mlflow.registry")
        if x.detail.get("call") != "get_model_version_by_alias"
    }
    exports = [
        x
        for x in f.of("mlflow.alias_lookup")
        if x.path in entries and x.path not in busy and x.path not in side
    ]
    return exports[:1] + serving_loads[:1] if exports else []

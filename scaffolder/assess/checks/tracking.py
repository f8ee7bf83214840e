"""Tracking and registry: the model is saved (0), experiments are tracked by any tracker (1),
models are registered and what is deployed is resolved from the registry (2), model versions
carry lineage (3). An alias/stage/approval marking the deployable version is advice."""

from __future__ import annotations

import posixpath
import re

from scaffolder.assess.checks.base import (
    U1,
    U2,
    U3,
    Check,
    Verdict,
    elsewhere,
    found,
    notebook_stem,
    of,
    reachable,
    tools,
    where,
)
from scaffolder.assess.checks.registry_resolution import (
    INFERENCE_PATH,
    configured_registry_uris,
    inference_resolves_a_registry_version,
    registry_exports_for_a_service,
    scoring_entrypoints_resolving_a_version,
    undeployed_azure_resolves,
    vertex_parent_lookups,
)
from scaffolder.assess.checks.web_apps import flask_apps_serving_a_model
from scaffolder.assess.models import Facts, Zone
from scaffolder.assess.parse_infra import MODEL_SERVER_IMAGE

SERVING_PATH = re.compile(
    r"serv|/api/|(^|/)app/|/app\.py$|/api\.py$|scor(e|ing)|deploy|endpoint", re.I
)
TRACKING = ("mlflow.tracking", "track.run")
REGISTRY = ("mlflow.registry", "registry.model")


def r_model_artifact(f: Facts) -> Verdict:
    return found(
        of(f, "model.save", *REGISTRY),
        "the trained model is saved as an artifact",
        "the trained model is not saved (joblib.dump, save_model, log_model, a training job)",
    )


def r_experiments(f: Facts) -> Verdict:
    tracked = of(f, *TRACKING) + _job_run_notebook_tracking(f)
    if tracked:
        return Verdict(True, where(tracked, 3), f"runs are tracked{tools(tracked) or ' (mlflow)'}")
    return elsewhere(f, TRACKING, "no experiment tracking in the project's code")


def _job_run_notebook_tracking(f: Facts) -> list:
    """Tracking in a notebook that a scheduled job runs (an Airflow task submitting it to
    Databricks by its workspace path, a bundle job's `notebook_path`): the job's runs are
    tracked, as a script's would be. A notebook no job names stays exploration."""
    names = {str(x.detail.get("name")) for x in of(f, "job.workspace_notebook")}
    names |= {
        notebook_stem(posixpath.basename(str(x.detail.get(key))))
        for x in of(f, "job.notebook", "job.task")
        for key in ("notebook", "runs")
        if x.detail.get(key)
    }
    return [
        x
        for kind in TRACKING
        for x in f.of(kind, Zone.NOTEBOOK)
        if notebook_stem(posixpath.basename(x.path)) in names
    ]


def r_registry(f: Facts) -> Verdict:
    registered = of(f, *REGISTRY)
    if registered:
        return Verdict(
            True, where(registered, 3), f"models are registered{tools(registered) or ' (mlflow)'}"
        )
    served = _serving_loads_a_registry_alias(f)
    if served:
        return Verdict(
            True,
            where(served, 3),
            "models are registered: the serving app loads a registry alias or stage (mlflow)",
        )
    return elsewhere(
        f, REGISTRY, "no model registry (register_model, RegisterModel, Model.register/upload)"
    )


def _serving_loads_a_registry_alias(f: Facts) -> list:
    """A serving app loading with MLflow, in the same module, a `models:/NAME@alias` or
    `models:/NAME/Production` URI it writes: the registry holds versions of that model, however
    they were registered (a REST call, the registry's UI, another repository's job)."""
    apps = {x.path for x in of(f, "fastapi.app", "serving.app") + flask_apps_serving_a_model(f)}
    if not apps:
        return []
    served = reachable(f, apps)
    uris = [
        x
        for x in f.of("mlflow.model_uri")
        if x.path in served and re.search(r"models:/[^/@]+(@|/[A-Za-z])", str(x.detail.get("uri")))
    ]
    loads = {
        x.path
        for x in f.of("model.load")
        if x.path in served and str(x.detail.get("via", "")).startswith("mlflow")
    }
    return [x for x in uris if x.path in loads][:1]


def r_aliases(f: Facts) -> Verdict:
    marked = of(f, "mlflow.alias", "registry.approval")
    if marked:
        names = sorted(
            {str(x.detail.get("alias") or x.detail.get("tool")) for x in marked} - {"", "None"}
        )
        return Verdict(True, where(marked), f"the deployable version is marked: {', '.join(names)}")
    return elsewhere(
        f,
        ("mlflow.alias",),
        "no registry alias, stage or approval status marks the deployable model",
    )


def r_serving_from_registry(f: Facts) -> Verdict:
    # What is deployed comes from the registry: the serving app (or the project modules it
    # imports) resolves an MLflow alias/stage and loads with MLflow; or deployment code looks up
    # the approved/registered version (SageMaker model packages, Azure ML or Vertex models).
    apps = {x.path for x in of(f, "fastapi.app", "serving.app") + flask_apps_serving_a_model(f)}
    served = reachable(f, apps) if apps else set()
    # by alias (@champion) or stage (/Production); in the serving app's own code also by a
    # version it is given (models:/NAME/{version})
    uris = [
        x
        for x in f.of("mlflow.model_uri")
        if re.search(r"@|models:/[^/]+/[A-Za-z]", str(x.detail.get("uri")))
    ]
    served_uris = [
        x
        for x in f.of("mlflow.model_uri")
        if x.path in served
        and x not in uris
        and re.search(r"models:/[^/]+/", str(x.detail.get("uri")))
    ]
    aliases = uris + served_uris + f.of("mlflow.alias_lookup")
    mlflow_loads = [
        x
        for x in f.of("model.load")
        if str(x.detail.get("via", "")).startswith("mlflow")
        or str(x.detail.get("uri", "")).startswith("models:/")
    ]
    by_alias = [x for x in aliases if x.path in served]
    loads = [x for x in mlflow_loads if x.path in served]
    if by_alias and loads:
        chain = sorted(by_alias + loads, key=lambda x: (x.path, x.line))
        return Verdict(
            True,
            where(of(f, "fastapi.app", "serving.app")[:1] + chain),
            "serving loads the model by registry alias",
        )
    # a platform library's serving app that loads the version the project's alias look-up names
    library_apps = of(f, "serving.from_registry")
    lookups = of(f, "registry.alias_lookup")
    if library_apps and lookups:
        return Verdict(
            True,
            where(library_apps[:1] + lookups),
            "serving loads the model by registry alias" + tools(library_apps),
        )
    direct = [x for x in uris if SERVING_PATH.search(x.path)]
    direct += [
        x
        for x in mlflow_loads
        if SERVING_PATH.search(x.path) and "@" in str(x.detail.get("uri", ""))
    ]
    # batch scoring that loads with MLflow a version it takes from the registry (a models:/
    # URI of a stage, alias or version, or a registry look-up such as search_model_versions)
    scoring = {x.path for x in mlflow_loads if SERVING_PATH.search(x.path)}
    direct += [
        x
        for x in f.of("mlflow.model_uri") + f.of("mlflow.alias_lookup")
        if x.path in scoring
        and (x.kind == "mlflow.alias_lookup" or "models:/{" in str(x.detail.get("uri")))
    ]
    # batch inference run by an orchestrator step that hands the job a version of the registry
    # (`entryPointArguments: [f"models:/{name}/{version}", ...]` of an EMR step), the job
    # loading whatever URI it is given with MLflow
    inferring = [x for x in mlflow_loads if INFERENCE_PATH.search(x.path)]
    if inferring:
        steps = {x.path for x in of(f, "pipeline.def")}
        direct += [
            x
            for x in f.of("mlflow.model_uri")
            if x.path in steps
            and INFERENCE_PATH.search(x.path)
            and str(x.detail.get("uri")).startswith("models:/{")
        ][:1]
    # a job that looks up the version an alias marks and copies it to cloud storage, where the
    # consuming service loads it from, publishes what the registry holds
    lookups = {x.path for x in f.of("mlflow.alias_lookup")}
    direct += [x for x in f.of("storage.upload") if x.path in lookups][:1]
    # a pusher that copies a registry version (`download_artifacts("models:/NAME/3")`) to cloud
    # storage, itself or through a project helper it imports, for a serving app that loads
    # with MLflow what it downloads from there: the service serves what the registry holds
    uploads = {x.path for x in f.of("storage.upload")}
    if loads and uploads:
        direct += [
            x
            for x in f.of("mlflow.model_uri")
            if str(x.detail.get("uri")).startswith("models:/")
            and x.path not in served
            and reachable(f, {x.path}) & uploads
        ][:1]
    # a script beside the serving app that pulls the version an alias marks
    # (`download_artifacts("models:/NAME@champion", dst_path="./local_model")`) for the app, which
    # loads it with MLflow from that folder: the service serves what the registry marks
    app_dirs = {posixpath.dirname(x.path) for x in loads if x.path in apps or x.path in served}
    # or beside a model server's image (Triton, TorchServe, TF Serving), whose entrypoint runs
    # the script to fill the model repository it serves from
    app_dirs |= {
        posixpath.dirname(x.path)
        for x in f.of("docker.image")
        if MODEL_SERVER_IMAGE.search(str(x.detail.get("base")))
    }
    direct += [x for x in uris if posixpath.dirname(x.path) in app_dirs and x.path not in served][
        :1
    ]
    direct += inference_resolves_a_registry_version(f, apps)
    direct += configured_registry_uris(f, apps)
    direct += scoring_entrypoints_resolving_a_version(f)
    direct += registry_exports_for_a_service(f, apps)
    # an inference script (batch scoring, a predictor) that asks the registry which version is
    # current (get_latest_versions, search_model_versions, an alias look-up) and loads it with
    # MLflow scores what the registry holds; training code doing the same compares a champion
    # (itself or through the project modules it imports: a pipeline block calling the
    # project's registry helper)
    looked_up = {x.path for x in f.of("mlflow.alias_lookup")}
    loaded = {x.path for x in mlflow_loads if not x.detail.get("evaluated")}
    for script in sorted({x.path for x in f.facts if INFERENCE_PATH.search(x.path)}):
        if not script.endswith(".py"):
            continue
        imported = reachable(f, {script})
        helpers = [p for p in imported if p in looked_up and p in loaded]
        if helpers:
            direct += [x for x in f.of("mlflow.alias_lookup") if x.path == helpers[0]][:1]
            break
    resolved = of(f, "registry.resolve") + f.of("ci.step.from_registry")
    resolved = [x for x in resolved if x not in undeployed_azure_resolves(f)]
    resolved = [x for x in resolved if x not in vertex_parent_lookups(f)]
    # a version asked for by stage (ZenML's Model Control Plane), where versions are promoted
    if any(x.detail.get("tool") == "ZenML" for x in of(f, "mlflow.alias")):
        resolved += of(f, "registry.stage_lookup")
    if direct or (resolved and of(f, *REGISTRY, "serving.app", "ci.step.deploy")):
        return Verdict(
            True,
            where(direct + resolved),
            "what is deployed is resolved from the model registry" + tools(resolved),
        )
    return Verdict(
        False,
        [],
        "the serving/deployment code does not take the model from the registry "
        "(models:/NAME@champion, an approved model package, a registered model version)",
    )


def r_lineage_tags(f: Facts) -> Verdict:
    tags = [
        x
        for x in f.of("mlflow.lineage_tag")
        if re.search(r"git|commit|sha", str(x.detail.get("key")), re.I)
    ]
    # the tags or datasets a registration records with the version (python_version_lineage)
    tags += f.of("lineage.version")
    # the version of the data a run trained on, logged as its parameter or tag
    # (`log_param("dataset_version", ...)`): a registered version's source run carries it
    tags += [x for x in f.of("data.version") if x.detail.get("tool") == "MLflow run"]
    tags += _lineage_given_by_variable(f)
    return found(
        tags + f.of("ci.step.lineage_tag"),
        "model versions carry lineage (git commit, CI build, training job, data version)",
        "model versions are not tagged with the git commit and pipeline run",
    )


def _lineage_given_by_variable(f: Facts) -> list:
    """Tags a run or version is given by variable (`start_run(tags=self.tags)`) where a dict
    naming the commit or data version (`{"git_sha": ..., "job_run_id": ...}`) is built in
    the same code: one module, or modules one script imports together (the job script
    building the dict and the project class tagging its run with it)."""
    given = f.of("mlflow.tags_given")
    dicts = f.of("lineage.tag_dict")
    if not given or not dicts:
        return []
    tagging = {x.path for x in given}
    building = {x.path for x in dicts}
    roots = sorted(tagging | building | {x.path for x in f.of("py.imports")})
    for root in roots:
        side = reachable(f, {root})
        if side & tagging and side & building:
            return [x for x in dicts if x.path in side][:1] + [x for x in given if x.path in side][
                :1
            ]
    return []


CHECKS = [
    Check(
        "tracking.model-artifact",
        "The trained model is saved",
        "tracking",
        0,
        "save the fitted model (joblib.dump) from the training script",
        "joblib/pickle/torch/keras saves, log_model, registered models (AST)",
        r_model_artifact,
        ("python",),
        "infrastructure",
    ),
    Check(
        "tracking.experiments",
        "Experiments are tracked",
        "tracking",
        1,
        f"{U1} adds MLflow tracking (SQLite by default) to the pipeline steps",
        "MLflow (calls, autolog, callbacks such as Ray's MLflowLoggerCallback, kedro-mlflow), "
        "W&B, DVCLive, Neptune, Comet, ClearML, Aim (also as Lightning loggers), SageMaker/Vertex/"
        "Azure ML runs, a Vertex TensorBoard instance (AST)",
        r_experiments,
        ("python",),
        "model",
    ),
    Check(
        "tracking.aliases",
        "An alias marks the deployable model",
        "tracking",
        1,
        f"{U1} sets the `candidate` and `champion` aliases",
        "set_registered_model_alias / stage transitions; SageMaker model approval status",
        r_aliases,
        ("python",),
        "infrastructure",
        advice=True,
    ),
    Check(
        "tracking.registry",
        "Models are registered",
        "tracking",
        2,
        f"{U1} registers each trained model in the MLflow model registry",
        "MLflow register_model/registered_model_name=; SageMaker RegisterModel/model packages; "
        "Azure ML Model.register; Vertex Model.upload; W&B link_model; DVC model artifacts",
        r_registry,
        ("python",),
        "infrastructure",
    ),
    Check(
        "tracking.serving-from-registry",
        "What is deployed comes from the registry",
        "tracking",
        2,
        f"{U2} adds a serving app loading models:/NAME@champion",
        "models:/NAME@alias or stage URIs in serving code and its imports; approved model "
        "package look-ups; `az ml model deploy --model NAME:VERSION`; Vertex model deploys",
        r_serving_from_registry,
        ("python",),
        "infrastructure",
    ),
    Check(
        "tracking.lineage-tags",
        "Model versions carry lineage",
        "tracking",
        3,
        f"{U3} tags every model version with git sha, data hash and pipeline run",
        "set_model_version_tag / tags= with git keys; versions registered with the CI build, "
        "training job or data version in their tags, or with their training datasets; runs "
        "logging their data version as a parameter (AST)",
        r_lineage_tags,
        ("python",),
        "infrastructure",
    ),
]

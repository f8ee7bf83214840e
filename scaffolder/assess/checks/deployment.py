"""Deployment: predictions come from the saved model (0), training/serving run in a container or
a managed job environment (1), a serving API or endpoint that CI/CD deploys, with per-environment
manifests when it runs on Kubernetes (2), progressive delivery with rollback (3). Image
hardening is advice."""

from __future__ import annotations

import re

from scaffolder.assess.checks.base import (
    PREDICT_ROUTE,
    U1,
    U2,
    U3,
    Check,
    Verdict,
    found,
    of,
    predicting_loads,
    tools,
    where,
)
from scaffolder.assess.checks.deployment_k8s import WORKLOADS, r_k8s_environments
from scaffolder.assess.checks.deployment_targets import (
    MANAGED_PIPELINES,
    MANAGED_SERVING,
    platform_only,
    scripted_model_images,
)
from scaffolder.assess.checks.web_apps import (
    fastapi_form_apps_serving_a_model,
    flask_apps_serving_a_model,
)
from scaffolder.assess.models import Facts

PREDICTING = re.compile(r"predict|inferen|scor", re.I)


def kedro_predictions(f: Facts) -> list:
    """Kedro nodes that predict (by their function or their pipeline) with a model dataset of
    the catalog as input: the saved model is loaded from the catalog."""
    models = {str(x.detail.get("dataset")) for x in of(f, "model.save") if x.detail.get("dataset")}
    return [
        x
        for x in of(f, "kedro.node")
        if models & set(x.detail.get("inputs") or [])
        and PREDICTING.search(f"{x.detail.get('func')} {x.path}")
    ]


# libraries that make, hold or run a model (a service declaring one may load it in ways the
# scan does not read: `pipeline("sentiment-analysis")`, a Triton client)
MODEL_PACKAGES = re.compile(
    r"^(scikit-learn|sklearn|torch|pytorch|tensorflow|tf-|tflite|keras|transformers|"
    r"sentence-transformers|huggingface|onnx|xgboost|lightgbm|catboost|joblib|dill|cloudpickle|"
    r"mlflow|bentoml|tritonclient|statsmodels|prophet|spacy|jax|flax|paddle|fastai|ultralytics|"
    r"gensim|pycaret|h2o|autogluon|sktime|darts|nltk|optimum|vllm|openai|anthropic|langchain|"
    r"timm|detectron|mmdet|sagemaker|google-cloud-aiplatform|azureml|azure-ai-ml|kserve|seldon|"
    r"ray|pyspark|mxnet|skl2onnx|tensorrt|llama|ctransformers|diffusers|peft|accelerate)",
    re.I,
)


def _no_model_anywhere(f: Facts) -> bool:
    """Nothing of a model in the project: no model saved, loaded, trained, tracked or
    registered, and dependencies declared without any library that makes or runs one."""
    if of(f, "model.*", "train.entrypoint", "pipeline.def", "tracking.*", "mlflow.*", "registry.*"):
        return False
    names = [str(n) for x in f.of("deps.declared") for n in x.detail.get("names") or []]
    return bool(names) and not any(MODEL_PACKAGES.match(n) for n in names)


def r_predict(f: Facts) -> Verdict:
    # a model loaded to go on training and saved again (a warm start), or only to be measured
    # (metrics, plots, a logged copy: python_evaluated_loads), predicts nothing
    loads = predicting_loads(f) + kedro_predictions(f)
    # an orchestrated flow that predicts and trains nothing (a Metaflow flow scoring with the
    # model a training flow's run keeps) predicts with the trained model
    loads += [x for x in of(f, "pipeline.def") if x.detail.get("scores")]
    apps = of(f, "serving.app", "fastapi.app")
    if not apps:
        # an MLflow pyfunc wrapper's load_context restores the model wherever it is loaded;
        # with nothing serving it here, it is no prediction code of the project (python_pyfunc)
        loads = [x for x in loads if not x.detail.get("pyfunc_context")]
    # an app serves a model when the project has one to serve: a model it saves, loads or
    # resolves from a registry, or a route that predicts (a web app of a project whose only
    # pickles are data serves none)
    predicting = [
        x
        for x in of(f, "fastapi.route")
        if PREDICTING.search(str(x.detail.get("route")))
        or PREDICT_ROUTE.search(str(x.detail.get("route")))
    ]
    if _no_model_anywhere(f):
        # a predict route in a project that trains, saves, loads and tracks no model, and
        # declares no library to make or run one, scores with a stand-in written in the code
        # (`MODEL = ToyModel(bias=0.1)`): no saved model
        predicting = []
    if apps and not (loads or predicting or of(f, "mlflow.model_uri", "registry.*")):
        # a FastAPI app with no route that predicts, in a project where nothing loads a model,
        # serves none even when training saves one (health, /metrics, a monitoring job); a
        # model server (`mlflow models serve` in compose) serves what training saved
        saved = of(f, "model.save")
        apps = [
            x for x in apps if x.kind == "serving.app" and (saved or "compose" not in str(x.detail))
        ]
    return found(
        loads + apps,
        "predictions come from the saved model",
        "nothing loads a saved model to predict",
    )


def r_training_image(f: Facts) -> Verdict:
    platform = {(x.kind, x.path, x.line) for x in platform_only(f)}
    runtime = [
        x
        for x in of(f, "docker.image", "compose.service", "runtime.managed", "container.image")
        if (x.kind, x.path, x.line) not in platform
        # a Dockerfile whose command runs a module or script the repository lacks or holds
        # empty (`uvicorn deployment.app:app` beside an empty api/main.py) runs nothing
        and not x.detail.get("runs_nothing")
    ]
    runtime += [x for x in f.of("k8s.resource") if x.detail.get("kind") in WORKLOADS]
    # CI launching a managed training job by the service's CLI (`aws sagemaker
    # create-training-job`, `az ml job create`, `gcloud ai custom-jobs create`); a script
    # building the model's serving image (`bentoml containerize`: deployment_targets)
    runtime += f.of("ci.step.managed_job") + scripted_model_images(f)
    runtime += [x for x in of(f, "pipeline.def") if x.detail.get("tool") in MANAGED_PIPELINES]
    runtime += [x for x in of(f, "serving.app") if x.detail.get("tool") in MANAGED_SERVING]
    # a Kubeflow component is a container image by definition (base_image or a container spec)
    kubeflow = of(f, "kfp.component", "kfp.pipeline")
    names = tools(runtime)
    if kubeflow:
        runtime += kubeflow
        names = f" ({names[2:-1]}, Kubeflow components)" if names else " (Kubeflow components)"
    idle = [x for x in of(f, "docker.image", "compose.service") if x not in runtime]
    if not runtime and idle:
        return Verdict(
            False,
            where(idle),
            "containers run only the platform (a database, the tracking server, dashboards) or "
            "a module the repository lacks: none of the project's training or serving code",
        )
    return found(
        runtime,
        "the pipeline/serving runs in a container or managed job environment" + names,
        "no Dockerfile, container manifest or managed job environment",
    )


def r_image_hardened(f: Facts) -> Verdict:
    images = f.of("docker.image")
    if not images:
        return Verdict(None, [], "no Dockerfile to harden")
    weak = [x for x in images if not (x.detail["pinned"] and x.detail["non_root"])]
    if weak:
        why = []
        for x in weak:
            why.append(
                f"{x.path}: "
                + ", ".join(
                    ([] if x.detail["pinned"] else ["base image not pinned"])
                    + ([] if x.detail["non_root"] else ["runs as root"])
                )
            )
        return Verdict(False, where(weak), "; ".join(why))
    return Verdict(True, where(images), "base images pinned, processes run as a non-root user")


def r_serving_api(f: Facts) -> Verdict:
    routes = f.of("fastapi.route")
    predicts = [
        r
        for r in routes
        if PREDICT_ROUTE.search(str(r.detail.get("route")))
        or "invocations" in str(r.detail.get("route"))
    ]
    if f.of("fastapi.app") and predicts:
        return Verdict(
            True, where(f.of("fastapi.app") + predicts, 3), "a serving API (FastAPI) predicts"
        )
    others = of(f, "serving.app") + flask_apps_serving_a_model(f)
    others += fastapi_form_apps_serving_a_model(f)
    if others:
        return Verdict(True, where(others, 3), "a serving API or endpoint exists" + tools(others))
    return Verdict(
        False,
        where(f.of("fastapi.app") + routes),
        "no serving API or endpoint (FastAPI/Flask /predict, Ray Serve, BentoML, KServe, "
        "SageMaker/Vertex/Azure ML endpoints)",
    )


def r_cd_workflow(f: Facts) -> Verdict:
    deploys = f.of("ci.step.deploy")
    if deploys:
        # a step running a script that deploys (python scripts/deploy.py) names the script too
        via = sorted({str(x.detail["via"]) for x in deploys if x.detail.get("via")})
        return Verdict(
            True,
            where(deploys, 3) + via[:2] + where(f.of("ci.environment"), 3),
            "a CD workflow deploys" + tools(deploys),
        )
    # CI runs a pipeline whose own step deploys the model (Vertex ModelDeployOp, a deploy
    # component): the pipeline run is the deployment
    runs = f.of("ci.step.pipeline_deploy")
    pipeline_files = {x.path for x in of(f, "kfp.pipeline", "kfp.component", "pipeline.def")}
    in_pipeline = [x for x in of(f, "serving.app") if x.path in pipeline_files]
    if runs and in_pipeline:
        return Verdict(
            True,
            where(runs, 2) + where(in_pipeline, 2),
            "CD runs the pipeline, which deploys the model" + tools(in_pipeline),
        )
    return Verdict(False, [], "no CD workflow deploying the model or service")


def r_canary(f: Facts) -> Verdict:
    rollouts = [
        x for x in f.of("argo.rollout") if x.detail.get("canary") and x.detail.get("analysis")
    ]
    templates = f.of("argo.analysis")
    if rollouts and templates:
        return Verdict(
            True, where(rollouts + templates), "canary rollout with metric analysis and rollback"
        )
    progressive = of(f, "deploy.progressive")
    shifting, rollback = f.of("ci.step.progressive"), f.of("ci.step.rollback")
    # the rollback must undo what the shift did: a stage of the same pipeline, not another
    # workflow's `rollout undo` of other deployments, in a pipeline that runs on its own (one
    # only dispatched by hand is a person choosing to shift or roll back)
    by_hand = {
        x.path for x in f.of("ci.workflow") if x.detail.get("triggers") == ["workflow_dispatch"]
    }
    pipelines = ({x.path for x in shifting} & {x.path for x in rollback}) - by_hand
    paired = [x for x in shifting + rollback if x.path in pipelines]
    if progressive or paired:
        return Verdict(
            True,
            where(progressive + paired),
            "progressive delivery with rollback" + tools(progressive),
        )
    return Verdict(
        False,
        where(f.of("argo.rollout") + templates + shifting),
        "no progressive delivery with rollback (Argo Rollouts canary + AnalysisTemplate, "
        "Flagger, SageMaker auto-rollback, traffic shifting with a rollback stage)",
    )


CHECKS = [
    Check(
        "deployment.predict-script",
        "Predictions come from the saved model",
        "deployment",
        0,
        "add a predict script that loads the saved model",
        "joblib/pickle/keras/mlflow load calls (AST); a serving app",
        r_predict,
        ("python",),
        None,
    ),
    Check(
        "deployment.training-image",
        "The pipeline runs in a container",
        "deployment",
        1,
        f"{U1} adds a training Dockerfile",
        "Dockerfile; compose services; Kubernetes workloads; Kubeflow components; Argo Workflows; "
        "managed jobs and pipelines (SageMaker, Vertex, Azure ML, Anyscale, Metaflow "
        "@batch/@kubernetes, Databricks); model servers a platform runs (endpoints created by "
        "a deploy call, SeldonDeployment, InferenceService)",
        r_training_image,
        (),
        "infrastructure",
        "Dockerfile",
    ),
    Check(
        "deployment.image-hardened",
        "Images are pinned and non-root",
        "deployment",
        1,
        "pin the base image tag (or digest) and add a non-root USER",
        "Dockerfile FROM tag and USER",
        r_image_hardened,
        (),
        None,
        "Dockerfile",
        advice=True,
    ),
    Check(
        "deployment.serving-api",
        "A serving API exists",
        "deployment",
        2,
        f"{U2} adds a FastAPI app with /predict, /health and /metrics",
        "FastAPI/Flask predict routes, Ray Serve, BentoML, KServe/Seldon (v1 and v2 `Model`) "
        "manifests, SageMaker/Vertex/Azure ML endpoints, `mlflow models serve` (AST, YAML)",
        r_serving_api,
        ("python",),
        "infrastructure",
    ),
    Check(
        "deployment.k8s-environments",
        "Kubernetes manifests per environment",
        "deployment",
        2,
        f"{U2} adds Kubernetes manifests with staging and production overlays",
        "kustomization/manifests under overlays/<env>; Helm charts with values per environment "
        "or given values by CD at install (not applicable without Kubernetes, nor when every "
        "CD deploy step deploys elsewhere: a VM over ssh/SSM, CodeDeploy, Cloud Run)",
        r_k8s_environments,
        ("yaml",),
        "infrastructure",
    ),
    Check(
        "deployment.cd-workflow",
        "A CD workflow deploys",
        "deployment",
        2,
        f"{U2} adds a CD workflow: build, staging, integration test, approval, production",
        "CI deploy steps in any provider (kubectl/helm/argocd, cloud CLIs, cdk/sam/terraform, "
        "anyscale/serve deploy, CodePipeline deploy actions, CDK Pipelines stages), directly or "
        "through a script",
        r_cd_workflow,
        ("ci",),
        "infrastructure",
    ),
    Check(
        "deployment.canary",
        "Progressive delivery with automatic rollback",
        "deployment",
        3,
        f"{U3} adds an Argo Rollouts canary with an AnalysisTemplate",
        "Argo Rollout canary + AnalysisTemplate; Flagger Canary; SageMaker blue/green with "
        "auto-rollback; CI traffic shifting with a rollback stage",
        r_canary,
        ("yaml",),
        "monitoring",
    ),
]

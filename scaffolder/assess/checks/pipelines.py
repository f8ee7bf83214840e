"""Pipelines: training runs from one command (0), as an orchestrated pipeline of any orchestrator
(1), built/compiled/deployed/run by CI/CD (2), on a schedule and retrained on drift (3).
Pipeline tests and CI pipeline checks are advice."""

from __future__ import annotations

import re

from scaffolder.assess.checks.base import (
    U1,
    U2,
    U3,
    Check,
    Verdict,
    elsewhere,
    found,
    module_index,
    of,
    reachable,
    tools,
    where,
)
from scaffolder.assess.checks.pipelines_dvc import TRAINS, idle_stages, training_stages
from scaffolder.assess.checks.pipelines_images import builds_no_pipeline_image, pipeline_builds
from scaffolder.assess.models import Facts, Zone

ORCHESTRATED = ("airflow.dag", "kfp.pipeline", "pipeline.def")


def orchestrated(f: Facts) -> list:
    """Orchestrated pipelines, but for flows that only score with a trained model (batch
    scoring: `python_scoring.py`) or KFP pipelines that only move data, which train nothing."""
    stages = training_stages(f, f.of("dvc.stage"))
    flows = [
        x
        for x in of(f, *ORCHESTRATED)
        if not x.detail.get("scores") and not x.detail.get("moves_data")
    ]
    # a KFP pipeline whose training steps are all components that cannot run trains nothing,
    # and a Vertex PipelineJob of a project whose every KFP pipeline trains nothing launches none
    broken = {x.detail.get("name") for x in f.of("kfp.component") if x.detail.get("broken")}
    if broken:
        kfp = of(f, "kfp.pipeline")
        flows = [
            x
            for x in flows
            if not (x.kind == "kfp.pipeline" and set(x.detail.get("train_steps") or [""]) <= broken)
        ]
        if kfp and not any(x.kind == "kfp.pipeline" for x in flows):
            flows = [x for x in flows if x.detail.get("call") != "PipelineJob"]
    flows = _flows_reaching_training(f, flows)
    # one DVC stage is a pipeline when CI runs the pipeline (`dvc repro` on push: with no other
    # orchestrator in the project, the pipeline CI runs is that stage)
    repro = bool(pipeline_runs(f))
    return flows + (stages if len(stages) >= 2 or (stages and repro) else [])


# flows whose tasks are the project's own Python functions: what they run is what they import
PYTHON_FLOWS = {"Prefect", "Dagster"}
# what ML work shows besides (a split, a seed, metrics computed)
ML_WORK = TRAINS + ("eval.metrics", "eval.split", "seed")


def _flows_reaching_training(f: Facts, flows: list) -> list:
    """A Prefect flow or Dagster asset whose file, and the project modules it imports, do no ML
    work (no split, seed, metric, fit, save or tracked run) while the project trains elsewhere
    (a train script, a Celery task) moves data, scores or monitors: it is no training pipeline.
    A project with no training evidence anywhere says nothing of its flows: they still count."""
    trains = {x.path for kind in TRAINS for x in f.of(kind)}
    if not trains:
        return flows
    work = {x.path for kind in ML_WORK for x in f.of(kind)}
    return [
        x
        for x in flows
        if x.kind != "pipeline.def"
        or x.detail.get("tool") not in PYTHON_FLOWS
        or reachable(f, {x.path}) & work
    ]


# what a project that trains a model shows somewhere: a model saved, loaded, evaluated, tracked
# or retrained (a pipeline of a project with none of these moves data, it trains nothing)
MODEL_EVIDENCE = (
    "model.*",
    "mlflow.*",
    "registry.*",
    "eval.*",
    "seed",
    "retrain.*",
    "train.entrypoint",
    "kfp.component",
    "dvc.stage",
)


TRAIN_STEP = re.compile(
    r"(?i:(^|_)(fit|train|training|retrain|tune|tuning)(_|$))|^(fit|train|retrain|tune)[A-Z]"
)


def trains_a_model(f: Facts) -> bool:
    # a tracker called (not an orchestrator imported: a Metaflow flow records its runs anyway)
    # (the record a managed pipeline keeps of its own runs is no evidence: its definition line
    # is the pipeline itself, which may only move data)
    pipelines = {(x.path, x.line) for x in f.of("pipeline.def")}
    called = [
        x for x in f.of("track.run") if x.detail.get("call") and (x.path, x.line) not in pipelines
    ]
    # a KFP pipeline with a step that trains (`train_model_op`, a managed AutoML or custom
    # training component loaded from its spec): the model is trained in the pipeline, even
    # with no fit in the project's code (a step named only `..._pipeline` is no such step)
    steps = [
        x
        for x in f.of("kfp.pipeline")
        if any(TRAIN_STEP.search(str(s)) for s in x.detail.get("train_steps") or [])
    ]
    return bool(called or steps) or any(f.of(kind) for kind in MODEL_EVIDENCE)


def r_train_entrypoint(f: Facts) -> Verdict:
    entry = [x for x in f.of("entrypoint") if "train" in x.path or "pipeline" in x.path]
    entry += [x for x in f.of("make.target") if x.detail.get("name") == "train"]
    entry += of(f, "train.entrypoint")
    pipelines = orchestrated(f)
    if pipelines and not entry and not trains_a_model(f):
        return Verdict(
            False,
            where(pipelines),
            "pipelines run, but nothing in the project trains a model (no model is fitted, "
            "saved, evaluated or tracked)",
        )
    entry += pipelines
    return found(
        entry,
        "training runs from one command",
        "no training entry point (a train script or `make train`)",
    )


def r_orchestrated(f: Facts) -> Verdict:
    pipelines = orchestrated(f)
    if pipelines:
        names = tools(pipelines)
        if not names:
            kinds = {x.kind for x in pipelines}
            names = (
                " ("
                + ", ".join(
                    sorted(
                        {
                            "airflow.dag": "Airflow",
                            "kfp.pipeline": "Kubeflow",
                            "dvc.stage": "DVC",
                        }.get(k, k)
                        for k in kinds
                    )
                )
                + ")"
            )
        return Verdict(True, where(pipelines), f"training runs as an orchestrated pipeline{names}")
    moving = [x for x in of(f, "airflow.dag") if x.detail.get("moves_data")]
    if moving:
        return Verdict(
            False,
            where(moving),
            "the DAGs only fetch, copy and load data; none trains a model",
        )
    scoring = [x for x in of(f, "pipeline.def") if x.detail.get("scores")]
    if scoring:
        return Verdict(
            False,
            where(scoring),
            "the orchestrated flows score with a trained model (batch scoring); none trains one",
        )
    idle = idle_stages(f)
    if idle:
        return Verdict(False, where(idle), "the dvc.yaml stages train no model")
    return elsewhere(
        f,
        ORCHESTRATED,
        "no orchestrated pipeline (Airflow, Kubeflow/Vertex, SageMaker, Azure ML, "
        "Prefect, Dagster, Metaflow, ZenML, Flyte, Kedro, DVC...) in the project's code",
    )


def r_integrity_tests(f: Facts) -> Verdict:
    return found(
        f.of("test.pipeline", Zone.TESTS),
        "pipelines are tested (DAG integrity / compile)",
        "no DAG-integrity or pipeline-compile tests",
    )


def r_ci_pipeline_checks(f: Facts) -> Verdict:
    return found(
        of(f, "ci.step.dag_check", "ci.step.pipeline_compile"),
        "CI imports the DAGs / compiles the pipeline",
        "CI does not check the DAGs or compile the pipeline",
    )


def pipeline_runs(f: Facts) -> list:
    """CI steps that run or deploy the ML pipeline; `az ml job create -f cli/jobs/train.yml`
    submitting a single command job (an Azure ML job file with no pipeline in it) runs one
    training job, not the pipeline; nor does a step naming a pipeline script the repository
    does not hold (`build_train_pipeline.py` of the MLOpsPython layout, left out)."""
    pipelines = {x.path for x in f.of("pipeline.def")}
    jobs = {x.path for x in f.of("runtime.managed")} - pipelines
    return [
        x
        for x in f.of("ci.step.pipeline_deploy")
        if x.detail.get("job_file") not in jobs and not x.detail.get("missing")
    ]


def r_image_build(f: Facts) -> Verdict:
    # a pipeline defined as infrastructure (CDK/CloudFormation) is deployed by the CD that
    # deploys its stack
    as_iac = [x for x in f.of("pipeline.def") if x.detail.get("call") == "CfnPipeline"]
    # (a job building only the serving app's image, or none of the repository's, builds no
    # image of the pipeline: pipelines_images.py)
    built = pipeline_builds(f) + pipeline_runs(f)
    # an image that `terraform apply` builds (a local-exec provisioner), by the CD applying it
    if f.of("ci.step.iac_apply"):
        built += [x for x in f.of("iac.build_image") if not builds_no_pipeline_image(f, x)]
    return found(
        built + (as_iac if f.of("ci.step.deploy") else []),
        "CI/CD builds the images or deploys/runs the pipeline",
        "no CI/CD job builds the images or deploys the pipeline",
    )


def r_scheduled(f: Facts) -> Verdict:
    # a DAG that only moves data schedules no training
    dags = [
        x
        for x in f.of("airflow.dag")
        if x.detail.get("schedule") not in ("none", "unset") and not x.detail.get("moves_data")
    ]
    scheduled = (
        dags
        + [x for x in f.of("kfp.run") if x.detail.get("recurring")]
        + of(f, "pipeline.schedule", "ci.schedule")
    )
    return found(
        scheduled,
        "training runs on a schedule or trigger",
        "no scheduled training (DAG schedule, KFP recurring run, CronJob, EventBridge rule, "
        "orchestrator schedule or CI schedule)",
    )


def r_retraining(f: Facts) -> Verdict:
    drift_files = {x.path for x in f.of("drift.*")}
    triggers = f.of("retrain.trigger") + f.of("kfp.run") + f.of("retrain.function")
    hits = [x for x in triggers if x.path in drift_files or x.kind == "retrain.trigger"]
    # a retraining flow that runs the project's module checking drift (`from flows.training_flow
    # import training_pipeline`, whose flow trains only on drift)
    hits += [
        x
        for x in f.of("retrain.function")
        if x.path not in drift_files and reachable(f, {x.path}) & drift_files
    ]
    hits += [x for x in f.of("airflow.dag") if x.detail.get("schedule") == "asset"]
    # a KFP pipeline that retrains under a condition (dsl.If on the monitoring's decision)
    conditional = {x.path for x in f.of("kfp.condition")}
    hits += [x for x in f.of("retrain.function") if x.path in conditional]
    # a scheduled job whose script runs the project's drift check, then the training pipeline
    # on its result (a CronJob: `python -m pkg.run_drift_check || dvc repro`)
    scheduled = [
        x for x in f.of("pipeline.schedule") if x.detail.get("pipeline") and x.detail.get("runs")
    ]
    hits += [x for x in scheduled if _runs_reach(f, x.detail["runs"]) & drift_files]
    decay = _decay_triggers(f)
    if (hits and drift_files) or decay:
        return Verdict(True, where(hits + decay), "drift or decay triggers retraining")
    return Verdict(False, where(hits), "retraining is not triggered by drift or decay")


def _runs_reach(f: Facts, runs: list) -> set[str]:
    """The project files the modules and scripts a job runs reach through their imports."""
    index = module_index(f)
    start = {index.get(str(r), str(r)) for r in runs}
    return reachable(f, start)


def _decay_triggers(f: Facts) -> list:
    """A DAG that triggers a training DAG after a check of the deployed model's decay: the DAG
    imports a module that loads the model, scores it on fresh data and compares the score with
    a bar (the production model's, a threshold); the DAG it triggers trains."""
    dags = {str(x.detail.get("dag_id")): x.path for x in f.of("airflow.dag")}
    trains = {x.path for x in of(f, "model.save", "mlflow.registry", "registry.model")}
    triggers = []
    for trigger in f.of("retrain.trigger"):
        target = dags.get(str(trigger.detail.get("target") or ""))
        if target is None or not reachable(f, {target}) & trains:
            continue
        for path in reachable(f, {trigger.path}) - {target}:
            kinds = {x.kind for x in f.facts if x.path == path}
            if {"model.load", "eval.metrics", "quality.gate"} <= kinds:
                triggers.append(trigger)
                break
    return triggers


CHECKS = [
    Check(
        "pipelines.train-entrypoint",
        "Training runs from one command",
        "pipelines",
        0,
        "add a train script with a __main__ guard and a `make train` target",
        "__main__ guards in train modules; train CLI commands; Makefile target train; a pipeline",
        r_train_entrypoint,
        ("python",),
        "infrastructure",
        "Makefile",
    ),
    Check(
        "pipelines.orchestrated",
        "Training is an orchestrated pipeline",
        "pipelines",
        1,
        f"{U1} adds an Airflow DAG and/or a Kubeflow pipeline of the same steps",
        "Airflow, Kubeflow/Vertex/TFX, SageMaker Pipelines, Azure ML, Prefect, Dagster, Metaflow, "
        "ZenML, Flyte, Kedro, MLflow Recipes, Ray/Anyscale jobs, Databricks jobs (or bundle jobs "
        "a CI job runs in sequence), Step Functions, DVC stages, outside tests/examples/docs; "
        "not an Airflow DAG that only moves data",
        r_orchestrated,
        ("python", "yaml"),
        "infrastructure",
        "dags/",
    ),
    Check(
        "pipelines.integrity-tests",
        "Pipelines are tested",
        "pipelines",
        1,
        f"{U1} adds DAG-integrity and pipeline-compile tests",
        "tests importing airflow/kfp (AST)",
        r_integrity_tests,
        ("python",),
        "infrastructure",
        "tests/",
        advice=True,
    ),
    Check(
        "pipelines.ci-checks",
        "CI checks the pipelines",
        "pipelines",
        1,
        f"{U1} adds DAG-import and KFP-compile CI jobs",
        "CI steps: dag-check, kfp compile",
        r_ci_pipeline_checks,
        ("ci",),
        "infrastructure",
        ".github/workflows/ci.yml",
        advice=True,
    ),
    Check(
        "pipelines.image-build",
        "CI/CD builds and deploys the pipeline",
        "pipelines",
        2,
        f"{U2} adds a CD workflow that builds the training and serving images",
        "CI steps: docker build/push, build-push-action, kaniko; pipeline upsert/run "
        "(run-pipeline, anyscale jobs submit, Azure ML pipeline publish, dagster-cloud, "
        "databricks bundle deploy, dvc repro, CDK Pipelines build steps)",
        r_image_build,
        ("ci",),
        "infrastructure",
    ),
    Check(
        "pipelines.triggered-retraining",
        "Drift triggers retraining",
        "pipelines",
        3,
        f"{U3} adds drift- and decay-triggered retraining",
        "retraining triggers (TriggerDagRunOperator, KFP runs, asset schedules, alarm rules "
        "starting a pipeline) next to drift detection",
        r_retraining,
        ("python",),
        "monitoring",
    ),
    Check(
        "pipelines.scheduled",
        "Pipelines run on a schedule",
        "pipelines",
        3,
        f"{U3} adds scheduled DAGs and KFP recurring runs (training, drift)",
        "DAG schedule=, KFP recurring runs, CronJobs, EventBridge/Cloud Scheduler rules, "
        "orchestrator schedules, CI schedules",
        r_scheduled,
        ("python", "ci", "yaml"),
        "infrastructure",
    ),
]

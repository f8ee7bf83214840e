"""Capability detectors for the stacks people use, read from Python's AST by `parse_python`.

Each table maps what a call, decorator, base class, import or string names (qualified through
the file's imports) to a fact kind and the tool: `registry.model` for SageMaker's
`RegisterModel` as for Azure ML's `Model.register`, `pipeline.def` for a Prefect `@flow` as for
a Metaflow `FlowSpec`. The rules in `checks/` read the kinds, never the tools.
"""

from __future__ import annotations

import ast
import re

from scaffolder.assess import detect_azureml, detect_hydrosphere, practices

# Words any of these detectors needs; `parse_python.TRIGGER` includes them so a file using only
# these stacks is parsed.
TRIGGER_WORDS = (  # noqa: SIM905 - a word list reads better as one string
    "sagemaker aiplatform vertex azureml azure.ai.ml wandb dvclive neptune comet_ml clearml "
    "metaflow prefect dagster zenml flytekit kedro databricks serving_endpoints tfx tensorflow "
    "keras ray bentoml flask Flask "
    "boto3 aws_cdk cloudwatch opentelemetry pydeequ ModelCard lambda_handler typer click "
    "xgboost lightgbm onnx transformers Alarm start_pipeline recipes statsd install_requires "
    "log_model mlops_runtime dvc.api scheduled_query_rules metric_alerts "
    # a notebook cell creating a Lakehouse monitor with a workspace client made in an earlier
    # cell names no other word here (cells are parsed one by one)
    "quality_monitors lakehouse_monitors"
).split() + ["def init", "def run"]


def trie_regex(words: list[str]) -> re.Pattern[bytes]:
    """One regex for many literal words, factored by common prefixes (`mlflow|models` becomes
    `m(?:lflow|odels)`): Python's engine tries alternatives one by one, so a trie is much faster
    on the thousands of files a scan gates."""
    trie: dict = {}
    for word in set(words):
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        ends = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return re.compile(build(trie).encode())


# import prefix -> (kind, tool): importing these in the project's code is using them
IMPORTS: list[tuple[str, str, str]] = [
    ("wandb", "track.run", "W&B"),
    ("dvclive", "track.run", "DVCLive"),
    ("dvc.api", "dvc.api", "DVC"),  # reads data at a pinned version (dvc.api.open/read)
    # records the DVC data version on every run and model version
    ("mlops_runtime.data_version", "data.version", "mlops-scaffold-runtime"),
    ("neptune", "track.run", "Neptune"),
    ("comet_ml", "track.run", "Comet"),
    ("clearml", "track.run", "ClearML"),
    ("aim", "track.run", "Aim"),
    ("sagemaker.experiments", "track.run", "SageMaker Experiments"),
    ("ray.air.integrations.mlflow", "track.run", "MLflow"),
    ("ray.air.integrations.wandb", "track.run", "W&B"),
    ("ray.train.mlflow", "track.run", "MLflow"),
    ("kedro_mlflow", "track.run", "MLflow"),
    ("metaflow", "track.run", "Metaflow"),
    ("mlflow.recipes", "track.run", "MLflow Recipes"),
    # a Kubeflow/Vertex component writing an `Output[Metrics]` artifact: each pipeline run's
    # metrics are kept in ML Metadata (the Vertex/KFP run view compares them)
    ("kfp.dsl.Metrics", "track.run", "Kubeflow ML Metadata"),
    ("kfp.dsl.ClassificationMetrics", "track.run", "Kubeflow ML Metadata"),
    ("kfp.v2.dsl.Metrics", "track.run", "Kubeflow ML Metadata"),
    ("kfp.v2.dsl.ClassificationMetrics", "track.run", "Kubeflow ML Metadata"),
    ("tensorflow_data_validation", "validation.data", "TFDV"),
    ("pydeequ", "validation.data", "Deequ"),
    ("pydeequ", "validation.schema", "Deequ"),
    ("sagemaker.drift_check_baselines", "drift.monitor", "SageMaker"),
    ("sagemaker.model_monitor", "drift.monitor", "SageMaker Model Monitor"),
    ("azureml.datadrift", "drift.monitor", "Azure ML"),
    ("opentelemetry", "metrics.export", "OpenTelemetry"),
    ("statsd", "metrics.export", "StatsD"),
    ("datadog", "metrics.export", "Datadog"),
    ("applicationinsights", "serving.monitor", "Application Insights"),
    ("azure.monitor.opentelemetry", "serving.monitor", "Azure Monitor"),
    ("opencensus.ext.azure", "serving.monitor", "Azure Monitor"),
]

# qualified call (exact or suffix after a dot) -> (kind, tool)
CALLS: list[tuple[str, str, str]] = [
    # tracking and registries
    ("MLflowLoggerCallback", "track.run", "MLflow"),
    ("WandbLoggerCallback", "track.run", "W&B"),
    ("aiplatform.init", "track.run", "Vertex AI"),
    ("aiplatform.start_run", "track.run", "Vertex Experiments"),
    ("aiplatform.log_metrics", "track.run", "Vertex Experiments"),
    ("RegisterModel", "registry.model", "SageMaker"),
    ("RegisterModel", "model.save", "SageMaker"),
    ("ModelStep", "registry.model", "SageMaker"),
    ("create_model_package", "registry.model", "SageMaker"),
    ("ModelPackageGroup", "registry.model", "SageMaker"),
    ("Model.upload", "registry.model", "Vertex AI"),
    ("upload_model", "registry.model", "Vertex AI"),
    ("link_model", "registry.model", "W&B"),
    ("link_artifact", "registry.model", "W&B"),
    # ZenML's MLflow integration steps: one registers the pipeline's model in the MLflow
    # registry, the other deploys a registered version (name and version from the registry)
    ("mlflow_register_model_step", "registry.model", "ZenML MLflow registry"),
    ("mlflow_model_registry_deployer_step", "registry.resolve", "ZenML MLflow registry"),
    # ZenML's Seldon integration serves the step's model on Seldon Core (Kubernetes)
    ("seldon_model_deployer_step", "serving.app", "ZenML Seldon Core"),
    ("seldon_model_deployer_step", "runtime.managed", "ZenML Seldon Core"),
    ("zenml.log_metadata", "track.run", "ZenML metadata"),
    # pipelinex's Kedro hooks log each run's parameters, metrics and artifacts to MLflow
    *(
        (f"pipelinex.{hook}", "track.run", "pipelinex MLflow hooks")
        for hook in (
            "MLflowBasicLoggerHook",
            "MLflowArtifactsLoggerHook",
            "MLflowDataSetsLoggerHook",
            "MLflowOutputsLoggerHook",
        )
    ),
    ("zenml.log_model_metadata", "track.run", "ZenML metadata"),
    ("zenml.log_artifact_metadata", "track.run", "ZenML metadata"),
    ("zenml.log_step_metadata", "track.run", "ZenML metadata"),
    # Lakehouse Monitoring on the serving endpoint's inference table (drift, quality metrics)
    ("quality_monitors.create", "drift.monitor", "Databricks Lakehouse Monitoring"),
    ("quality_monitors.create", "serving.monitor", "Databricks Lakehouse Monitoring"),
    # the SDK's earlier name for the same API
    ("lakehouse_monitors.create", "drift.monitor", "Databricks Lakehouse Monitoring"),
    ("lakehouse_monitors.create", "serving.monitor", "Databricks Lakehouse Monitoring"),
    # the dataset (source and digest, a Delta table's version) recorded with the run and model
    ("mlflow.log_input", "data.version", "MLflow dataset input"),
    ("serving_endpoints.create", "serving.app", "Databricks serving endpoint"),
    ("serving_endpoints.create_and_wait", "serving.app", "Databricks serving endpoint"),
    ("serving_endpoints.update_config", "serving.app", "Databricks serving endpoint"),
    ("serving_endpoints.update_config_and_wait", "serving.app", "Databricks serving endpoint"),
    ("flytekit.CronSchedule", "pipeline.schedule", "Flyte"),
    ("flytekit.FixedRate", "pipeline.schedule", "Flyte"),
    ("list_model_packages", "registry.resolve", "SageMaker"),
    # a SageMaker ModelPackage is a version of the model registry: deploying it serves the
    # registered model (the approved one a CD script looked up)
    ("sagemaker.ModelPackage", "registry.resolve", "SageMaker Model Registry"),
    ("sagemaker.model.ModelPackage", "registry.resolve", "SageMaker Model Registry"),
    ("describe_model_package", "registry.resolve", "SageMaker"),
    ("Model.list", "registry.resolve", "Vertex AI"),
    # `aiplatform.Model(model_name=ID)` fetches a model of the Vertex Model Registry by its id
    ("aiplatform.Model", "registry.resolve", "Vertex AI Model Registry"),
    # Vertex AI training ops of Google Cloud Pipeline Components: each trains a model that Vertex
    # keeps as a Model resource of its registry, on managed compute; ModelDeployOp serves it
    ("AutoMLImageTrainingJobRunOp", "model.save", "Vertex AI training job"),
    ("AutoMLImageTrainingJobRunOp", "registry.model", "Vertex AI training job"),
    ("AutoMLImageTrainingJobRunOp", "runtime.managed", "Vertex AI training job"),
    ("AutoMLTabularTrainingJobRunOp", "model.save", "Vertex AI training job"),
    ("AutoMLTabularTrainingJobRunOp", "registry.model", "Vertex AI training job"),
    ("AutoMLTabularTrainingJobRunOp", "runtime.managed", "Vertex AI training job"),
    ("AutoMLTextTrainingJobRunOp", "model.save", "Vertex AI training job"),
    ("AutoMLTextTrainingJobRunOp", "registry.model", "Vertex AI training job"),
    ("AutoMLTextTrainingJobRunOp", "runtime.managed", "Vertex AI training job"),
    ("AutoMLVideoTrainingJobRunOp", "model.save", "Vertex AI training job"),
    ("AutoMLVideoTrainingJobRunOp", "registry.model", "Vertex AI training job"),
    ("AutoMLVideoTrainingJobRunOp", "runtime.managed", "Vertex AI training job"),
    ("AutoMLForecastingTrainingJobRunOp", "model.save", "Vertex AI training job"),
    ("AutoMLForecastingTrainingJobRunOp", "registry.model", "Vertex AI training job"),
    ("AutoMLForecastingTrainingJobRunOp", "runtime.managed", "Vertex AI training job"),
    ("CustomPythonPackageTrainingJobRunOp", "model.save", "Vertex AI training job"),
    ("CustomPythonPackageTrainingJobRunOp", "registry.model", "Vertex AI training job"),
    ("CustomPythonPackageTrainingJobRunOp", "runtime.managed", "Vertex AI training job"),
    ("CustomContainerTrainingJobRunOp", "model.save", "Vertex AI training job"),
    ("CustomContainerTrainingJobRunOp", "registry.model", "Vertex AI training job"),
    ("CustomContainerTrainingJobRunOp", "runtime.managed", "Vertex AI training job"),
    ("ModelUploadOp", "registry.model", "Vertex AI Model Registry"),
    ("ModelDeployOp", "serving.app", "Vertex AI endpoint"),
    ("ModelDeployOp", "registry.resolve", "Vertex AI Model Registry"),
    # Azure Monitor alert rules created with the SDK
    ("scheduled_query_rules.create_or_update", "alert.rule", "Azure Monitor"),
    ("metric_alerts.create_or_update", "alert.rule", "Azure Monitor"),
    # Neptune keeps the trained model with the run (`run["model"] = get_pickled_model(m)`)
    ("neptune.integrations.sklearn.get_pickled_model", "model.save", "Neptune"),
    ("neptune.types.File.as_pickle", "model.save", "Neptune"),
    ("neptune.new.types.File.as_pickle", "model.save", "Neptune"),
    # pipelines
    ("clearml.PipelineController", "pipeline.def", "ClearML pipelines"),
    # Prefect 1: tasks called inside `with Flow(...) as flow:` make the flow's DAG
    ("prefect.Flow", "pipeline.def", "Prefect"),
    ("clearml.automation.PipelineController", "pipeline.def", "ClearML pipelines"),
    ("clearml.automation.controller.PipelineController", "pipeline.def", "ClearML pipelines"),
    ("sagemaker.workflow.pipeline.Pipeline", "pipeline.def", "SageMaker Pipelines"),
    # managed pipelines record every run's parameters, metrics and artifacts
    ("sagemaker.workflow.pipeline.Pipeline", "track.run", "SageMaker Pipelines"),
    ("tfx.orchestration.pipeline.Pipeline", "track.run", "TFX ML Metadata"),
    ("aws_cdk.aws_sagemaker.CfnPipeline", "pipeline.def", "SageMaker Pipelines"),
    ("azureml.pipeline.core.Pipeline", "pipeline.def", "Azure ML pipelines"),
    ("azureml.pipeline.core.graph.Pipeline", "pipeline.def", "Azure ML pipelines"),
    ("tfx.orchestration.pipeline.Pipeline", "pipeline.def", "TFX"),
    ("tfx.v1.dsl.Pipeline", "pipeline.def", "TFX"),
    ("kedro.pipeline.Pipeline", "pipeline.def", "Kedro"),
    ("kedro.pipeline.pipeline", "pipeline.def", "Kedro"),
    ("kedro.pipeline.modular_pipeline.pipeline", "pipeline.def", "Kedro"),
    ("dagster.Definitions", "pipeline.def", "Dagster"),
    ("dagster.define_asset_job", "pipeline.def", "Dagster"),
    ("mlflow.recipes.Recipe", "pipeline.def", "MLflow Recipes"),
    ("mlflow.recipes.Recipe", "registry.model", "MLflow Recipes"),
    ("aiplatform.PipelineJob", "pipeline.def", "Vertex AI Pipelines"),
    ("aws_cdk.aws_stepfunctions.StateMachine", "pipeline.def", "Step Functions"),
    ("stepfunctions.workflow.Workflow", "pipeline.def", "Step Functions"),
    ("start_pipeline_execution", "retrain.function", "SageMaker"),
    ("dagster.ScheduleDefinition", "pipeline.schedule", "Dagster"),
    ("dagster.build_schedule_from_partitioned_job", "pipeline.schedule", "Dagster"),
    ("aws_events.Schedule.expression", "pipeline.schedule", "EventBridge"),
    ("aws_events.Schedule.cron", "pipeline.schedule", "EventBridge"),
    ("aws_events.Schedule.rate", "pipeline.schedule", "EventBridge"),
    ("PipelineJob.create_schedule", "pipeline.schedule", "Vertex AI"),
    ("CronSchedule", "pipeline.schedule", "Prefect"),
    # validation
    ("ExampleValidator", "validation.data", "TFX"),
    ("SchemaGen", "validation.schema", "TFX"),
    ("ImportSchemaGen", "validation.schema", "TFX"),
    ("tensorflow_data_validation.validate_statistics", "validation.schema", "TFDV"),
    ("DataQualityCheckConfig", "validation.data", "SageMaker"),
    ("DataQualityCheckConfig", "validation.schema", "SageMaker"),
    ("ModelQualityCheckConfig", "validation.model", "SageMaker"),
    ("ClarifyCheckStep", "validation.model", "SageMaker Clarify"),
    ("ConditionStep", "validation.gate", "SageMaker"),
    ("MetricThreshold", "validation.gate", "threshold"),
    ("GenericValueThreshold", "validation.gate", "TFMA"),
    ("Evaluator", "eval.step", "TFX"),
    ("TestSuite", "validation.data", "Evidently"),
    # drift and monitoring
    # a stream consumer: with a model loaded beside it, the process serves predictions
    ("kafka.KafkaConsumer", "stream.consumer", "Kafka"),
    ("confluent_kafka.Consumer", "stream.consumer", "Kafka"),
    ("DefaultModelMonitor", "drift.monitor", "SageMaker Model Monitor"),
    ("CfnMonitoringSchedule", "drift.monitor", "SageMaker Model Monitor"),
    ("CfnMonitoringSchedule", "serving.monitor", "SageMaker Model Monitor"),
    ("create_monitoring_schedule", "serving.monitor", "SageMaker Model Monitor"),
    ("ModelDeploymentMonitoringJob", "drift.monitor", "Vertex model monitoring"),
    ("ModelDeploymentMonitoringJob", "serving.monitor", "Vertex model monitoring"),
    ("CfnAlarm", "alert.rule", "CloudWatch"),
    ("aws_cloudwatch.Alarm", "alert.rule", "CloudWatch"),
    ("put_metric_alarm", "alert.rule", "CloudWatch"),
    ("put_metric_data", "metrics.export", "CloudWatch"),
    # deployment
    ("aws_cdk.aws_sagemaker.CfnEndpoint", "serving.app", "SageMaker endpoint"),
    ("create_endpoint", "serving.app", "SageMaker endpoint"),
    ("Endpoint.create", "serving.app", "Vertex AI endpoint"),
    ("ManagedOnlineDeployment", "serving.app", "Azure ML endpoint"),
    ("ManagedOnlineEndpoint", "serving.app", "Azure ML endpoint"),
    ("bentoml.Service", "serving.app", "BentoML"),
    ("AutoRollbackConfiguration", "deploy.progressive", "SageMaker"),
    ("BlueGreenUpdatePolicy", "deploy.progressive", "SageMaker"),
    ("TrafficRoutingConfig", "deploy.progressive", "SageMaker"),
    # managed job environments
    ("sagemaker.estimator.Estimator", "runtime.managed", "SageMaker"),
    # the framework estimators (SKLearn, PyTorch, TensorFlow, XGBoost, Hugging Face) run the
    # entry point as a SageMaker training job in the framework's managed container
    *(
        (f"sagemaker.{module}{suffix}.{name}", "runtime.managed", "SageMaker")
        for module, name in (
            ("sklearn", "SKLearn"),
            ("pytorch", "PyTorch"),
            ("tensorflow", "TensorFlow"),
            ("xgboost", "XGBoost"),
            ("huggingface", "HuggingFace"),
            ("mxnet", "MXNet"),
        )
        for suffix in ("", ".estimator")
    ),
    ("sagemaker.processing.ScriptProcessor", "runtime.managed", "SageMaker"),
    ("sagemaker.sklearn.processing.SKLearnProcessor", "runtime.managed", "SageMaker"),
    ("sagemaker.workflow.steps.TrainingStep", "runtime.managed", "SageMaker"),
    ("sagemaker.workflow.steps.ProcessingStep", "runtime.managed", "SageMaker"),
    ("aiplatform.CustomJob", "runtime.managed", "Vertex AI"),
    # Dagster Pipes clients run the asset's code as a job of the managed service
    ("dagster_aws.pipes.PipesEMRServerlessClient", "runtime.managed", "EMR Serverless"),
    ("dagster_aws.pipes.PipesEMRClient", "runtime.managed", "EMR"),
    ("dagster_aws.pipes.PipesECSClient", "runtime.managed", "ECS"),
    ("dagster_aws.pipes.PipesGlueClient", "runtime.managed", "Glue"),
    ("aiplatform.CustomTrainingJob", "runtime.managed", "Vertex AI"),
    ("aiplatform.CustomContainerTrainingJob", "runtime.managed", "Vertex AI"),
    # CodePipeline defined with the CDK
    ("aws_codepipeline.Pipeline", "ci.codepipeline", "CodePipeline"),
    ("aws_codepipeline_actions.ManualApprovalAction", "approval.gate", "CodePipeline"),
    (
        "aws_codepipeline_actions.CloudFormationCreateUpdateStackAction",
        "ci.step.deploy",
        "CodePipeline",
    ),
    ("aws_codepipeline_actions.CodeDeployServerDeployAction", "ci.step.deploy", "CodeDeploy"),
    ("aws_codepipeline_actions.EcsDeployAction", "ci.step.deploy", "CodePipeline"),
    # the platform library mlops-scaffold's projects depend on (mlops-scaffold-runtime): its
    # serving app has /predict, /health and /metrics, its validation runs GX checkpoints built
    # from the project's declared contract, its registry helpers resolve the alias to serve
    ("mlops_runtime.serving.app.create_app", "serving.app", "mlops-scaffold-runtime"),
    ("mlops_runtime.serving.app.create_app", "serving.monitor", "mlops-scaffold-runtime"),
    ("mlops_runtime.validation.run_checkpoint", "validation.contract_runner", "Great Expectations"),
    ("mlops_runtime.validation.validate_frame", "validation.contract_runner", "Great Expectations"),
    ("mlops_runtime.serving.app.create_app", "serving.from_registry", "mlops-scaffold-runtime"),
    ("mlops_runtime.registry.champion_info", "registry.alias_lookup", "MLflow"),
    # model cards
    ("huggingface_hub.ModelCard", "model_card.generator", "Hugging Face"),
    ("sagemaker.model_card.ModelCard", "model_card.generator", "SageMaker"),
    ("model_card_toolkit", "model_card.generator", "Model Card Toolkit"),
]
# explanations, load tests, release notes, knowledge limits (practices/, one module each)
IMPORTS += practices.IMPORTS
CALLS += practices.CALLS + detect_azureml.CALLS + detect_hydrosphere.CALLS
TRIGGER_WORDS += practices.TRIGGER_WORDS + detect_hydrosphere.TRIGGER_WORDS
_CALL_TABLE: dict[str, list[tuple[str, str]]] = {}
for _name, _kind, _tool in CALLS:
    _CALL_TABLE.setdefault(_name, []).append((_kind, _tool))

# decorator -> (kind, tool)
DECORATORS: dict[str, tuple[str, str]] = {
    "prefect.flow": ("pipeline.def", "Prefect"),
    "dagster.job": ("pipeline.def", "Dagster"),
    "dagster.asset": ("pipeline.def", "Dagster"),
    "dagster.graph": ("pipeline.def", "Dagster"),
    "dagster.schedule": ("pipeline.schedule", "Dagster"),
    "dagster.sensor": ("pipeline.schedule", "Dagster"),
    "zenml.pipeline": ("pipeline.def", "ZenML"),
    "zenml.pipelines.pipeline": ("pipeline.def", "ZenML"),
    "flytekit.workflow": ("pipeline.def", "Flyte"),
    "flytekit.LaunchPlan": ("pipeline.schedule", "Flyte"),
    "azure.ai.ml.dsl.pipeline": ("pipeline.def", "Azure ML pipelines"),
    "metaflow.schedule": ("pipeline.schedule", "Metaflow"),
    "clearml.PipelineDecorator.pipeline": ("pipeline.def", "ClearML pipelines"),
    "clearml.automation.controller.PipelineDecorator.pipeline": (
        "pipeline.def",
        "ClearML pipelines",
    ),
    "metaflow.batch": ("runtime.managed", "Metaflow @batch"),
    "metaflow.kubernetes": ("runtime.managed", "Metaflow @kubernetes"),
    "ray.serve.deployment": ("serving.app", "Ray Serve"),
    "bentoml.service": ("serving.app", "BentoML"),
    "bentoml.api": ("serving.app", "BentoML"),
    "tfx.dsl.component.experimental.decorators.component": ("pipeline.component", "TFX"),
}
BASES: dict[str, tuple[str, str]] = {
    "metaflow.FlowSpec": ("pipeline.def", "Metaflow"),
    "luigi.Task": ("pipeline.def", "Luigi"),
}
# string constants that say what the code does
STRINGS: dict[str, tuple[str, str]] = {
    "CloudWatch Alarm State Change": ("retrain.trigger", "EventBridge alarm rule"),
    "PendingManualApproval": ("approval.gate", "registry approval status"),
    "Approved": ("registry.approval", "approval status"),
    # a Vertex batch prediction job's request with model monitoring (training-serving skew and
    # drift of the predicted inputs, with alerts): the served predictions are watched
    "modelMonitoringConfig": ("serving.monitor", "Vertex model monitoring (batch prediction)"),
}
SERVING_ROUTE = re.compile(r"predict|score|invocations|infer|inference", re.I)
MODEL_FILE = re.compile(r"\.(h5|keras|pt|pth|onnx|pkl|joblib|bin|model|json|ubj)$|model", re.I)


STEP_CONFIGURATION = ("with_options", "configure")


def call_facts(qualified: str, last: str) -> list[tuple[str, str]]:
    """(kind, tool) of a call by its qualified name: exact, by dotted suffix, by last name."""
    hits: list[tuple[str, str]] = []
    parts = qualified.split(".")
    if len(parts) > 1 and parts[-1] in STEP_CONFIGURATION:
        # `step.with_options(...)` / `.configure(...)`: the same step, configured (ZenML, Flyte)
        parts = parts[:-1]
    for i in range(len(parts)):
        key = ".".join(parts[i:]).replace("()", "")
        if key in _CALL_TABLE:
            hits.extend(_CALL_TABLE[key])
            break
    return hits


def decorator_fact(qualified: str) -> tuple[str, str] | None:
    key = qualified.replace("()", "")
    if key in DECORATORS:
        return DECORATORS[key]
    for name, value in DECORATORS.items():
        if key.endswith("." + name.rsplit(".", 1)[-1]) and key.split(".")[0] == name.split(".")[0]:
            return value
    return None


def import_facts(name: str) -> list[tuple[str, str]]:
    return [
        (kind, tool)
        for prefix, kind, tool in IMPORTS
        if name == prefix or name.startswith(prefix + ".")
    ]


def is_flask_route(qualified: str, call: ast.Call | None) -> str | None:
    """The route of `@app.route("/predict")` on a Flask app, when it serves predictions."""
    if not (qualified.startswith("flask.Flask()") and qualified.endswith(".route")) or not call:
        return None
    arg = call.args[0] if call.args else None
    route = arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else ""
    return route if SERVING_ROUTE.search(route) else None


def saves_model(qualified: str, last: str, node: ast.Call) -> bool:
    """Keras/TF/transformers/xgboost saves, beyond joblib/pickle/torch."""
    if last in ("save_pretrained", "save_model") and not qualified.startswith("self."):
        return True
    if qualified in ("tensorflow.saved_model.save", "tensorflow.keras.models.save_model"):
        return True
    if last == "save" and node.args:
        text = _path_text(node.args[0])
        return bool(text) and bool(MODEL_FILE.search(text)) and "fig" not in qualified.lower()
    return False


def _path_text(arg: ast.AST) -> str:
    """The literal parts of a path argument: a string, an f-string's constant parts, the
    arguments of `os.path.join(...)` or `Path(...) / "x"` (`model.save(f"{out}/model.keras")`)."""
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    if isinstance(arg, ast.JoinedStr):
        return "".join(
            v.value for v in arg.values if isinstance(v, ast.Constant) and isinstance(v.value, str)
        )
    if isinstance(arg, ast.Call) and arg.args:
        name = ast.unparse(arg.func)
        if name.endswith(("path.join", "Path", "str")):
            return "/".join(_path_text(a) for a in arg.args)
    if isinstance(arg, ast.BinOp) and isinstance(arg.op, (ast.Div, ast.Add)):
        return _path_text(arg.left) + "/" + _path_text(arg.right)
    return ""


def loads_model(qualified: str, last: str) -> bool:
    if last == "load_model" and qualified.split(".")[0] in (
        "tensorflow",
        "keras",
        "xgboost",
        "lightgbm",
        "catboost",
        "autokeras",
    ):
        return True
    return qualified in (
        "tensorflow.saved_model.load",
        "onnxruntime.InferenceSession",
        "xgboost.Booster",
        "lightgbm.Booster",
        "cloudpickle.load",
        "dill.load",
        "skops.io.load",
    ) or last in ("invoke_endpoint", "Predictor")


def train_command(node: ast.FunctionDef | ast.AsyncFunctionDef, qualify) -> bool:
    """`@app.command() def train_model(...)` (typer/click): training runs from one command."""
    if "train" not in node.name.lower():
        return False
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = qualify(target) or ""
        if name.endswith((".command", ".main")) or name.startswith("click."):
            return True
    return False


METAFLOW_MODEL_ATTR = re.compile(r"(^|_)(model|estimator|regressor|classifier|clf|booster)s?$")


def metaflow_model_artifacts(flow: ast.ClassDef) -> list[ast.AST]:
    """Assignments `self.model = ...` in a Metaflow flow's methods: artifacts of the run."""
    found = []
    for item in ast.walk(flow):
        if not isinstance(item, (ast.Assign, ast.AnnAssign)):
            continue
        targets = item.targets if isinstance(item, ast.Assign) else [item.target]
        for target in targets:
            if (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id == "self"
                and METAFLOW_MODEL_ATTR.search(target.attr)
                and not isinstance(item.value, ast.Constant)
            ):
                found.append(item)
    return found

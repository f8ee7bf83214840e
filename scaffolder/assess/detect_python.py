"""Capability detectors for the stacks people use, read from Python's AST by `parse_python`.

Each table maps what a call, decorator, base class, import or string names (qualified through
the file's imports) to a fact kind and the tool: `registry.model` for SageMaker's
`RegisterModel` as for Azure ML's `Model.register`, `pipeline.def` for a Prefect `@flow` as for
a Metaflow `FlowSpec`. The rules in `checks/` read the kinds, never the tools.
"""

from __future__ import annotations

import ast
import re

from scaffolder.assess import detect_azureml, detect_hydrosphere, detect_python_calls, practices

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
    "quality_monitors lakehouse_monitors "
    # model-monitoring stores and platforms (monitoring.store)
    "influxdb superwise arize whylogs fiddler"
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
    # Lightning's loggers for a tracker (`Trainer(logger=WandbLogger(...))`)
    *(
        (f"{package}.loggers.{logger}", "track.run", tool)
        for package in ("pytorch_lightning", "lightning.pytorch")
        for logger, tool in (
            ("WandbLogger", "W&B"),
            ("MLFlowLogger", "MLflow"),
            ("CometLogger", "Comet"),
            ("NeptuneLogger", "Neptune"),
        )
    ),
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
    # model-monitoring stores and platforms a process sends its predictions or metrics to
    # (checks/monitoring.py: the serving side's when the serving app reaches the module)
    ("influxdb_client", "monitoring.store", "InfluxDB"),
    ("influxdb", "monitoring.store", "InfluxDB"),
    ("superwise", "monitoring.store", "Superwise"),
    ("arize", "monitoring.store", "Arize"),
    ("whylogs", "monitoring.store", "WhyLabs"),
    ("fiddler", "monitoring.store", "Fiddler"),
    ("applicationinsights", "serving.monitor", "Application Insights"),
    ("azure.monitor.opentelemetry", "serving.monitor", "Azure Monitor"),
    ("opencensus.ext.azure", "serving.monitor", "Azure Monitor"),
]

# qualified call (exact or suffix after a dot) -> (kind, tool): detect_python_calls
CALLS: list[tuple[str, str, str]] = list(detect_python_calls.CALLS)

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

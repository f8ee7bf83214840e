"""Facts from the calls of a Python file: trackers, registries, model saves and loads,
orchestrators, metrics, drift tests, seeds and the commands run through subprocess. A mixin
of the visitor in `parse_python.py`."""

from __future__ import annotations

import ast
import re

from scaffolder.assess import detect_python as stacks
from scaffolder.assess.detect_cdk import cdk_pipeline_facts
from scaffolder.assess.parse_infra import KEDRO_MODEL_PATH
from scaffolder.assess.python_azure_deployments import registered_deployment
from scaffolder.assess.python_data_files import is_data_pickle
from scaffolder.assess.python_job_notebooks import job_notebook
from scaffolder.assess.python_libraries import (
    CLIENT_REGISTRY_CALLS,
    DRIFT_TESTS,
    PROM_EXPORTS,
    PROM_METRIC_TYPES,
    REGISTRY_LOOKUPS,
    SEED_CALLS,
    SEED_KWARGS,
    SUBPROCESS_CALLS,
    _command,
    _const_str,
    _kwarg,
)
from scaffolder.assess.python_run_tags import run_tags
from scaffolder.assess.python_serving_alarms import serving_alarm
from scaffolder.assess.python_sys_path import import_base
from scaffolder.assess.python_version_lineage import version_lineage

KEDRO_NODE = {"kedro.pipeline.node", "kedro.pipeline.Node", "kedro.pipeline.modular_pipeline.node"}
KEDRO_DATASET_ROOTS = ("kedro", "kedro_datasets", "pipelinex")
RUNTIME_LINEAGE_CALLS = frozenset(
    f"mlops_runtime.records.{name}" for name in ("record_version", "lineage_tags")
)
# the runtime's CD entry point a project's scripts/deploy.py calls runs `kubectl apply -k`
# mlops-scaffold's runtime schedules a KFP pipeline as a recurring run (mlops_runtime.kfp_schedule)
RUNTIME_RECURRING_RUNS = {f"mlops_runtime.kfp_schedule.{name}" for name in ("main", "schedule")}
RUNTIME_COMMANDS = {"mlops_runtime.cd.deploy.main": "kubectl apply -k {}"}
ZENML_MODEL = {"zenml.Model", "zenml.model.model.Model", "zenml.model.Model"}
ZENML_STAGES = ("zenml.enums.ModelStages.", "zenml.ModelStages.")
VERTEX_BATCH_PREDICTION = frozenset(
    {"create_batch_prediction_job", "batch_predict", "ModelBatchPredictOp"}
)


STORAGE_UPLOADS = {"upload_from_filename", "upload_file", "upload_fileobj", "upload_blob"}


class CallFacts:
    """visit_Call and the helpers only it uses."""

    def _zenml_model(self, node: ast.Call, qualified: str) -> None:
        """ZenML's Model Control Plane: a named `Model(...)` given to a pipeline versions the
        model it produces (a registry), and a version asked for by stage (`version=
        ModelStages.PRODUCTION`, `get_model_version(name, ModelStages.PRODUCTION)`) is the
        promoted one taken from it, where the project promotes versions (`set_stage`)."""
        last = qualified.rsplit(".", 1)[-1]
        if qualified in ZENML_MODEL:
            if node.args or _kwarg(node, "name") is not None:
                self.add("registry.model", node, tool="ZenML Model Control Plane")
            stage = _kwarg(node, "version")
        elif last == "get_model_version":
            stage = next(
                (a for a in [*node.args, *(k.value for k in node.keywords)] if self._stage(a)),
                None,
            )
        elif last == "set_stage" and node.args:
            # a version promoted to a stage (`set_stage(ModelStages.PRODUCTION)`, or a stage
            # the promotion script maps from its arguments); archiving one promotes nothing
            stage = self._stage(node.args[0])
            if stage not in ("archived", "latest"):
                self.add("mlflow.alias", node, alias=stage or "stage", tool="ZenML")
            return
        else:
            return
        # a client look-up of the latest version is a registry look-up too (as MLflow's
        # models:/NAME/latest is); a Model(version="latest") in a pipeline's config is not
        wanted = {"staging", "production"} | ({"latest"} if last == "get_model_version" else set())
        if stage is not None and self._stage(stage) in wanted:
            # resolved from the registry where the project promotes versions (tracking checks)
            self.add("registry.stage_lookup", node, tool="ZenML Model Control Plane")

    def _stage(self, value: ast.AST) -> str:
        """`ModelStages.PRODUCTION` or "production": the stage it names, else ""."""
        text = _const_str(value) or ""
        qualified = self.qualify(value) or ""
        if qualified.startswith(ZENML_STAGES):
            text = qualified.rsplit(".", 1)[-1]
        text = text.lower()
        return text if text in ("staging", "production", "archived", "latest") else ""

    def _failure_alert(self, key: str, value: ast.AST, node: ast.AST) -> None:
        """A pipeline that reports its own runs, as code: Airflow's `on_failure_callback` /
        `sla_miss_callback` / `on_success_callback` (in a task, a DAG or its `default_args`),
        ZenML's and Prefect's `on_failure=` / `on_success=` hooks (checks/monitoring.py reads
        which outcomes are reported)."""
        orchestrators = {
            "on_failure_callback": ("airflow",),
            "sla_miss_callback": ("airflow",),
            "on_success_callback": ("airflow",),
            "on_failure": ("zenml", "prefect"),
            "on_success": ("zenml", "prefect"),
        }.get(key)
        if not orchestrators or (isinstance(value, ast.Constant) and value.value is None):
            return
        if any(self.uses(o) for o in orchestrators):
            self.add("alert.notify", node, via=key, tool=orchestrators[0])

    def _metrics_handler(self, export: str) -> dict:
        """`generate_latest()` returned by a web handler for /metrics (a Flask route, a BentoML
        api named metrics): the serving app exports its metrics itself."""
        if export != "generate_latest" or not self.functions:
            return {}
        handler = self.functions[-1]
        paths = [
            _const_str(d.args[0]) or ""
            for d in handler.decorator_list
            if isinstance(d, ast.Call) and d.args
        ]
        if any("metrics" in p for p in paths) or (
            handler.decorator_list and "metrics" in handler.name.lower()
        ):
            return {"served": handler.name}
        return {}

    def _dag(self, call: ast.Call | None, node: ast.AST, default_id: str | None) -> None:
        schedule = "unset"
        dag_id = default_id
        if call is not None:
            for kw in call.keywords:
                if kw.arg in ("schedule", "schedule_interval", "timetable"):
                    schedule = _schedule_repr(kw.value, self)
                elif kw.arg == "dag_id":
                    dag_id = _const_str(kw.value) or dag_id
            if call.args and dag_id is None:
                dag_id = _const_str(call.args[0])
        self.add("airflow.dag", node, dag_id=dag_id or "", schedule=schedule)

    # -- calls -----------------------------------------------------------------------------
    def visit_Call(self, node: ast.Call) -> None:
        qualified = self.qualify(node.func) or ""
        for kw in node.keywords:
            if kw.arg:
                self._failure_alert(kw.arg, kw.value, node)
        if self.uses("zenml"):
            self._zenml_model(node, qualified)
        last = qualified.rsplit(".", 1)[-1]
        root = qualified.split(".")[0]
        for kind, tool in stacks.call_facts(qualified, last):
            self.add(kind, node, tool=tool, call=last)
        # one shape per module
        for hook in (version_lineage, serving_alarm, job_notebook, registered_deployment, run_tags):
            hook(self, node, qualified, last)
        if root == "aws_cdk":
            cdk_pipeline_facts(self, node, qualified, last)
        operation = _const_str(node.args[0]) if last == "get_paginator" and node.args else None
        if operation:  # boto3: a paginator over an operation calls that operation
            for kind, tool in stacks.call_facts(operation, operation):
                self.add(kind, node, tool=tool, call=operation)
        if (
            last == "run"
            and re.search(r"aiplatform\.\w*TrainingJob(\(\))?\.run$", qualified)
            and (_kwarg(node, "parent_model") or _kwarg(node, "model_display_name"))
        ):
            # a Vertex training job that names its model uploads it as a version of the
            # Vertex Model Registry (a new model, or a version of `parent_model`)
            self.add("model.save", node, via=qualified)
            self.add("registry.model", node, tool="Vertex AI Model Registry", call=last)
        if _writes_kfp_metrics(node):
            # a KFP v1 component writing its run's metrics file (`/mlpipeline-metrics.json`):
            # the pipeline records them with every run, as a tracker would
            self.add("track.run", node, tool="Kubeflow run metrics", call="open")
        base = import_base(node, qualified, self.path)
        if base is not None:
            self.import_bases.append(base)
        if root in ("sagemaker", "google", "azureml", "azure") and last == "deploy":
            self.add("serving.app", node, tool=f"{root} endpoint deploy")
        if qualified in ("setuptools.setup", "distutils.core.setup", "setup") and _kwarg(
            node, "install_requires"
        ):
            value = _kwarg(node, "install_requires")
            count = len(value.elts) if isinstance(value, (ast.List, ast.Tuple)) else 1
            self.add("deps.declared", node, count=count, source="setup.py")
        if last in ("validation_thresholds",) or _kwarg(node, "validation_thresholds"):
            self.add("validation.gate", node, tool="MLflow", call=last)
        if last in (
            "KFold",
            "StratifiedKFold",
            "TimeSeriesSplit",
            "cross_val_score",
            "random_split",
        ):
            self.add("eval.split", node)
        if root in KEDRO_DATASET_ROOTS and re.search(r"Data[Ss]et$", last):
            # a Kedro dataset defined in Python (a catalog dict built in code, as in Kedro 0.16
            # projects): a dataset whose file is a model file saves the model the nodes return
            target = _const_str(_kwarg(node, "filepath")) or (
                _const_str(node.args[0]) if node.args else None
            )
            if target and KEDRO_MODEL_PATH.search(target):
                self.add("model.save", node, via=f"catalog {last}", dataset=target)
        if stacks.saves_model(qualified, last, node) or (root == "mlflow" and last == "log_model"):
            self.add("model.save", node, via=qualified)
        elif (
            last == "log_model"
            and self.uses("databricks")
            and (_kwarg(node, "flavor") or _kwarg(node, "training_set"))
        ):
            # Databricks Feature Store / Feature Engineering `log_model(model, flavor=...,
            # training_set=..., registered_model_name=...)`: an MLflow model logged with its
            # feature lookups, registered when it names the registered model
            self.add("model.save", node, via="Databricks feature store log_model")
            if _kwarg(node, "registered_model_name"):
                self.add("mlflow.registry", node, call=last)
        elif last == "score_batch" and self.uses("databricks") and node.args:
            # `fs.score_batch(model_uri, df)`: batch predictions from the logged model
            uri = _const_str(node.args[0]) or ""
            self.add(
                "model.load",
                node,
                via="mlflow.pyfunc (Databricks feature store score_batch)",
                uri=uri,
            )
        if stacks.loads_model(qualified, last):
            self.add("model.load", node, via=qualified, uri="")
        elif last in VERTEX_BATCH_PREDICTION and self.uses("google"):
            # a Vertex batch prediction job: predictions from a model of the Vertex registry
            self.add("model.load", node, via=f"Vertex AI batch prediction ({last})", uri="")
        if qualified in RUNTIME_LINEAGE_CALLS:
            # mlops-scaffold's runtime tags each version with these (mlops_runtime.records)
            for key in ("lineage.git_commit", "lineage.data_digest", "lineage.pipeline_run_id"):
                self.add("mlflow.lineage_tag", node, key=key, on=qualified)
        if last == "register_model" and root != "mlflow" and self.uses("azureml"):
            # Azure ML v1 `run.register_model(...)`: the run's output registered in the workspace
            self.add("registry.model", node, tool="Azure ML", call=last)
        if last in STORAGE_UPLOADS and node.args:
            # a file copied to cloud storage (GCS blob, S3, Azure blob)
            self.add("storage.upload", node, call=last)
        if last == "register_model" and self.uses("model_registry"):
            # the Kubeflow Model Registry client: a version of the model, stored at its URI
            self.add("model.save", node, via="Kubeflow Model Registry")
            self.add("registry.model", node, tool="Kubeflow Model Registry", call=last)
        if root == "mlflow":
            self._mlflow(node, qualified, last)
        elif last in CLIENT_REGISTRY_CALLS | REGISTRY_LOOKUPS and self.uses("mlflow"):
            self._mlflow(node, "mlflow.MlflowClient()." + last, last)
        elif root == "mlops_runtime" and last in ("move_alias", "record_registration"):
            # The platform runtime's one alias-moving function (mlops_runtime.governance).
            self.add("mlflow.registry", node, call=last)
            alias = (
                _const_str(node.args[1]) if last == "move_alias" and len(node.args) > 1 else None
            )
            self.add("mlflow.alias", node, alias=alias or "champion")
        if qualified in (
            "airflow.DAG",
            "airflow.models.DAG",
            "airflow.models.dag.DAG",
            "airflow.sdk.DAG",
        ):
            self._dag(node, node, default_id=None)
        elif qualified.endswith("TriggerDagRunOperator") or last == "trigger_dag":
            target = _const_str(_kwarg(node, "trigger_dag_id")) or ""
            self.add("retrain.trigger", node, via=last, target=target)
        elif last == "create_recurring_run":  # a kfp.Client method, whatever the variable
            self.add("kfp.run", node, call=last, recurring=True)
        elif qualified in RUNTIME_RECURRING_RUNS:  # the platform runtime creates the KFP one
            self.add("kfp.run", node, call=qualified, recurring=True)
        elif root == "kfp":
            if last == "compile":
                self.add("kfp.compile", node)
            elif last in ("create_recurring_run", "create_run_from_pipeline_func", "run_pipeline"):
                self.add("kfp.run", node, call=last, recurring=last == "create_recurring_run")
            elif qualified.startswith("kfp.local"):
                self.add("kfp.local", node)
            elif last in ("If", "Condition"):  # dsl.If: a conditional branch (e.g. retrain)
                self.add("kfp.condition", node)
        elif root == "prometheus_client":
            if last in PROM_METRIC_TYPES:
                name = _const_str(node.args[0]) if node.args else _const_str(_kwarg(node, "name"))
                self.add("prometheus.metric", node, name=name or "", type=last)
            elif last in PROM_EXPORTS:
                self.add("prometheus.export", node, via=last, **self._metrics_handler(last))
        elif qualified in ("fastapi.FastAPI", "fastapi.APIRouter"):
            self.add("fastapi.app", node)
            if self.is_test_file and last == "FastAPI":
                self.add("test.own_app", node)
        elif qualified in ("starlette.applications.Starlette", "starlette.Starlette"):
            if self.is_test_file:
                self.add("test.own_app", node)
        elif qualified in DRIFT_TESTS:
            self.add("drift.test", node, test=last)
        elif (
            qualified in ("sklearn.model_selection.train_test_split",) or last == "train_test_split"
        ):
            self.add("eval.split", node)
        elif qualified in (
            "hashlib.sha256",
            "hashlib.md5",
            "hashlib.sha1",
            "hashlib.blake2b",
            "pandas.util.hash_pandas_object",
        ):
            self.add("data.hash", node, via=qualified)
        self._space_upload(node, last)
        if self.uses("great_expectations") or root == "great_expectations":
            self._gx(node, qualified, last)
        if qualified in RUNTIME_COMMANDS:
            self.add("script.command", node, command=RUNTIME_COMMANDS[qualified])
        elif qualified in SUBPROCESS_CALLS and node.args:
            command = _command(node.args[0])
            if command:
                self.add("script.command", node, command=command)
            self._wrapper(node.args[0])
        elif isinstance(node.func, ast.Name) and node.func.id in self.wrappers:
            words = [_const_str(a) or "{}" for a in node.args]
            self.add("script.command", node, command=" ".join(self.wrappers[node.func.id] + words))
        if qualified in SEED_CALLS and (node.args or node.keywords):
            self.add("seed", node, via=qualified)
        for kw in node.keywords:
            if kw.arg in SEED_KWARGS and not (
                isinstance(kw.value, ast.Constant) and kw.value.value is None
            ):
                self.add("seed", node, via=kw.arg)
                break
        pickled = qualified in ("joblib.dump", "pickle.dump", "joblib.load", "pickle.load")
        if pickled and is_data_pickle(node, last == "dump", self.opened):
            pass  # feature vectors, arrays or tables pickled: data, not a model
        elif qualified in ("joblib.dump", "pickle.dump", "torch.save", "cloudpickle.dump") or (
            last == "save_model" and root not in ("self",)
        ):
            self.add("model.save", node, via=qualified)
        elif qualified in ("joblib.load", "pickle.load", "torch.load") or (
            root == "mlflow" and last in ("load_model", "spark_udf")
        ):
            # spark_udf(spark, model_uri): batch scoring with the model on Spark
            args = node.args[1:] if last == "spark_udf" else node.args
            uri = _const_str(args[0]) if args else _const_str(_kwarg(node, "model_uri"))
            self.add("model.load", node, via=qualified, uri=uri or "")
        if qualified in KEDRO_NODE:
            # a Kedro node: its inputs are catalog datasets (a saved model is loaded from there)
            func = node.args[0] if node.args else _kwarg(node, "func")
            inputs = _kwarg(node, "inputs") or (node.args[1] if len(node.args) > 1 else None)
            names = [_const_str(v) for v in _elements(inputs)]
            self.add(
                "kedro.node",
                node,
                func=ast.unparse(func) if func is not None else "",
                inputs=[n for n in names if n],
            )
        if qualified == "mlflow.models.build_docker":
            # MLflow builds a serving image of the model (its scoring server answers
            # /invocations): the model is served from that image, taken from the registry when
            # model_uri is models:/NAME@alias
            uri = _const_str(_kwarg(node, "model_uri")) or (
                _const_str(node.args[0]) if node.args else ""
            )
            self.add("serving.app", node, tool="MLflow model image")
            self.add("model.load", node, via=qualified, uri=uri or "")
            self.add("container.image", node, tool="MLflow model image")
        if self.is_test_file and last in ("include_router", "mount"):
            self.add("test.app_router", node)  # the test's app serves the project's routes
        if qualified.startswith(("fastapi.FastAPI().", "fastapi.APIRouter().")):
            if last == "mount":
                self.add("fastapi.mount", node, route=_const_str(node.args[0]) if node.args else "")
            elif last in ("add_api_route", "add_route") and node.args:
                # a route registered without a decorator (`app.add_api_route("/metrics", h)`)
                methods = _kwarg(node, "methods")
                first = _elements(methods)[0] if _elements(methods) else None
                method = (_const_str(first) or "get").lower() if first is not None else "get"
                self.add("fastapi.route", node, method=method, route=_const_str(node.args[0]) or "")
        if "Instrumentator" in qualified and last == "expose":
            self.add("prometheus.export", node, via="instrumentator")
        self.generic_visit(node)


def _elements(value: ast.AST | None) -> list[ast.AST]:
    """The items of a literal list/tuple/dict (a dict's values), or the value itself."""
    if value is None:
        return []
    if isinstance(value, (ast.List, ast.Tuple, ast.Set)):
        return list(value.elts)
    if isinstance(value, ast.Dict):
        return [v for v in value.values if v is not None]
    return [value]


def _schedule_repr(node: ast.AST, visitor: CallFacts) -> str:
    if isinstance(node, ast.Constant):
        return "none" if node.value is None else str(node.value)
    if isinstance(node, (ast.List, ast.Tuple)):
        return "asset"
    qualified = visitor.qualify(node.func if isinstance(node, ast.Call) else node) or ""
    if qualified.endswith(("Asset", "Dataset", "AssetAll", "AssetAny", "AssetOrTimeSchedule")):
        return "asset"
    return qualified or "expression"


def _writes_kfp_metrics(node: ast.Call) -> bool:
    """`open("/mlpipeline-metrics.json", "w")`: a KFP v1 component's metrics output."""
    if not (isinstance(node.func, ast.Name) and node.func.id == "open" and node.args):
        return False
    path = _const_str(node.args[0]) or ""
    mode = _const_str(node.args[1]) if len(node.args) > 1 else _const_str(_kwarg(node, "mode"))
    return path.endswith("mlpipeline-metrics.json") and "w" in (mode or "")

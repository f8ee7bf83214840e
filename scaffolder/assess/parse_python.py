"""Facts from Python source by its AST, with import aliases resolved.

`import mlflow as mf; mf.log_metric(...)`, `from kfp import dsl; @dsl.pipeline` and
`client = MlflowClient(); client.set_registered_model_alias(...)` all resolve to the
qualified names the rules below look for.
"""

from __future__ import annotations

import ast
import builtins
import re
import sys

from scaffolder.assess import detect_python as stacks
from scaffolder.assess import practices
from scaffolder.assess.models import Fact, Problem, Zone
from scaffolder.assess.parse_infra import KEDRO_MODEL_PATH
from scaffolder.assess.python_libraries import (
    CLIENT_REGISTRY_CALLS,
    DATA_TEST,
    DRIFT_DEF,
    DRIFT_LIBRARIES,
    DRIFT_TESTS,
    GATE_NEW,
    GATE_OLD,
    INTEGRATION_TEST,
    MODEL_TEST_WORDS,
    PROM_EXPORTS,
    PROM_METRIC_TYPES,
    REGISTRY_LOOKUPS,
    SEED_CALLS,
    SEED_KWARGS,
    SUBPROCESS_CALLS,
    LibraryCalls,
    _command,
    _const_str,
    _kwarg,
    _package_of,
)
from scaffolder.assess.python_recover import recover

# A file none of whose bytes match this cannot hold a fact below, so it is not parsed at all:
# a cheap gate that keeps a 20,000-file scan fast. The facts themselves come from the AST.
TRIGGER_WORDS = [
    *(  # noqa: SIM905 - a word list reads better as one string
        "mlflow kfp airflow great_expectations pandera fastapi prometheus evidently alibi nannyml "
        "whylogs deepchecks scipy seed random_state sklearn joblib pickle torch __main__ models:/ "
        "drift psi gate validat hashlib hash_pandas dag Dag DAG subprocess os.system mlops_runtime"
    ).split(),
    "def test",
]
TRIGGER = stacks.trie_regex(TRIGGER_WORDS + stacks.TRIGGER_WORDS)
STDLIB = frozenset(sys.stdlib_module_names)
# mlops-scaffold's own runtime library: its monitoring job is a drift monitor, like Evidently
# (its profile, config and log modules alone are not)
RUNTIME_DRIFT = tuple(
    f"mlops_runtime.monitoring.{name}" for name in ("job", "drift", "cli", "retrain")
)
# `quality_gate`, `gate_model`, `passesGate`: the word gate on its own, in snake or camel case
GATE_NAME = re.compile(r"(^|_)gates?($|_)|[a-z]Gates?($|[A-Z_])|^Gate")
KEDRO_NODE = {"kedro.pipeline.node", "kedro.pipeline.Node", "kedro.pipeline.modular_pipeline.node"}
# metric names as whole words of an identifier (`test_accuracy`, `val_auc`), not a prediction's
# score or probability (`scored["churn_probability"] >= threshold` decides a class)
GATE_METRIC = re.compile(
    r"(?<![a-z0-9])(acc|accuracy|auc|f1|rmse|mse|mae|mape|r2|precision|recall|metric)(?![a-z0-9])",
    re.I,
)
GATE_BAR = re.compile(r"baseline|threshold|champion|prod|deployed|previous", re.I)
ROUTE_DECORATORS = (".route", ".get", ".post", ".put", ".api_route")
KEDRO_DATASET_ROOTS = ("kedro", "kedro_datasets", "pipelinex")
ZENML_STEP = ("zenml.step", "zenml.steps.step")
MODEL_TYPE = re.compile(
    r"Classifier|Regressor|Estimator|Model|Module|Booster|is_model_artifact|Pipeline\b"
)
RUNTIME_LINEAGE_CALLS = frozenset(
    f"mlops_runtime.records.{name}" for name in ("record_version", "lineage_tags")
)
# the runtime's CD entry point a project's scripts/deploy.py calls runs `kubectl apply -k`
# mlops-scaffold's runtime schedules a KFP pipeline as a recurring run (mlops_runtime.kfp_schedule)
RUNTIME_RECURRING_RUNS = {f"mlops_runtime.kfp_schedule.{name}" for name in ("main", "schedule")}
RUNTIME_COMMANDS = {"mlops_runtime.cd.deploy.main": "kubectl apply -k {}"}


class _Visitor(LibraryCalls, ast.NodeVisitor):
    def __init__(self, path: str, zone: Zone, is_test_file: bool):
        self.path = path
        self.zone = zone
        self.is_test_file = is_test_file
        self.aliases: dict[str, str] = {}
        self.instances: dict[str, str] = {}  # variable -> qualified class it was built from
        self.facts: list[Fact] = []
        self.imports: set[str] = set()
        self.local_imports: list[str] = []  # the project's own modules it imports
        self.package = _package_of(path)
        self.functions: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
        self.wrappers: dict[str, list[str]] = {}  # def kubectl(*args): run(["kubectl", *args])
        self.siblings: list[str] = []
        # the project's own top-level package (`pkg` of src/pkg/...): absolute imports of it
        # are local too
        parts = path.split("/")
        parts = parts[1:] if parts[0] == "src" else parts
        self.own_top = parts[0] if len(parts) > 1 else ""

    # -- helpers ---------------------------------------------------------------------------
    def add(self, kind: str, node: ast.AST | int, **detail) -> None:
        line = node if isinstance(node, int) else getattr(node, "lineno", 1)
        self.facts.append(Fact(kind=kind, path=self.path, line=line, zone=self.zone, detail=detail))

    def qualify(self, node: ast.AST) -> str | None:
        """The dotted name an expression refers to, through imports and known instances."""
        if isinstance(node, ast.Name):
            if node.id in self.aliases:
                return self.aliases[node.id]
            if node.id in self.instances:
                return self.instances[node.id] + "()"
            return node.id
        if isinstance(node, ast.Attribute):
            base = self.qualify(node.value)
            return f"{base}.{node.attr}" if base else None
        if isinstance(node, ast.Call):
            inner = self.qualify(node.func)
            return f"{inner}()" if inner else None
        return None

    def uses(self, prefix: str) -> bool:
        return any(m == prefix or m.startswith(prefix + ".") for m in self.imports)

    # -- imports ---------------------------------------------------------------------------
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.imports.add(alias.name)
            self._sibling(alias.name)
            if self.own_top and alias.name.split(".")[0] == self.own_top:
                self.local_imports.append(alias.name)
            if alias.asname:
                self.aliases[alias.asname] = alias.name
            else:
                top = alias.name.split(".")[0]
                self.aliases.setdefault(top, top)
            self._import_fact(alias.name, node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        if node.level:  # relative import: our own package, never a library
            parts = self.package.split(".") if self.package else []
            if node.level - 1 <= len(parts):
                base = ".".join(
                    parts[: len(parts) - (node.level - 1)] + ([module] if module else [])
                )
                if base and module:
                    self.local_imports.append(base)
                elif base:  # from . import loader: the names are modules
                    self.local_imports.extend(f"{base}.{a.name}" for a in node.names)
            return
        self.imports.add(module)
        self._sibling(module)
        if self.own_top and module.split(".")[0] == self.own_top:
            self.local_imports.append(module)
            if module == self.own_top:  # from pkg import registry: the names are modules
                self.local_imports.extend(f"{module}.{a.name}" for a in node.names)
        for alias in node.names:
            qualified = f"{module}.{alias.name}"
            self.aliases[alias.asname or alias.name] = qualified
            self.imports.add(qualified)
            self._import_fact(qualified, node)

    def _sibling(self, module: str) -> None:
        """`import loader` / `from loader import x`: maybe a module next to this one."""
        top = module.split(".")[0]
        if module and top not in STDLIB and top != self.own_top:
            self.siblings.append(module)

    def _import_fact(self, name: str, node: ast.AST) -> None:
        top = name.split(".")[0]
        for kind, tool in stacks.import_facts(name):
            self.add(kind, node, tool=tool, module=name)
        if top in ("great_expectations", "gx"):
            self.add("gx.usage", node, module=name)
        elif top == "pandera":
            self.add("pandera.usage", node, module=name)
        elif top in DRIFT_LIBRARIES or name.startswith(RUNTIME_DRIFT):
            self.add("drift.library", node, module=name)
        elif name.startswith("sklearn.metrics"):
            self.add("eval.metrics", node, module=name)
        elif name.startswith("fastapi.testclient") or name.startswith("starlette.testclient"):
            self.add("fastapi.testclient", node)
        elif name.startswith("airflow.models.dagbag") or name.endswith(".DagBag"):
            self.add("airflow.dagbag", node)
        elif top == "prometheus_fastapi_instrumentator":
            self.add("prometheus.export", node, via="instrumentator")

    # -- assignments track instances (client = MlflowClient(); app = FastAPI()) ------------
    def visit_Assign(self, node: ast.Assign) -> None:
        if isinstance(node.value, ast.Call):
            qualified = self.qualify(node.value.func)
            if qualified:
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        self.instances[target.id] = qualified
                    elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
                        self.instances[f"{target.value.id}.{target.attr}"] = qualified
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if isinstance(node.target, ast.Name) and isinstance(node.value, ast.Call):
            qualified = self.qualify(node.value.func)
            if qualified:
                self.instances[node.target.id] = qualified
        self.generic_visit(node)

    def _annotate_args(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for arg in [*node.args.args, *node.args.kwonlyargs]:
            if arg.annotation is not None:
                qualified = self.qualify(arg.annotation)
                if qualified and "." in qualified:
                    self.instances[arg.arg] = qualified

    # -- definitions -----------------------------------------------------------------------
    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._annotate_args(node)
        name = node.name
        if self.is_test_file and name.startswith("test") and _placeholder_test(node):
            # a test touching nothing but builtins (`print("Hello")`, `assert True`) tests
            # nothing of the project
            self.add("test.placeholder", node, name=name)
        elif self.is_test_file and name.startswith("test"):
            self.add("test.function", node, name=name)
            if MODEL_TEST_WORDS.search(name):
                self.add("test.model", node, name=name)
            if DRIFT_DEF.search(name):
                self.add("test.drift", node, name=name)
            if re.search(r"dag|pipeline.*compile|compile", name, re.I):
                self.add("test.pipeline", node, name=name)
            if DATA_TEST.search(name) and re.search(r"data|schema|column|frame", name, re.I):
                self.add("test.data", node, name=name)
            if INTEGRATION_TEST.search(name) or re.search(
                r"(^|/)(integration|e2e)[^/]*/", self.path
            ):
                self.add("test.integration", node, name=name)
        else:
            if stacks.train_command(node, self.qualify):
                self.add("train.entrypoint", node, via="cli command")
            if name in ("lambda_handler", "handler") and len(node.args.args) == 2:
                self.add("serving.app", node, tool="serverless function")
            if name == "init" and not self.functions and re.search(r"score", self.path, re.I):
                self.add("serving.app", node, tool="Azure ML scoring script")
            if GATE_NAME.search(name) and _compares(node):
                # a gate by its name and by what it does (compares a metric to a bar), never a
                # word inside another (`_aggregate_shap_to_original`, `navigate`)
                self.add("quality.gate", node, name=name)
            if re.match(r"(validate|check)_?(data|frame|input|schema)?$|validate_", name):
                self.add("data.validation", node, name=name)
            if DRIFT_DEF.search(name):
                self.add("drift.function", node, name=name)
            if "retrain" in name.lower():
                self.add("retrain.function", node, name=name)
            if "model_card" in name.lower():
                self.add("model_card.generator", node, name=name)
            for kind, detail in practices.function_facts(name, node):
                self.add(kind, node, **detail)
        for decorator in node.decorator_list:
            self._decorator(decorator, node)
        self.functions.append(node)
        self.generic_visit(node)
        self.functions.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for base in node.bases:
            qualified = self.qualify(base) or ""
            hit = stacks.BASES.get(qualified)
            if hit:
                self.add(hit[0], node, tool=hit[1], name=node.name)
            if qualified == "metaflow.FlowSpec":
                for target in stacks.metaflow_model_artifacts(node):
                    # `self.model = fit(...)` in a step: Metaflow keeps every step attribute
                    # as an artifact of the run in its datastore, the trained model with it
                    self.add("model.save", target, via="Metaflow step artifact")
        for decorator in node.decorator_list:
            call = decorator if isinstance(decorator, ast.Call) else None
            hit = stacks.decorator_fact(self.qualify(call.func if call else decorator) or "")
            if hit:
                self.add(hit[0], node, tool=hit[1], name=node.name)
        self.generic_visit(node)

    def visit_Assert(self, node: ast.Assert) -> None:
        """`assert acc > 0.7` in a test of the saved model (the test loads it): CI fails the
        build when the model it ships misses the bar, a quality gate. Not a range check against
        0 or 1, nor a test that trains its own model to check the training code."""
        test = node.test
        if (
            self.is_test_file
            and self.functions
            and self._loads_saved_model(self.functions[-1])
            and isinstance(test, ast.Compare)
            and len(test.ops) == 1
            and isinstance(test.ops[0], (ast.Lt, ast.Gt, ast.LtE, ast.GtE))
        ):
            sides = (test.left, test.comparators[0])
            bars = [
                s
                for s in sides
                if isinstance(s, ast.Constant)
                and isinstance(s.value, (int, float))
                and not isinstance(s.value, bool)
                and s.value not in (0, 1)
            ]
            metric = [s for s in sides if s not in bars and GATE_METRIC.search(ast.unparse(s))]
            if len(bars) == 1 and metric and len(ast.unparse(metric[0])) < 80:
                self.add("quality.gate", node, name=ast.unparse(test))
        self.generic_visit(node)

    def _loads_saved_model(self, function: ast.AST) -> bool:
        for call in ast.walk(function):
            if isinstance(call, ast.Call):
                qualified = self.qualify(call.func) or ""
                last = qualified.rsplit(".", 1)[-1]
                if qualified in ("joblib.load", "pickle.load", "torch.load") or (
                    last == "load_model" or stacks.loads_model(qualified, last)
                ):
                    return True
        return False

    def visit_Compare(self, node: ast.Compare) -> None:
        """`if new_model_mse < production_model_mse:` decides promotion: a quality gate."""
        if len(node.ops) == 1 and isinstance(node.ops[0], (ast.Lt, ast.Gt, ast.LtE, ast.GtE)):
            left, right = ast.unparse(node.left), ast.unparse(node.comparators[0])
            pair = (GATE_NEW.search(left) and GATE_OLD.search(right)) or (
                GATE_OLD.search(left) and GATE_NEW.search(right)
            )
            # a metric held to a baseline or threshold (`test_accuracy <= baseline_accuracy`),
            # not a running best of a search (`score > best_score`)
            pair = (
                pair
                or (GATE_METRIC.search(left) and GATE_BAR.search(right))
                or (GATE_BAR.search(left) and GATE_METRIC.search(right))
            )
            in_gate = bool(self.functions) and GATE_NAME.search(self.functions[-1].name)
            if pair and len(left) < 80 and len(right) < 80 and not in_gate:
                # (a comparison inside a gate function is that gate, already recorded)
                self.add("quality.gate", node, name=f"{left} vs {right}")
        self.generic_visit(node)

    def _decorator(self, decorator: ast.AST, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        call = decorator if isinstance(decorator, ast.Call) else None
        qualified = self.qualify(call.func if call else decorator) or ""
        # ZenML stores every step output as a versioned artifact: a step returning a model saves
        # the model
        if (
            qualified in ZENML_STEP
            and node.returns is not None
            and MODEL_TYPE.search(ast.unparse(node.returns))
        ):
            self.add("model.save", node, via="ZenML step output", name=node.name)
        hit = stacks.decorator_fact(qualified)
        if hit:
            self.add(hit[0], node, tool=hit[1], name=node.name)
        if call and call.args and qualified.endswith(ROUTE_DECORATORS):
            for kind, detail in practices.route_facts(_const_str(call.args[0]) or ""):
                self.add(kind, node, **detail)
        route = stacks.is_flask_route(qualified, call)
        if route is not None:
            self.add("serving.app", node, tool="Flask", route=route)
        if qualified in ("kfp.dsl.pipeline", "kfp.v2.dsl.pipeline"):
            name = _const_str(_kwarg(call, "name")) if call else None
            self.add("kfp.pipeline", node, name=name or node.name)
        elif qualified in (
            "kfp.dsl.component",
            "kfp.dsl.container_component",
            "kfp.v2.dsl.component",
        ):
            self.add("kfp.component", node, name=node.name)
        elif qualified in (
            "airflow.decorators.dag",
            "airflow.sdk.dag",
            "airflow.sdk.definitions.dag.dag",
        ):
            self._dag(call, node, default_id=node.name)
        elif qualified.endswith((".get", ".post", ".put", ".api_route")):
            owner = qualified.rsplit(".", 1)[0]
            if owner.startswith(("fastapi.FastAPI()", "fastapi.APIRouter()")):
                route = _const_str(call.args[0]) if call and call.args else None
                self.add(
                    "fastapi.route", node, method=qualified.rsplit(".", 1)[1], route=route or ""
                )

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
        last = qualified.rsplit(".", 1)[-1]
        root = qualified.split(".")[0]
        for kind, tool in stacks.call_facts(qualified, last):
            self.add(kind, node, tool=tool, call=last)
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
            self.add("retrain.trigger", node, via=last)
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
        if qualified in ("joblib.dump", "pickle.dump", "torch.save", "cloudpickle.dump") or (
            last == "save_model" and root not in ("self",)
        ):
            self.add("model.save", node, via=qualified)
        if qualified in ("joblib.load", "pickle.load", "torch.load") or (
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
        if qualified.startswith(("fastapi.FastAPI().", "fastapi.APIRouter().")) and last == "mount":
            self.add("fastapi.mount", node, route=_const_str(node.args[0]) if node.args else "")
        if "Instrumentator" in qualified and last == "expose":
            self.add("prometheus.export", node, via="instrumentator")
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and node.value.startswith("models:/"):
            self.add("mlflow.model_uri", node, uri=node.value)
        if isinstance(node.value, str) and node.value in stacks.STRINGS:
            kind, tool = stacks.STRINGS[node.value]
            self.add(kind, node, tool=tool)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        text = _const_str(node) or ""
        if text.startswith("models:/"):
            self.add("mlflow.model_uri", node, uri=text)
        self.generic_visit(node)

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        if (
            isinstance(test, ast.Compare)
            and isinstance(test.left, ast.Name)
            and test.left.id == "__name__"
            and any(_const_str(c) == "__main__" for c in test.comparators)
        ):
            self.add("entrypoint", node)
        self.generic_visit(node)

    def visit_With(self, node: ast.With) -> None:
        for item in node.items:
            if isinstance(item.context_expr, ast.Call) and isinstance(item.optional_vars, ast.Name):
                qualified = self.qualify(item.context_expr.func)
                if qualified:
                    self.instances[item.optional_vars.id] = qualified
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


def _compares(node: ast.AST) -> bool:
    """The function compares values (`metric < threshold`) or raises/returns on a condition."""
    return any(
        isinstance(n, ast.Compare)
        and any(isinstance(op, (ast.Lt, ast.Gt, ast.LtE, ast.GtE)) for op in n.ops)
        for n in ast.walk(node)
    )


def _schedule_repr(node: ast.AST, visitor: _Visitor) -> str:
    if isinstance(node, ast.Constant):
        return "none" if node.value is None else str(node.value)
    if isinstance(node, (ast.List, ast.Tuple)):
        return "asset"
    qualified = visitor.qualify(node.func if isinstance(node, ast.Call) else node) or ""
    if qualified.endswith(("Asset", "Dataset", "AssetAll", "AssetAny", "AssetOrTimeSchedule")):
        return "asset"
    return qualified or "expression"


def parse_python(
    source: bytes,
    path: str,
    zone: Zone,
    is_test_file: bool,
    line_offset: int = 0,
    sibling_exists=None,
) -> tuple[list[Fact], list[Problem]]:
    """Facts of one Python file (or notebook cell); a syntax error is a problem, not a crash."""
    if not TRIGGER.search(source):
        return [], []
    notes: list[Problem] = []
    try:
        tree = ast.parse(source, filename=path)
    except (SyntaxError, ValueError) as exc:
        line = (getattr(exc, "lineno", None) or 1) + line_offset
        msg = getattr(exc, "msg", None) or str(exc)
        recovered = recover(source.decode("utf-8", errors="replace"))
        if recovered is None:
            return [], [
                Problem(
                    path=path,
                    line=line,
                    category="python",
                    message=f"syntax error: {msg}",
                    zone=zone,
                )
            ]
        tree, note = recovered
        if note:
            notes.append(
                Problem(
                    path=path,
                    line=line,
                    category="python",
                    message=f"{note} (syntax error: {msg})",
                    zone=zone,
                    note=True,
                )
            )
    visitor = _Visitor(path, zone, is_test_file)
    visitor.visit(tree)
    if line_offset:
        for fact in visitor.facts:
            fact.line += line_offset
    siblings = sorted(
        {
            ".".join([*visitor.package.split("."), m]) if visitor.package else m
            for m in visitor.siblings
            if sibling_exists is not None and sibling_exists(m)
        }
    )
    if (visitor.local_imports or siblings) and zone is Zone.SOURCE and not is_test_file:
        # siblings: bare imports that may be modules next to this file (`import loader`)
        visitor.add("py.imports", 1, modules=sorted(set(visitor.local_imports)), siblings=siblings)
    if is_test_file:
        # Test files that import the orchestrators test the pipelines (DAG integrity, compile).
        if visitor.uses("airflow"):
            visitor.add("test.pipeline", 1, orchestrator="airflow")
        if visitor.uses("kfp"):
            visitor.add("test.pipeline", 1, orchestrator="kfp")
    return visitor.facts, notes


_BUILTINS = frozenset(dir(builtins))
VERTEX_BATCH_PREDICTION = frozenset(
    {"create_batch_prediction_job", "batch_predict", "ModelBatchPredictOp"}
)


def _placeholder_test(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A test function with no fixtures whose body reads no name but builtins and no
    attribute: it can call nothing of the project."""
    if node.args.args or node.args.kwonlyargs or node.args.vararg or node.decorator_list:
        return False
    for child in ast.walk(ast.Module(body=node.body, type_ignores=[])):
        if isinstance(child, ast.Attribute | ast.Import | ast.ImportFrom):
            return False
        loaded = isinstance(child, ast.Name) and isinstance(child.ctx, ast.Load)
        if loaded and child.id not in _BUILTINS:
            return False
    return True

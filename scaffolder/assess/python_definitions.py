"""Facts from the definitions of a Python file: functions (tests, gates, drift and PSI
functions, pipeline steps), their decorators (routes, DAGs, pipelines, steps), classes,
asserts and comparisons. A mixin of the visitor in `parse_python.py`."""

from __future__ import annotations

import ast
import builtins
import re

from scaffolder.assess import detect_python as stacks
from scaffolder.assess import practices
from scaffolder.assess.python_column_checks import (
    asserts_columns,
    holds_records_to_bounds,
    inspects_data,
)
from scaffolder.assess.python_libraries import (
    DRIFT_DEF,
    GATE_NEW,
    GATE_OLD,
    INTEGRATION_TEST,
    MODEL_TEST_WORDS,
    _const_str,
    _kwarg,
    is_data_test,
)

GATE_NAME = re.compile(r"(^|_)gates?($|_)|[a-z]Gates?($|[A-Z_])|^Gate")
# metric names as whole words of an identifier (`test_accuracy`, `val_auc`), not a prediction's
# score or probability (`scored["churn_probability"] >= threshold` decides a class)
GATE_METRIC = re.compile(
    r"(?<![a-z0-9])(acc|accuracy|auc|f1|rmse|mse|mae|mape|r2|precision|recall|metric"
    r"|wmape|smape|r_squared|(test|val|valid|validation|eval|holdout)_score)(?![a-z0-9])",
    re.I,
)
# (`expected_accuracy`: the ineuron-style trainer's configured bar a model must reach)
GATE_BAR = re.compile(r"baseline|threshold|champion|prod|deployed|previous|expected", re.I)
ROUTE_DECORATORS = (".route", ".get", ".post", ".put", ".api_route")
ZENML_STEP = ("zenml.step", "zenml.steps.step")
MODEL_TYPE = re.compile(
    r"Classifier|Regressor|Estimator|Model|Module|Booster|is_model_artifact|Pipeline\b"
)


class DefinitionFacts:
    """visit_FunctionDef, visit_ClassDef, visit_Assert, visit_Compare and decorators."""

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
        if self.is_test_file and not self.http_mocked:
            self.http_mocked = _mocks_http(node, self.qualify)
        if self.is_test_file and name.startswith("test") and _placeholder_test(node):
            # a test touching nothing but builtins (`print("Hello")`, `assert True`) tests
            # nothing of the project
            self.add("test.placeholder", node, name=name)
        elif self.is_test_file and name.startswith("test"):
            self.add("test.function", node, name=name)
            if MODEL_TEST_WORDS.search(name):
                self.add("test.model", node, name=name)
            if DRIFT_DEF.search(name) and _exercises_drift(node, self.qualify) and _checks(node):
                self.add("test.drift", node, name=name)
            if DRIFT_DEF.search(name):
                # the service's routes a drift test requests (`requests.get(f"http://api/
                # monitor-data?...")`): it tests drift detection when the route's handler is one
                for route in _requested_routes(node):
                    self.add("test.drift_route", node, name=name, route=route)
            if re.search(r"dag|pipeline.*compile|compile", name, re.I):
                self.add("test.pipeline", node, name=name)
            if is_data_test(name):
                self.add("test.data", node, name=name)
            if re.search(r"(^|/)(integration|e2e)[^/]*/", self.path):
                self.add("test.integration", node, name=name)
            elif _real_cloud_client(node, self.qualify):
                # a test talking to a cloud service (dropped when the file mocks it: parse_python)
                self.add("test.integration", node, name=name, cloud=True)
            elif INTEGRATION_TEST.search(name):
                # by its name only: dropped when the file mocks the HTTP client (parse_python)
                self.add("test.integration", node, name=name, by_name=True)
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
            if re.match(r"(validate|check)_?(data|frame|input|schema)?$|validate_", name) and (
                inspects_data(node) or holds_records_to_bounds(node, name)
            ):
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
        if not self.is_test_file and asserts_columns(node):
            self.add("data.validation", node, name="required columns")
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
        if id(node) in getattr(self, "non_gating", ()):
            self.generic_visit(node)
            return
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
        if hit == ("pipeline.def", "ZenML"):
            # ZenML records each run of a pipeline, its steps' parameters and versioned outputs
            # in its metadata store, as TFX's ML Metadata and SageMaker Pipelines do
            self.add("track.run", node, tool="ZenML run metadata", name=node.name)
        if call and call.args and qualified.endswith(ROUTE_DECORATORS):
            for kind, detail in practices.route_facts(_const_str(call.args[0]) or ""):
                self.add(kind, node, **detail)
        route = stacks.is_flask_route(qualified, call)
        if route is not None:
            self.add("serving.app", node, tool="Flask", route=route)
        elif call and qualified.startswith("flask.Flask()") and qualified.endswith(".route"):
            # any other route of a Flask app (`/` of a form app): serving when the app loads a
            # model (checks/web_apps.py)
            self.add("flask.route", node, route=_const_str(call.args[0]) if call.args else "")
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


# a call that computes drift (`psi(a, b)`, `ks_2samp`, `detector.detect(...)`, Evidently's
# `DataDriftPreset()`, a monitoring job `run_monitoring(...)`), by its dotted name
DRIFT_CALL = re.compile(
    r"drift|psi|population_stab|ks_?2samp|ks_test|kolmogorov|wasserstein|jensen|chi2|"
    r"detect|monitor|evidently|alibi|nannyml",
    re.I,
)
MOCKED = re.compile(r"mock|fake|stub|patch|monkeypatch", re.I)


def _exercises_drift(test: ast.AST, qualify) -> bool:
    """A test named for drift tests drift detection when it calls it, or code of a drift module
    (`from src.data_drift_setup import main; main()`, its dependencies mocked); not when the
    drift check is the mock (`mock_check_drift.assert_called_once()`) or a policy is fed a drift
    flag (`should_skip_training(True, False)`)."""
    for item in ast.walk(test):
        if isinstance(item, ast.Call):
            name = qualify(item.func) or _called_name(item.func)
            if DRIFT_CALL.search(name) and not MOCKED.search(name):
                return True
    return False


# a call that checks (`self.assertTrue`, `np.testing.assert_allclose`, `pytest.raises`,
# `pytest.fail`, `mock.assert_called_once`): the test fails when the check does
CHECK_CALL = re.compile(r"^(assert\w*|fail|raises|warns|approx)$")


def _checks(test: ast.AST) -> bool:
    """The test can fail on what it computes: an `assert`, a `raise` or a checking call. One
    that only prints or returns its result (`return {"status": "simulated"}`, `except
    Exception: return False`) passes whatever the drift code does."""
    for item in ast.walk(test):
        if isinstance(item, ast.Assert | ast.Raise):
            return True
        if isinstance(item, ast.Call):
            last = _called_name(item.func).rsplit(".", 1)[-1]
            if CHECK_CALL.match(last):
                return True
    return False


def _called_name(func: ast.expr) -> str:
    """What a call names: a method of a value computed in place (`df["x_drift"].max()`, `(a >
    b).any()`) names the method alone; the frame's name is not what is called."""
    if isinstance(func, ast.Attribute) and not isinstance(func.value, (ast.Name, ast.Attribute)):
        return func.attr
    return ast.unparse(func)


def _requested_routes(test: ast.AST) -> list[str]:
    """The URL paths a test requests (`client.get("/drift")`, `requests.get(f"http://h:80/x?")`)."""
    routes = []
    for item in ast.walk(test):
        if (
            isinstance(item, ast.Call)
            and isinstance(item.func, ast.Attribute)
            and item.func.attr in ("get", "post", "put")
            and item.args
        ):
            url = _const_str(item.args[0]) or ""
            path = re.sub(r"^\w+://[^/]+", "", url).split("?")[0]
            if path.startswith("/") and path not in routes:
                routes.append(path)
    return routes


HTTP_CLIENTS = re.compile(r"(^|\.)(requests|httpx|urllib3?|aiohttp)(\.|$)")
HTTP_MOCK_FIXTURES = {"requests_mock", "httpx_mock", "respx_mock", "responses"}


def _mocks_http(test: ast.FunctionDef | ast.AsyncFunctionDef, qualify) -> bool:
    """A test or fixture that replaces the HTTP call (`monkeypatch.setattr(requests, "post",
    ...)`, `mock.patch("requests.post")`, `@responses.activate`, a `requests_mock` fixture): the
    file checks a client's own code, so its tests named for an endpoint do not test the service
    end to end."""
    if {a.arg for a in test.args.args} & HTTP_MOCK_FIXTURES:
        return True
    for item in [*test.decorator_list, *ast.walk(test)]:
        if not isinstance(item, (ast.Call, ast.Attribute)):
            continue
        func = item.func if isinstance(item, ast.Call) else item
        name = qualify(func) or ast.unparse(func)
        if name.startswith(("responses.activate", "respx.mock")):
            return True
        if isinstance(item, ast.Call) and re.search(r"(^|\.)(setattr|patch|object)$", name):
            for arg in item.args[:1]:
                target = (
                    arg.value
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                    else qualify(arg) or ast.unparse(arg)
                )
                if HTTP_CLIENTS.search(target) or SDK_CLIENT.search(target):
                    return True
    return False


# a cloud or platform SDK's client class patched in a test (`patch("pkg.serving.WorkspaceClient")`):
# the file's tests run against a mock of the service, not the service
SDK_CLIENT = re.compile(r"(^|\.)(WorkspaceClient|ServingEndpointsAPI|boto3\.client)$")


CLOUD_CLIENTS = re.compile(
    r"^(boto3\.(client|resource|Session)|google\.cloud\.(storage|bigquery)\.Client|"
    r"azure\.storage\.blob\.BlobServiceClient)"
)


def _real_cloud_client(test: ast.FunctionDef | ast.AsyncFunctionDef, qualify) -> bool:
    """The test builds a cloud SDK client (`boto3.client("s3")`, `storage.Client()`): what it
    runs reads and writes a real service, end to end, unless the file mocks it (moto, Stubber)."""
    return any(
        isinstance(item, ast.Call) and CLOUD_CLIENTS.search(qualify(item.func) or "")
        for item in ast.walk(test)
    )


def _compares(node: ast.AST) -> bool:
    """The function compares values (`metric < threshold`) or raises/returns on a condition."""
    return any(
        isinstance(n, ast.Compare)
        and any(isinstance(op, (ast.Lt, ast.Gt, ast.LtE, ast.GtE)) for op in n.ops)
        for n in ast.walk(node)
    )


_BUILTINS = frozenset(dir(builtins))


def _placeholder_test(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A test function with no fixtures whose body reads no name but builtins and no
    attribute: it can call nothing of the project. A test whose body is empty (a docstring,
    `pass`, `...`: the cookiecutter sample with its checks commented out) tests nothing,
    whatever fixtures it takes."""
    if all(
        isinstance(s, ast.Pass) or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
        for s in node.body
    ):
        return True
    if node.args.args or node.args.kwonlyargs or node.args.vararg or node.decorator_list:
        return False
    for child in ast.walk(ast.Module(body=node.body, type_ignores=[])):
        if isinstance(child, ast.Attribute | ast.Import | ast.ImportFrom):
            return False
        loaded = isinstance(child, ast.Name) and isinstance(child.ctx, ast.Load)
        if loaded and child.id not in _BUILTINS:
            return False
    return True

"""Facts from Python source by its AST, with import aliases resolved.

`import mlflow as mf; mf.log_metric(...)`, `from kfp import dsl; @dsl.pipeline` and
`client = MlflowClient(); client.set_registered_model_alias(...)` all resolve to the
qualified names the rules below look for.
"""

from __future__ import annotations

import ast
import sys

from scaffolder.assess import detect_python as stacks
from scaffolder.assess.models import Fact, Problem, Zone
from scaffolder.assess.parse_ci import classify
from scaffolder.assess.python_calls import CallFacts
from scaffolder.assess.python_column_checks import raises_on_missing_columns
from scaffolder.assess.python_data_files import opened_path
from scaffolder.assess.python_definitions import DefinitionFacts
from scaffolder.assess.python_file_passes import file_passes
from scaffolder.assess.python_gate_branches import alerts_only, bar_names, persists_either_way
from scaffolder.assess.python_libraries import (
    DRIFT_LIBRARIES,
    LibraryCalls,
    _const_str,
    _package_of,
    command_list,
)
from scaffolder.assess.python_recover import recover
from scaffolder.assess.python_run_tags import lineage_dict

# A file none of whose bytes match this cannot hold a fact below, so it is not parsed at all:
# a cheap gate that keeps a 20,000-file scan fast. The facts themselves come from the AST.
TRIGGER_WORDS = [
    *(  # noqa: SIM905 - a word list reads better as one string
        "mlflow kfp airflow great_expectations pandera fastapi prometheus evidently alibi nannyml "
        "whylogs deepchecks scipy seed random_state sklearn joblib pickle torch __main__ models:/ "
        "drift psi gate validat hashlib hash_pandas dag Dag DAG subprocess os.system mlops_runtime "
        ".columns"
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


CLOUD_MOCKS = ("moto", "botocore.stub")


# libraries vendored under another's name in old releases: read as the library itself
# (`from sklearn.externals import joblib`, removed in scikit-learn 0.23, is joblib)
VENDORED = {"sklearn.externals.joblib": "joblib"}


def _renamed(name: str) -> str:
    for old, new in VENDORED.items():
        if name == old or name.startswith(old + "."):
            return new + name[len(old) :]
    return name


class _Visitor(CallFacts, DefinitionFacts, LibraryCalls, ast.NodeVisitor):
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
        self.opened: dict[str, str] = {}  # file handle -> the path it was opened on
        self.http_mocked = False  # a test file replacing the HTTP client (python_definitions)
        self.import_bases: list[str] = []  # folders put on sys.path (python_sys_path)
        self.dict_keys: dict[str, list[str]] = {}  # name -> the string keys of a dict it holds
        self.non_gating: set[int] = set()  # comparisons that decide no promotion
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
            if self._own(alias.name):
                self.local_imports.append(alias.name)
            if alias.asname:
                self.aliases[alias.asname] = _renamed(alias.name)
            else:
                top = alias.name.split(".")[0]
                self.aliases.setdefault(top, top)
            self._import_fact(alias.name, node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = _renamed(node.module or "")
        if node.level:  # relative import: our own package, never a library
            parts = self.package.split(".") if self.package else []
            if node.level - 1 <= len(parts):
                base = ".".join(
                    parts[: len(parts) - (node.level - 1)] + ([module] if module else [])
                )
                if base and module:
                    self.local_imports.append(base)
                    # from ..monitoring import drift: the names may be modules of the package
                    self.local_imports.extend(f"{base}.{a.name}" for a in node.names)
                elif base:  # from . import loader: the names are modules
                    self.local_imports.extend(f"{base}.{a.name}" for a in node.names)
            return
        self.imports.add(module)
        self._sibling(module)
        for alias in node.names:  # from utils import model_mngt: maybe a module of a package
            if alias.name != "*":
                self._sibling(f"{module}.{alias.name}")
        # under a folder the file put on sys.path: maybe a module of the project there
        self.local_imports.extend(f"{b}.{module}" if b else module for b in self.import_bases)
        if self._own(module):
            self.local_imports.append(module)
            if module in (self.own_top, "src"):  # from pkg import registry: names are modules
                self.local_imports.extend(f"{module}.{a.name}" for a in node.names)
        for alias in node.names:
            qualified = _renamed(f"{module}.{alias.name}")
            self.aliases[alias.asname or alias.name] = qualified
            self.imports.add(qualified)
            self._import_fact(qualified, node)

    def _own(self, module: str) -> bool:
        """The project's own package: `pkg` of src/pkg/..., or `src` itself when the project
        imports it as a package (`from src.inference.router import load_model`), also from
        files outside it (`controller/predict.py`, run from the root): no library is `src`."""
        top = module.split(".")[0]
        return bool(self.own_top) and top == self.own_top or top == "src"

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
        command = command_list(node.value)
        if command and "deploy" in classify(command):
            self.add("script.command", node, command=command)  # run later through a helper
        if isinstance(node.value, ast.Dict):  # base_tags = {"git_commit": sha(), ...}
            keys = [k.value for k in node.value.keys if isinstance(k, ast.Constant)]
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self.dict_keys[target.id] = [k for k in keys if isinstance(k, str)]
        for target in node.targets:  # tags["BuildId"] = build_id adds a key to that dict
            if (
                isinstance(target, ast.Subscript)
                and isinstance(target.value, ast.Name)
                and target.value.id in self.dict_keys
                and isinstance(target.slice, ast.Constant)
                and isinstance(target.slice.value, str)
            ):
                self.dict_keys[target.value.id].append(target.slice.value)
        if isinstance(node.value, ast.Call):
            qualified = self.qualify(node.value.func)
            if qualified:
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        self.instances[target.id] = qualified
                        path = opened_path(node.value, qualified)
                        if path:
                            self.opened[target.id] = path
                    elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
                        self.instances[f"{target.value.id}.{target.attr}"] = qualified
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if isinstance(node.target, ast.Name) and isinstance(node.value, ast.Call):
            qualified = self.qualify(node.value.func)
            if qualified:
                self.instances[node.target.id] = qualified
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        lineage_dict(self, node)
        for key, value in zip(node.keys, node.values, strict=False):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                self._failure_alert(key.value, value, key)  # `default_args = {...}`
            qualified = self.qualify(value) if isinstance(value, ast.Attribute) else None
            if qualified and qualified.startswith("mlflow.") and qualified.endswith(".load_model"):
                # a table of MLflow flavour loaders by model type (`{"xgboost":
                # mlflow.xgboost.load_model}`), called with the URI it is given: a model load
                self.add("model.load", value, via=qualified, uri="", dispatched=True)
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
        elif not self.is_test_file and raises_on_missing_columns(
            node, self.functions[-1] if self.functions else None
        ):
            self.add("data.validation", node, name="required columns")
        if not self.is_test_file and persists_either_way(node):
            # the model is logged either way: the comparison gates nothing (python_gate_branches)
            self.non_gating.add(id(test))
            for bar in bar_names(test):
                self.add("threshold.trigger", node, bar=bar)
        elif not self.is_test_file and alerts_only(node):
            self.non_gating.add(id(test))  # an alert on a metric holds nothing back
        self.generic_visit(node)

    def visit_With(self, node: ast.With) -> None:
        for item in node.items:
            if isinstance(item.context_expr, ast.Call) and isinstance(item.optional_vars, ast.Name):
                qualified = self.qualify(item.context_expr.func)
                if qualified:
                    self.instances[item.optional_vars.id] = qualified
                    path = opened_path(item.context_expr, qualified)
                    if path:
                        self.opened[item.optional_vars.id] = path
        self.generic_visit(node)


def parse_python(
    source: bytes,
    path: str,
    zone: Zone,
    is_test_file: bool,
    line_offset: int = 0,
    sibling_exists=None,
    ancestor_module=None,
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
    visitor.facts = file_passes(tree, visitor, path, zone, is_test_file)
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
    if ancestor_module is not None:
        # `from utils import model_mngt` run from a folder above (a Mage project's root, an
        # Airflow `include/`, a `src/` package imported from a script beside it): the module
        # of the project that an ancestor folder holds
        found = {ancestor_module(m) for m in visitor.siblings} - {None}
        siblings = sorted(set(siblings) | found)
    if (visitor.local_imports or siblings) and zone is Zone.SOURCE and not is_test_file:
        # siblings: bare imports that may be modules next to this file (`import loader`)
        visitor.add("py.imports", 1, modules=sorted(set(visitor.local_imports)), siblings=siblings)
    if is_test_file and any(visitor.uses(m) for m in CLOUD_MOCKS):
        # a cloud client under moto or botocore's Stubber talks to no service
        visitor.facts = [
            x for x in visitor.facts if not (x.kind == "test.integration" and x.detail.get("cloud"))
        ]
    if is_test_file and visitor.http_mocked:
        # tests named for an endpoint in a file that mocks the HTTP client test the client
        visitor.facts = [
            x
            for x in visitor.facts
            if not (x.kind == "test.integration" and x.detail.get("by_name"))
        ]
    if is_test_file:
        # Test files that import the orchestrators test the pipelines (DAG integrity, compile).
        if visitor.uses("airflow"):
            visitor.add("test.pipeline", 1, orchestrator="airflow")
        if visitor.uses("kfp"):
            visitor.add("test.pipeline", 1, orchestrator="kfp")
    return visitor.facts, notes

"""What `parse_python` knows of libraries: the call tables and trigger-free helpers, and the
MLflow, Great Expectations and subprocess-wrapper readers the AST visitor mixes in."""

from __future__ import annotations

import ast
import re

GATE_NEW = re.compile(r"new|candidate|challenger|current_run|trained", re.I)
GATE_OLD = re.compile(r"prod|champion|baseline|best|deployed|previous|threshold", re.I)
DATA_TEST = re.compile(r"schema|column|dtype|data_quality|valid|missing|null|range", re.I)
# a test named for the service's prediction request or response, or for the split, tests the
# serving schema or the holdout, not the data a model is trained on
NOT_DATA_TEST = re.compile(
    r"predict|endpoint|request|route|response|payload|(^|_)api(_|$)|split|divide", re.I
)


def is_data_test(name: str) -> bool:
    """A test named for the data (`test_missing_columns`, `test_data_schema`), not for serving or
    the split."""
    return bool(
        DATA_TEST.search(name)
        and re.search(r"data|schema|column|frame", name, re.I)
        and not NOT_DATA_TEST.search(name)
    )


INTEGRATION_TEST = re.compile(r"e2e|end_to_end|integration|endpoint|smoke", re.I)

TRACKING_CALLS = {
    "start_run",
    "log_param",
    "log_params",
    "log_metric",
    "log_metrics",
    "autolog",
    "set_experiment",
    "log_artifact",
    "log_artifacts",
    "log_input",
    "set_tag",
    "set_tags",
    "log_dict",
    "log_figure",
    "log_table",
}
CLIENT_REGISTRY_CALLS = {
    "create_registered_model",
    "create_model_version",
    "set_registered_model_alias",
    "transition_model_version_stage",
    "get_model_version_by_alias",
    "set_model_version_tag",
}
REGISTRY_LOOKUPS = {"search_model_versions", "get_latest_versions"}
PROM_METRIC_TYPES = {"Counter", "Gauge", "Histogram", "Summary", "Info", "Enum"}
PROM_EXPORTS = {
    "write_to_textfile",
    "push_to_gateway",
    "start_http_server",
    "make_asgi_app",
    "generate_latest",
    "make_wsgi_app",
    "pushadd_to_gateway",
}
DRIFT_LIBRARIES = ("evidently", "alibi_detect", "nannyml", "whylogs", "deepchecks", "frouros")
DRIFT_TESTS = {
    "scipy.stats.ks_2samp",
    "scipy.stats.wasserstein_distance",
    "scipy.stats.chisquare",
    "scipy.stats.chi2_contingency",
    "scipy.stats.entropy",
    "scipy.spatial.distance.jensenshannon",
}
DRIFT_DEF = re.compile(r"(^|_)(psi|population_stability(_index)?|drift|ks_test|kolmogorov)", re.I)
SEED_CALLS = {
    "numpy.random.seed",
    "random.seed",
    "torch.manual_seed",
    "tensorflow.random.set_seed",
    "numpy.random.default_rng",
    "numpy.random.RandomState",
    "lightning.seed_everything",
    "pytorch_lightning.seed_everything",
    "transformers.set_seed",
    "random.Random",
}
SEED_KWARGS = {"random_state", "seed", "random_seed"}
MODEL_TEST_WORDS = re.compile(
    r"champion|challenger|holdout|slice|prediction_range|range_of_predictions|quality_gate|"
    r"threshold|beats|regression|fairness|calibration|invariance|directional",
    re.I,
)
GX_SUITE_CALLS = {"ExpectationSuite", "add_expectation_suite", "add_or_update_expectation_suite"}
GX_CHECKPOINT_CALLS = {
    "Checkpoint",
    "SimpleCheckpoint",
    "add_checkpoint",
    "add_or_update_checkpoint",
    "run_checkpoint",
}
GX_EXPECT_CLASS = re.compile(r"Expect(?!ation)[A-Z]")
SUBPROCESS_CALLS = {
    "subprocess.run",
    "subprocess.call",
    "subprocess.check_call",
    "subprocess.check_output",
    "subprocess.Popen",
    "os.system",
    "os.popen",
}
LINEAGE_KEY = re.compile(
    r"git|commit|sha|data.?(hash|version|digest|sha)|pipeline.?run|run.?id", re.I
)
# a run parameter or tag naming the version of the data it trained on (`dataset_version`,
# `data_hash`, `train_dataset_sha256`, `dvc_md5`)
DATA_VERSION_KEY = re.compile(r"(data(set)?|dvc)[_.\- ]?(hash|version|digest|sha|md5|rev)", re.I)

# MLflow's deployment plugins that put a logged model behind a web service
MLFLOW_DEPLOYS = {
    "mlflow.azureml.deploy": "Azure ML web service (mlflow.azureml)",
    "mlflow.sagemaker.deploy": "SageMaker endpoint (mlflow.sagemaker)",
}
# `mlflow.projects.run(backend=...)` on a managed service rather than the local machine
MANAGED_BACKENDS = {
    "azureml": "Azure ML (MLflow project)",
    "databricks": "Databricks (MLflow project)",
    "kubernetes": "Kubernetes job (MLflow project)",
}


def last_name(func: ast.AST) -> str:
    """The last name of what is called or read: `fit` of `model.fit`, `train` of `train`; ""
    for anything else (a subscript, a call's result)."""
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _const_str(node: ast.AST | None) -> str | None:
    """A string constant, or an f-string with its placeholders as `{}`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                parts.append(value.value)
            else:
                parts.append("{}")
        return "".join(parts)
    return None


def _package_of(path: str) -> str:
    """The dotted package a file at `path` belongs to (`src/pkg/serving/app.py` ->
    `src.pkg.serving`), against which its relative imports resolve."""
    parts = path.split("/")
    return ".".join(parts[:-1])


def _command(node: ast.AST) -> str:
    """The command line a subprocess call runs, constants as written, the rest as `{}`."""
    if isinstance(node, (ast.List, ast.Tuple)):
        words = []
        for element in node.elts:
            text = _const_str(element)
            words.append(text if text is not None else "{}")
        return " ".join(words) if words and words[0] != "{}" else ""
    return _const_str(node) or ""


# Hugging Face Hub calls that push files to a repository (a Space when `repo_type="space"`)
SPACE_UPLOADS = {"upload_folder", "upload_file", "create_commit", "upload_large_folder"}
# command-line tools that put a service or model somewhere (a cloud's CLI, a cluster's)
DEPLOY_CLIS = {"gcloud", "aws", "az", "kubectl", "helm", "flyctl", "fly", "heroku", "eb"}


def command_list(node: ast.AST) -> str:
    """A command line written as a list of words in the code (`command = ["gcloud", "run",
    "deploy", name, ...]`, run later through a helper): its words, constants as written, the
    rest as `{}`; empty unless it starts with a cloud's or a cluster's CLI."""
    if not isinstance(node, (ast.List, ast.Tuple)) or len(node.elts) < 3:
        return ""
    first = _const_str(node.elts[0])
    return _command(node) if first in DEPLOY_CLIS else ""


def _kwarg(call: ast.Call | None, name: str) -> ast.AST | None:
    if call is None:
        return None
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


class LibraryCalls:
    """Readers of MLflow, GX and command-wrapper calls; mixed into the AST visitor, which
    provides `add`, `functions`, `wrappers`, `dict_keys` and `qualify`."""

    def _wrapper(self, argv: ast.AST) -> None:
        """A function passing its `*args` to a command (`run(["kubectl", *args])`) wraps that
        command: its calls in this module are commands too (`kubectl("apply", "-k", dir)`)."""
        if not self.functions or not isinstance(argv, (ast.List, ast.Tuple)):
            return
        function = self.functions[-1]
        vararg = function.args.vararg.arg if function.args.vararg else None
        prefix: list[str] = []
        for element in argv.elts:
            if isinstance(element, ast.Starred):
                if isinstance(element.value, ast.Name) and element.value.id == vararg and prefix:
                    self.wrappers[function.name] = prefix
                return
            text = _const_str(element)
            if text is None:
                return
            prefix.append(text)

    def _space_upload(self, node: ast.Call, last: str) -> None:
        """`HfApi().upload_folder(..., repo_type="space")` (or upload_file, create_commit):
        the app pushed to a Hugging Face Space, which builds and runs it, as `huggingface-cli
        upload --repo-type space` does (a deploy where CI runs the script)."""
        if last in SPACE_UPLOADS and _const_str(_kwarg(node, "repo_type")) == "space":
            self.add("script.command", node, command="huggingface-cli upload {} --repo-type space")

    def _gx(self, node: ast.Call, qualified: str, last: str) -> None:
        """Suites, checkpoints and expectations defined in code (GX 0.x and 1.x APIs)."""
        if last in GX_SUITE_CALLS or (".suites." in qualified and last in ("add", "add_or_update")):
            self.add("gx.suite_code", node, call=last)
        elif last in GX_CHECKPOINT_CALLS or (
            ".checkpoints." in qualified and last in ("add", "add_or_update")
        ):
            self.add("gx.checkpoint_code", node, call=last)
        elif (GX_EXPECT_CLASS.match(last) and qualified.startswith("great_expectations.")) or (
            last.startswith("expect_") and "." in qualified
        ):
            self.add("gx.expectation", node, expectation=last)
        elif last == "ExpectationConfiguration":
            kind = _const_str(_kwarg(node, "type")) or _const_str(_kwarg(node, "expectation_type"))
            if kind:
                self.add("gx.expectation", node, expectation=kind)

    def _mlflow(self, node: ast.Call, qualified: str, last: str) -> None:
        if last in TRACKING_CALLS or qualified.endswith(".autolog"):
            self.add("mlflow.tracking", node, call=last)
        if qualified in MLFLOW_DEPLOYS:
            # `mlflow.azureml.deploy(model_uri=..., deployment_config=aci)`: a web service
            # serving the logged model
            self.add("serving.app", node, tool=MLFLOW_DEPLOYS[qualified])
        if qualified == "mlflow.projects.run":
            backend = _const_str(_kwarg(node, "backend")) or ""
            if backend in MANAGED_BACKENDS:
                # the project runs as a job of Azure ML, Databricks or Kubernetes
                self.add("runtime.managed", node, tool=MANAGED_BACKENDS[backend])
        if last in ("set_tag", "set_tags", "set_model_version_tag"):
            for key in self._tag_keys(node, last):
                if LINEAGE_KEY.search(key):
                    self.add("mlflow.lineage_tag", node, key=key, on=last)
        if qualified.startswith("mlflow.") and last in ("log_param", "log_params", "set_tag"):
            # the data version logged with the run that logs the model (`log_param(
            # "dataset_version", manifest["dataset_version"])`): recorded with the model
            for key in self._param_keys(node, last):
                if DATA_VERSION_KEY.search(key):
                    self.add("data.version", node, key=key, tool="MLflow run", call=last)
        if last == "start_run":
            # the run's tags (`start_run(tags={"git_commit": sha})`, or a dict built just
            # before): the model the run logs and registers carries them
            tags = _kwarg(node, "tags")
            keys = self.dict_keys.get(tags.id, []) if isinstance(tags, ast.Name) else []
            if isinstance(tags, ast.Dict):
                keys = [_const_str(k) or "" for k in tags.keys]
            for key in keys:
                if LINEAGE_KEY.search(key):
                    self.add("mlflow.lineage_tag", node, key=key, on=last)
        if last == "register_model" or (
            last == "log_model" and _kwarg(node, "registered_model_name")
        ):
            self.add("mlflow.registry", node, call=last)
            tags = _kwarg(node, "tags")
            if isinstance(tags, ast.Dict):
                for key in tags.keys:
                    text = _const_str(key) or ""
                    if LINEAGE_KEY.search(text):
                        self.add("mlflow.lineage_tag", node, key=text, on=last)
        elif last in CLIENT_REGISTRY_CALLS:
            self.add("mlflow.registry", node, call=last)
            if last in ("set_registered_model_alias", "transition_model_version_stage"):
                alias = (
                    _const_str(node.args[1])
                    if len(node.args) > 1
                    else _const_str(_kwarg(node, "alias"))
                )
                self.add("mlflow.alias", node, alias=alias or "")
            if last == "get_model_version_by_alias":
                self.add("mlflow.alias_lookup", node)
        elif last in REGISTRY_LOOKUPS:
            # which registered version to use, looked up in the registry
            self.add("mlflow.alias_lookup", node, call=last)

    def _param_keys(self, node: ast.Call, last: str) -> list[str]:
        """The keys `mlflow.log_param(key, v)`/`set_tag(key, v)`/`log_params({...})` name."""
        if last == "log_params":
            params = node.args[0] if node.args else _kwarg(node, "params")
            if isinstance(params, ast.Dict):
                return [_const_str(k) or "" for k in params.keys if k is not None]
            if isinstance(params, ast.Name):
                return list(self.dict_keys.get(params.id, []))
            return []
        return (
            [_const_str(node.args[0]) or ""]
            if node.args
            else [_const_str(_kwarg(node, "key")) or ""]
        )

    def _tag_keys(self, node: ast.Call, last: str) -> list[str]:
        if last == "set_tags" and node.args and isinstance(node.args[0], ast.Dict):
            return [_const_str(k) or "" for k in node.args[0].keys]
        if last == "set_tags" and node.args and isinstance(node.args[0], ast.Name):
            # `tags = {"git_commit": sha, ...}` built before `mlflow.set_tags(tags)`
            return list(self.dict_keys.get(node.args[0].id, []))
        index = 2 if last == "set_model_version_tag" else 0
        if len(node.args) > index:
            return [_const_str(node.args[index]) or ""]
        return [_const_str(_kwarg(node, "key")) or ""]

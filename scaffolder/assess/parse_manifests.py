"""Facts from YAML that is not CI: Kubernetes and Argo Rollouts manifests, Prometheus rule
files and their tests, pre-commit, DVC, Great Expectations, config and policy files."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

from scaffolder.assess.config_names import named_run_config
from scaffolder.assess.detect_dvc import stage_runs
from scaffolder.assess.models import Fact, Zone
from scaffolder.assess.parse_databricks import bundle_without_settings
from scaffolder.assess.parse_infra import ENV_NAMES, RUN_SETTINGS
from scaffolder.assess.parse_k8s import _k8s, _overlay_env, _prom_groups
from scaffolder.assess.parse_yaml import YMap
from scaffolder.assess.tool_config_shapes import configures_a_tool

THRESHOLD_KEY = re.compile(r"threshold|^min_|^max_|gate|minimum|(?<!tie_)tolerance", re.I)
# model hyperparameters and limits named min_/max_ are not quality thresholds
HYPERPARAMETER_KEY = re.compile(
    r"^(max_(iter|depth|features|leaf_nodes|bins?|epochs|bytes|len|length|tokens|samples|"
    r"trials|evals|workers|retries|steps|size)|min_(samples|child|impurity|data_in_leaf|df|"
    r"count|delta|split|weight))",
    re.I,
)
# how many thresholds a curve is computed at (`roc_n_thresholds: 100`), not a bar
THRESHOLD_COUNT = re.compile(r"(^|_)(n|num|number_of)_thresholds$", re.I)
CONFIG_DIRS = {
    "config",
    "configs",
    "conf",
    "confs",
    "settings",
    "params",
    "environments",
    "envs",
    "profiles",
}
SCHEMA_KEYS = ("columns", "fields")
TYPE_KEYS = ("type", "data_type", "dtype", "logicalType", "physicalType")


# what a quality gate holds a model to: a metric, or a section named for the gate
METRIC_WORDS = (
    "acc",
    "auc",
    "roc",
    "f1",
    "precision",
    "recall",
    "rmse",
    "mse",
    "mae",
    "mape",
    "smape",
    "r2",
    "loss",
    "score",
    "metric",
    "error",
    "logloss",
    "ndcg",
    "iou",
    "dice",
    "bleu",
    "rouge",
    "perplexity",
    "improvement",
    "performance",
    "quality",
    "gate",
    "promot",
    "evaluat",
    "baseline",
)


def _names_metric(text: str) -> bool:
    """A word of the key path (snake_case split) that names a metric or the gate."""
    return any(t.startswith(METRIC_WORDS) for t in re.split(r"[^a-z0-9]+", text.lower()) if t)


def _about_data(parents: str) -> bool:
    """A section about the data or the features (`feature_quality_filter`, `data_quality`):
    its bars filter or check data (`MAX_BAD_RATIO_THRESHOLD`), they hold no model to a metric
    unless the key itself names one."""
    words = {t for t in re.split(r"[^a-z0-9]+", parents.lower()) if t}
    return bool(words & {"data", "feature", "features", "filter", "filters"})


def _metric_thresholds(value: Any, parents: str = "", depth: int = 0) -> list[str]:
    """The threshold keys that hold a metric (`min_accuracy`, `quality_gate: {thresholds: ...}`,
    `evaluation: {min_r2: ...}`), not a decision threshold (`threshold: 0.5` of a classifier)
    or a data filter (`min_price`, `max_year`): evidence over names."""
    found: list[str] = []
    if depth > 6:
        return found
    if isinstance(value, dict):
        for key, child in value.items():
            key = str(key)
            if (
                THRESHOLD_KEY.search(key)
                and not HYPERPARAMETER_KEY.search(key)
                and not THRESHOLD_COUNT.search(key)
                and child not in (None, "", {}, [])  # `endpoint_minimum_roc_auc: {}` sets no bar
                and (_names_metric(key) or _names_metric(parents) and not _about_data(parents))
            ):
                found.append(key)
            found.extend(_metric_thresholds(child, f"{parents} {key}", depth + 1))
    elif isinstance(value, list):
        for v in value:
            found.extend(_metric_thresholds(v, parents, depth + 1))
    return found[:10]


def _keys_deep(value: Any, depth: int = 0) -> list[str]:
    if depth > 6:
        return []
    if isinstance(value, dict):
        keys = [str(k) for k in value]
        for v in value.values():
            keys.extend(_keys_deep(v, depth + 1))
        return keys
    if isinstance(value, list):
        return [k for v in value for k in _keys_deep(v, depth + 1)]
    return []


def _fact(fact_kind: str, path: str, line: int, zone: Zone, /, **detail) -> Fact:
    return Fact(kind=fact_kind, path=path, line=line, zone=zone, detail=detail)


def manifest_facts(docs: list[Any], path: str, zone: Zone) -> list[Fact]:
    """Facts of one non-CI YAML file (all its documents)."""
    facts: list[Fact] = []
    p = PurePosixPath(path)
    name = p.name
    parts = {part.lower() for part in p.parts[:-1]}
    lowered = path.lower()
    if name in (".pre-commit-config.yaml", ".pre-commit-config.yml"):
        for doc in docs:
            if isinstance(doc, YMap):
                facts.append(_fact("precommit.config", path, 1, zone))
                repos = doc.get("repos") if isinstance(doc.get("repos"), list) else []
                for repo in repos:
                    hooks = repo.get("hooks") if isinstance(repo, dict) else None
                    if not isinstance(hooks, list):
                        continue
                    for hook, line in zip(hooks, getattr(hooks, "item_lines", []), strict=False):
                        if isinstance(hook, dict):
                            facts.append(
                                _fact(
                                    "precommit.hook", path, line, zone, id=str(hook.get("id", ""))
                                )
                            )
        return facts
    if name in ("dvc.yaml", "dvc.yml"):
        for doc in docs:
            stages = doc.get("stages") if isinstance(doc, YMap) else None
            if isinstance(stages, YMap):
                for stage in stages:
                    folder = "" if str(p.parent) == "." else str(p.parent)
                    runs = stage_runs(stages[stage], folder)
                    line = stages.line_of(stage)
                    facts.append(_fact("dvc.stage", path, line, zone, name=stage, **runs))
        return facts
    if name == "dvc.lock":
        return [_fact("dvc.lock", path, 1, zone)]
    if name in ("great_expectations.yml", "great_expectations.yaml"):
        return [_fact("gx.config", path, 1, zone)]
    if "checkpoints" in parts and ("gx" in parts or "great_expectations" in parts):
        return [_fact("gx.checkpoint", path, 1, zone)]
    if "remediation" in lowered:
        facts.append(_fact("policy.remediation", path, 1, zone))
    if "promotion" in lowered and "polic" in lowered:
        facts.append(_fact("policy.promotion", path, 1, zone))
    if name.startswith("kustomization."):
        env = _overlay_env(p)
        facts.append(_fact("k8s.kustomization", path, 1, zone, overlay=env or ""))
    for doc in docs:
        if not isinstance(doc, YMap):
            continue
        if "apiVersion" in doc and "kind" in doc:
            facts.extend(_k8s(doc, path, zone, p))
        elif isinstance(doc.get("groups"), list):
            facts.extend(_prom_groups(doc["groups"], path, zone))
        elif "rule_files" in doc and "tests" in doc:
            facts.append(_fact("prometheus.rule_test", path, doc.line_of("tests"), zone))
        elif helm_values_env(p):
            env = helm_values_env(p)
            facts.append(_fact("config.file", path, doc.line, zone, thresholds=False, keys=0))
            facts.append(_fact("config.environment", path, doc.line, zone, env=env, via="Helm"))
        elif p.name.lower() in ("values.yaml", "values.yml") and _helm_run_parameters(doc):
            # a chart's values that set how the job it runs trains (`training: {samples: 1000}`)
            facts.append(_fact("config.file", path, doc.line, zone, thresholds=False, keys=0))
        elif (
            "kind" not in doc
            and not path.startswith(".")
            and not _tool_config(doc, parts)
            and (parts & CONFIG_DIRS or named_run_config(p.name) or _env_sections(doc))
        ):
            keys = _keys_deep(doc)
            bars = _metric_thresholds(doc)
            facts.append(
                _fact(
                    "config.file",
                    path,
                    doc.line,
                    zone,
                    thresholds=bool(bars),
                    keys=len(keys),
                    **({"threshold_keys": bars} if bars else {}),
                    **({"columns_only": True} if _columns_only(doc) else {}),
                )
            )
            env = (
                p.stem.lower()
                if p.stem.lower() in ENV_NAMES
                else next((part for part in p.parts[:-1] if part.lower() in ENV_NAMES), None)
            )
            if env:
                facts.append(_fact("config.environment", path, doc.line, zone, env=env))
            elif isinstance(doc.get("environments"), dict):
                for env_name in doc["environments"]:
                    facts.append(
                        _fact(
                            "config.environment",
                            path,
                            doc["environments"].line_of(env_name),
                            zone,
                            env=str(env_name),
                        )
                    )
            else:
                # One section per environment at the top (`dev:`, `staging:`, `prod:`): at least
                # two, so a lone `test:` section of a parameter file is not taken for one.
                sections = [
                    k for k, v in doc.items() if str(k).lower() in ENV_NAMES and isinstance(v, dict)
                ]
                if len(sections) >= 2:
                    for env_name in sections:
                        facts.append(
                            _fact(
                                "config.environment",
                                path,
                                doc.line_of(env_name),
                                zone,
                                env=str(env_name),
                            )
                        )
        if "kind" not in doc:
            facts.extend(_schema(doc, path, zone))
    return facts


# Monitoring and platform tools' own configuration (Prometheus, Alertmanager, Grafana
# provisioning, Loki, OpenTelemetry collector): under config/ too, they hold no parameters
TOOL_DIRS = {"grafana", "prometheus", "alertmanager", "loki", "promtail", "otel", "provisioning"}
TOOL_KEYS = (
    {"scrape_configs"},
    {"datasources"},
    {"providers"},
    {"route", "receivers"},
    {"contactPoints"},
    {"receivers", "exporters"},
    {"server", "clients", "positions"},
    # a conda environment file (`environments/train.yml`): dependencies, read as such, no parameters
    {"channels", "dependencies"},
    {"name", "dependencies"},
    {"pipelineInfo", "deploymentSpec"},  # a compiled Kubeflow pipeline: generated, not parameters
)


def _tool_config(doc: YMap, parts: set[str]) -> bool:
    keys = {str(k) for k in doc}
    return (
        bool(parts & TOOL_DIRS)
        or any(group <= keys for group in TOOL_KEYS)
        or _ci_definition(keys)
        or "azureml" in str(doc.get("$schema", "")).lower()  # read by parse_infra as a job
        or _run_settings_only(doc)
        or _evidently_service(doc)
        or configures_a_tool(doc)  # an exporter's mappings, a cloud client's clouds.yaml
    )


def _evidently_service(doc: YMap) -> bool:
    """An Evidently monitoring service's config (`datasets:` each with `column_mapping` and
    `monitors`, beside `service:` settings): which columns it watches for drift, no parameter
    of a training run."""
    datasets = doc.get("datasets")
    if not isinstance(datasets, dict) or not datasets or "service" not in doc:
        return False
    return all(
        isinstance(d, dict) and "monitors" in d and "column_mapping" in d for d in datasets.values()
    )


def _ci_definition(keys: set[str]) -> bool:
    """An Azure Pipelines file (named `pipeline.yml` as often as `azure-pipelines.yml`): a CI
    definition, read as CI, not as the run's parameters."""
    return bool(keys & {"pool", "trigger", "pr"}) and bool(keys & {"stages", "jobs", "steps"})


def _run_settings_only(doc: YMap) -> bool:
    """A config that only names the run (experiment, tracking URI, model name, Hydra's
    `defaults` list composing other files) sets no parameter of it."""
    keys = {k.lower() for k in _keys_deep(doc)}
    return bool(keys) and keys <= RUN_SETTINGS


HELM_RUN_SECTION = re.compile(
    r"(training|train|hyperparameters?|params|parameters|evaluation)$", re.I
)


def _helm_run_parameters(doc: YMap) -> bool:
    """Helm values beyond the chart's plumbing (image, replicas, resources, service): a
    top-level section of training or evaluation parameters with values of their own."""
    return any(
        HELM_RUN_SECTION.match(str(key))
        and isinstance(value, dict)
        and any(
            isinstance(v, (int, float, str)) and not isinstance(v, bool) for v in value.values()
        )
        for key, value in doc.items()
    )


def helm_values_env(p: PurePosixPath) -> str | None:
    """`values-staging.yaml`, `values.production.yaml`, `values/prod.yaml`,
    `overlays/prod/inference-values.yaml`: Helm values for one environment (the chart is
    installed with `-f` per environment)."""
    stem = p.stem.lower()
    if stem.startswith("values") and stem[6:7] in ("-", "_", "."):
        env = stem[7:]
    elif p.parent.name.lower() == "values":
        env = stem
    elif stem == "values" or stem.endswith(("-values", "_values", ".values")):
        env = p.parent.name.lower()
    else:
        return None
    return env if env in ENV_NAMES or env in ("local", "preprod", "stg", "prd") else None


def _env_sections(doc: YMap) -> bool:
    """Settings per environment under `targets:`/`outputs:` (dbt profiles, Databricks bundles),
    or two or more environment sections at the top (`dev:`, `acc:`, `prd:` of a project config),
    make a file config whatever its name."""
    if bundle_without_settings(doc):
        return False
    top = [k for k, v in doc.items() if str(k).lower() in ENV_NAMES and isinstance(v, dict)]
    if len(top) >= 2:
        return True
    for value in [doc, *[v for v in doc.values() if isinstance(v, YMap)]]:
        for key in ("targets", "outputs"):
            envs = value.get(key)
            if isinstance(envs, dict) and sum(str(k).lower() in ENV_NAMES for k in envs) >= 2:
                return True
    return False


def _columns_only(doc: YMap) -> bool:
    """A file that only lists the data's columns (`columns:`, `numerical_columns:`,
    `drop_columns:`) describes the data, not how a run trains: no parameter file."""
    return bool(doc) and all(_names_columns(str(k).lower(), v) for k, v in doc.items())


def _names_columns(key: str, value: Any) -> bool:
    if "column" in key or key in ("schema", "dtypes", "fields"):
        return True
    # `num_features: [Age, Vintage]` names columns; `features: {n_estimators: 100}` does not
    return "feature" in key and (
        isinstance(value, str)
        or (isinstance(value, list) and all(isinstance(v, str) for v in value))
    )


def _typed_columns(value: Any) -> int:
    """How many entries of a `columns:`/`fields:` collection declare a type."""
    if isinstance(value, list):
        entries = [v for v in value if isinstance(v, dict) and "name" in v]
    elif isinstance(value, dict):
        entries = [v for v in value.values() if isinstance(v, dict)]
    else:
        return 0
    return sum(1 for v in entries if any(k in v for k in TYPE_KEYS))


def _schema(doc: YMap, path: str, zone: Zone, depth: int = 0) -> list[Fact]:
    """A declared table schema (a data contract): `columns`/`fields` whose entries have types,
    at the top or under a table/model (dbt `models:`, datacontract.com `models:`, ODCS)."""
    for key in SCHEMA_KEYS:
        count = _typed_columns(doc.get(key))
        if count:
            return [_fact("data.schema", path, doc.line_of(key), zone, columns=count)]
    if depth >= 3:
        return []
    for value in doc.values():
        for child in value if isinstance(value, list) else [value]:
            if isinstance(child, YMap):
                found = _schema(child, path, zone, depth + 1)
                if found:
                    return found
    return []

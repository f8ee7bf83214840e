"""What a pipeline run writes to MLflow besides params and metrics, so a reviewer can read it.

- The run's name says what ran, how and when: `<pipeline>-<orchestrator>-<trigger>-<UTC time>`,
  e.g. `churn_training-airflow-schedule-20260105T000012Z`.
- The run's tags say where it came from: `lineage.git_commit` (also `mlflow.source.git.commit`),
  `lineage.orchestrator`, `lineage.pipeline_run_id` (the Airflow DAG run or Kubeflow run id)
  and `lineage.trigger`.
- The training data is a run input (`mlflow.data`, context "training") with its digest, also
  tagged `lineage.data_digest`; the config file is an artifact (`config/pipeline.yaml`, and the
  configuration actually used, after any overrides, as `config/effective.json`).
- A registered version gets a description (what, when, from which commit and data, its
  metrics, its checks and the champion decision) and the tags a reviewer filters on:
  `lineage.*`, `metric.<name>`, the checks and `champion_decision`.

Where a run comes from is read from the environment: Airflow exports its context to every
task (`AIRFLOW_CTX_DAG_RUN_ID`); the Kubeflow components set `PIPELINE_ORCHESTRATOR` and
`PIPELINE_RUN_ID` from the KFP run; anything else is a local run. `PIPELINE_TRIGGER` names
the trigger when the orchestrator cannot (e.g. a retrain asked for by a drift alert).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .project import project_root

PREFIX = "lineage."
TRIGGER_ENV = "PIPELINE_TRIGGER"
TRIGGERS = ("manual", "schedule", "asset", "drift", "decay", "alert")
RUN_ID_ENV = "PIPELINE_RUN_ID"
ORCHESTRATOR_ENV = "PIPELINE_ORCHESTRATOR"
# Set by the orchestrators for their tasks: Airflow exports its context to the environment.
ORCHESTRATOR_ENVS = (("airflow", "AIRFLOW_CTX_DAG_RUN_ID"), ("kubeflow", "KFP_RUN_ID"))
# Airflow run ids start with the run type: scheduled__..., manual__..., asset_triggered__...
AIRFLOW_TRIGGERS = (("scheduled__", "schedule"), ("asset_triggered__", "asset"))
COMMIT_ENVS = ("GIT_COMMIT", "GITHUB_SHA", "CI_COMMIT_SHA")
CONFIG_ARTIFACT_DIR = "config"
EFFECTIVE_CONFIG = "config/effective.json"
DECISION_TAG = "champion_decision"


@dataclass(frozen=True)
class Origin:
    """Where a pipeline run comes from."""

    orchestrator: str  # local, airflow, kubeflow (or $PIPELINE_ORCHESTRATOR)
    run_id: str  # the orchestrator's run id; "local" for a local run
    trigger: str  # manual, schedule, asset, drift, decay or alert


@dataclass(frozen=True)
class ChampionDecision:
    """Whether a new version becomes `champion`, and why (in words a reviewer can check)."""

    promote: bool
    reason: str


def current_champion(
    client: Any, name: str, metric: str, alias: str = "champion"
) -> tuple[str, float] | None:
    """The version behind `alias` and its score on `metric` (its `metric.<name>` tag, else its
    run's metric); None when there is no such version or it has no score."""
    from mlflow.exceptions import MlflowException

    try:
        champion = client.get_model_version_by_alias(name, alias)
    except MlflowException:
        return None  # no champion yet
    tagged = champion.tags.get(f"metric.{metric}")
    if tagged is None and champion.run_id:
        tagged = client.get_run(champion.run_id).data.metrics.get(metric)
    return None if tagged is None else (str(champion.version), float(tagged))


def champion_decision(
    evaluation: dict[str, Any],
    new_score: float,
    champion: tuple[str, float] | None,
    *,
    min_improvement: float,
    model_tests: bool = False,
    auto_promote: bool = True,
    environment: str = "dev",
) -> ChampionDecision:
    """Whether a new version takes `champion`: only when it passed the quality gate
    (`evaluation["passed"]`) and, with `model_tests`, its model tests
    (`evaluation["model_tests"]["passed"]`), the environment promotes automatically, and it beats
    the champion's score on `evaluation["primary_metric"]` by more than `min_improvement` (so an
    identical re-run never takes it); the first version to pass its checks always does."""
    metric, margin = evaluation["primary_metric"], min_improvement
    failed = [] if evaluation["passed"] else ["the quality gate"]
    if model_tests and not (evaluation.get("model_tests") or {}).get("passed"):
        failed.append("the model tests")
    if failed:
        return ChampionDecision(False, f"not promoted: {' and '.join(failed)} failed")
    if not auto_promote:
        return ChampionDecision(
            False,
            f"not promoted: environment {environment} has auto_promote off "
            "(CD promotes after approval)",
        )
    if champion is None:
        return ChampionDecision(True, f"promoted: no champion yet ({metric} {new_score:.4f})")
    version, current = champion
    gain = new_score - current
    verdict = "beats" if gain > margin else "does not beat"
    return ChampionDecision(
        gain > margin,
        f"{'promoted' if gain > margin else 'not promoted'}: {metric} {new_score:.4f} {verdict} "
        f"champion version {version} ({current:.4f}) by more than registry.min_improvement "
        f"{margin:g} (difference {gain:+.4f})",
    )


def pip_requirements(
    dists: tuple[str, ...] = ("scikit-learn", "pandas", "numpy", "skops"),
) -> list[str]:
    """Pinned requirements of a logged model: the installed versions of `dists`, stated
    explicitly (a distribution not installed is left out)."""
    from importlib.metadata import PackageNotFoundError, version

    pins = []
    for dist in dists:
        try:
            pins.append(f"{dist}=={version(dist)}")
        except PackageNotFoundError:
            continue
    return pins


def git_commit() -> str:
    """The commit the code was trained from (the CI's variable, else `git rev-parse HEAD`),
    with `+dirty` when tracked files have uncommitted changes; "unknown" outside git."""
    for name in COMMIT_ENVS:
        if os.environ.get(name):
            return os.environ[name]
    root = project_root()
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root, capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{sha}+dirty" if dirty else sha


def trigger(orchestrator_run_id: str = "") -> str:
    """Why this run happened: $PIPELINE_TRIGGER, else the Airflow run type, else manual."""
    value = (os.environ.get(TRIGGER_ENV) or "").strip().lower()
    if value:
        if value not in TRIGGERS:
            raise ValueError(f"{TRIGGER_ENV}={value!r}: use one of {', '.join(TRIGGERS)}")
        return value
    for prefix, name in AIRFLOW_TRIGGERS:
        if orchestrator_run_id.startswith(prefix):
            return name
    return "manual"


def origin() -> Origin:
    """The orchestrator and its run id ($PIPELINE_RUN_ID, the orchestrator's own, else a local
    run) and the trigger."""
    if os.environ.get(RUN_ID_ENV):
        orchestrator = os.environ.get(ORCHESTRATOR_ENV) or "external"
        run_id = os.environ[RUN_ID_ENV]
    else:
        orchestrator, run_id = "local", "local"
        for name, variable in ORCHESTRATOR_ENVS:
            if os.environ.get(variable):
                orchestrator, run_id = name, os.environ[variable]
                break
    return Origin(orchestrator, run_id, trigger(run_id))


def run_name(pipeline: str, where: Origin, when: float | None = None) -> str:
    """`<pipeline>-<orchestrator>-<trigger>-<UTC time>`: what ran, how, and when (`when`: a
    Unix time, default now)."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(when))
    slug = re.sub(r"[^a-z0-9_]+", "_", where.orchestrator.lower()).strip("_") or "external"
    return f"{pipeline}-{slug}-{where.trigger}-{stamp}"


def run_tags(where: Origin, commit: str | None = None) -> dict[str, str]:
    """The tags that say where a run came from (set when the run starts)."""
    commit = commit or git_commit()
    tags = {
        "lineage.git_commit": commit,
        "lineage.orchestrator": where.orchestrator,
        "lineage.pipeline_run_id": where.run_id,
        "lineage.trigger": where.trigger,
    }
    sha = commit.removesuffix("+dirty")
    if re.fullmatch(r"[0-9a-f]{7,40}", sha):  # the MLflow UI shows and links this one
        tags["mlflow.source.git.commit"] = sha
    return tags


def data_digest(df: Any) -> str:
    """A digest of every row and column of `df`, vectorised (MLflow's own digest reads only the
    first 10,000 rows, so two large tables that differ further down would look identical)."""
    import pandas as pd

    digest = hashlib.sha256(",".join(map(str, df.columns)).encode())
    digest.update(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes())
    return digest.hexdigest()[:16]


def log_training_data(df: Any, source: str, name: str, target: str) -> str:
    """Log `df` as the active run's training dataset (an `mlflow.data` input, with the digest
    of all its rows) and tag the run with the digest; return the digest."""
    import mlflow
    import mlflow.data

    dataset = mlflow.data.from_pandas(
        df, source=source, name=name, targets=target, digest=data_digest(df)
    )
    mlflow.log_input(dataset, context="training")
    mlflow.set_tag("lineage.data_digest", dataset.digest)
    return dataset.digest


def log_config(cfg: Any, config_file: str | Path | None) -> None:
    """Log the config file as read (`config/<file name>`) and the configuration actually used
    (`config/effective.json`, after environment overrides) to the active run."""
    import mlflow

    if config_file is not None and Path(config_file).is_file():
        mlflow.log_artifact(str(config_file), artifact_path=CONFIG_ARTIFACT_DIR)
    mlflow.log_dict(asdict(cfg), EFFECTIVE_CONFIG)


def config_digest(cfg: Any) -> str:
    """A digest of what shapes the model besides the data: model type and params, split."""
    settings = {
        "model": {"type": cfg.model.type, "params": cfg.model.params},
        "split": {"seed": cfg.data.seed, "test_size": cfg.data.test_size},
    }
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:16]


def lineage_tags(run: Any, model_id: str | None, cfg: Any) -> dict[str, str]:
    """The `lineage.*` tags of a version registered from MLflow run `run`: copied from the
    run's own tags (set when it started, so the train step's origin), plus the config digest,
    the MLflow run id and the logged model's id."""
    tags = run.data.tags
    names = ("git_commit", "data_digest", "orchestrator", "pipeline_run_id", "trigger")
    lineage = {PREFIX + n: tags.get(PREFIX + n, "") for n in names}
    # The data version the run trained on (mlops_runtime.data_version), when it recorded one.
    lineage.update({k: v for k, v in tags.items() if k.startswith(PREFIX + "data_")})
    if not lineage[PREFIX + "git_commit"]:
        lineage[PREFIX + "git_commit"] = git_commit()
    lineage[PREFIX + "config_digest"] = config_digest(cfg)
    lineage[PREFIX + "mlflow_run_id"] = run.info.run_id
    lineage[PREFIX + "logged_model_id"] = model_id or ""
    return lineage


def describe(run: Any, cfg: Any, evaluation: dict[str, Any], decision: ChampionDecision) -> str:
    """The version's description: what was trained, when, from what, how it scored, and
    whether it became champion."""
    tag = {k.removeprefix(PREFIX): v for k, v in run.data.tags.items() if k.startswith(PREFIX)}
    started = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(run.info.start_time / 1000))
    commit = tag.get("git_commit", "unknown")
    orchestrator = tag.get("orchestrator", "local")
    where = "run locally"
    if orchestrator != "local":
        where = f"{orchestrator} run {tag.get('pipeline_run_id', '-')}"
    metrics = ", ".join(f"{k} {v:.4f}" for k, v in sorted(evaluation["metrics"].items()))
    checks = ["quality gate " + ("passed" if evaluation.get("passed") else "failed")]
    if "model_tests" in evaluation:
        tests = evaluation["model_tests"]
        checks.append("model tests " + ("passed" if tests["passed"] else "failed"))
    return "\n".join(
        [
            f"{cfg.model.type} trained by MLflow run {run.info.run_name} at {started} UTC "
            f"({where}, trigger {tag.get('trigger', 'manual')}).",
            f"Code: commit {commit}. Data: digest {tag.get('data_digest', '-')}"
            + _data_version_words(tag)
            + ".",
            f"Holdout metrics: {metrics}.",
            f"Checks: {'; '.join(checks)}.",
            f"Champion: {decision.reason}.",
        ]
    )


def _data_version_words(tag: dict[str, str]) -> str:
    """`, version <md5> (<path>, <dvc file> at <commit>)` when the run recorded a data version."""
    if not tag.get("data_version"):
        return ""
    where = tag.get("data_path", "")
    if tag.get("data_dvc_file"):
        where += f", {tag['data_dvc_file']} at {tag.get('data_dvc_rev', '')[:12] or 'no commit'}"
    return f", version {tag['data_version']} ({where}; {tag.get('data_state', 'unknown')})"


def record_version(
    client: Any,
    name: str,
    version: str,
    run_id: str,
    model_id: str | None,
    evaluation: dict[str, Any],
    cfg: Any,
    decision: ChampionDecision,
) -> dict[str, str]:
    """Write a registered version's tags (only those not already there) and description;
    return the tags."""
    run = client.get_run(run_id)
    tags = lineage_tags(run, model_id, cfg)
    tags.update({f"metric.{k}": repr(float(v)) for k, v in evaluation["metrics"].items()})
    tags[DECISION_TAG] = decision.reason
    existing = client.get_model_version(name, version).tags
    # The commit by name: what a reviewer (and `mlops-scaffold assess`) looks for first.
    client.set_model_version_tag(name, version, "lineage.git_commit", tags["lineage.git_commit"])
    for key, value in tags.items():
        if key != "lineage.git_commit" and existing.get(key) != value:
            client.set_model_version_tag(name, version, key, value)
    client.update_model_version(name, version, description=describe(run, cfg, evaluation, decision))
    return tags

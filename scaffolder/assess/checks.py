"""The rubric: rules over facts. Each check has a dimension, the level it belongs to, how it is
detected, and the upgrade step that would make it pass.

A rule returns a verdict: passed (True), failed (False) or not applicable (None), with the
evidence (`path:line`) and one sentence. A failed rule whose inputs include a file that could
not be parsed is reported `unknown`, naming that file: we cannot tell, so we do not guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from scaffolder.assess.models import CheckResult, Fact, Facts, Outcome, Zone

RUBRIC_VERSION = "1.1"


@dataclass(frozen=True)
class Verdict:
    passed: bool | None
    evidence: list[str]
    message: str


@dataclass(frozen=True)
class Check:
    id: str
    title: str
    dimension: str
    level: int
    upgrade: str
    detects: str
    rule: Callable[[Facts], Verdict]
    inputs: tuple[str, ...] = ()
    ml_test: str | None = None  # section of the ML Test Score it counts towards
    add_file: str | None = None  # where a finding without evidence is shown (SARIF)


def _where(facts: list[Fact], limit: int = 5) -> list[str]:
    seen: list[str] = []
    for fact in facts:
        if fact.where not in seen:
            seen.append(fact.where)
        if len(seen) >= limit:
            break
    return seen


def _found(facts: list[Fact], yes: str, no: str) -> Verdict:
    return Verdict(True, _where(facts), yes) if facts else Verdict(False, [], no)


def _elsewhere(facts: Facts, kind: str, no: str) -> Verdict:
    """A failure that names what was seen outside the project's own code (examples, notebooks)."""
    others = facts.of(kind, Zone.EXAMPLES, Zone.DOCS, Zone.NOTEBOOK, Zone.VENDORED, Zone.TESTS)
    if not others:
        return Verdict(False, [], no)
    zones = sorted({f.zone.value for f in others})
    return Verdict(
        False,
        _where(others),
        f"{no} (seen only in {', '.join(zones)}: {others[0].where}, which does not count)",
    )


# --- rules -----------------------------------------------------------------------------------
def r_vcs(f: Facts) -> Verdict:
    return _found(
        f.of("vcs.git"), "the project is a git repository", "the folder is not a git repository"
    )


def r_dependencies(f: Facts) -> Verdict:
    declared = [x for x in f.of("deps.declared") if x.detail.get("count")]
    return _found(
        declared,
        "dependencies are declared",
        "no dependencies declared (pyproject.toml [project] dependencies or requirements.txt)",
    )


def r_seeds(f: Facts) -> Verdict:
    return _found(
        f.of("seed"),
        "random seeds are set in the code",
        "no random seed found (random_state=, seed=, numpy/random/torch seeding)",
    )


def r_config_file(f: Facts) -> Verdict:
    return _found(
        f.of("config.file"),
        "parameters live in a config file",
        "no parameter/config file (config/*.yaml, params.yaml) outside the code",
    )


def r_environments(f: Facts) -> Verdict:
    envs = f.of("config.environment")
    names = {str(x.detail.get("env")).lower() for x in envs}
    if len(names) >= 2:
        return Verdict(True, _where(envs), f"environments as config: {', '.join(sorted(names))}")
    return Verdict(
        False, _where(envs), "fewer than two environments (dev/staging/prod) defined as config"
    )


def r_data_lineage(f: Facts) -> Verdict:
    tags = [
        x for x in f.of("mlflow.lineage_tag") if re.search(r"data", str(x.detail.get("key")), re.I)
    ]
    dvc = f.of("dvc.lock") + f.of("dvc.stage")
    return _found(
        tags + dvc,
        "the training data version is recorded with each model",
        "no data version recorded with the model (data-hash tag on the model version, or DVC)",
    )


def r_unit_tests(f: Facts) -> Verdict:
    tests = f.of("test.function", Zone.TESTS)
    if tests:
        return Verdict(True, _where(tests, 3), f"{len(tests)} test functions")
    return Verdict(False, [], "no test functions (tests/test_*.py)")


def r_linter(f: Facts) -> Verdict:
    return _found(
        f.of("lint.config"),
        "a linter is configured",
        "no linter configured (ruff, flake8, pylint, black, mypy)",
    )


def r_precommit(f: Facts) -> Verdict:
    hooks = f.of("precommit.hook")
    return _found(hooks, f"{len(hooks)} pre-commit hooks", "no .pre-commit-config.yaml with hooks")


def _ci_triggered(f: Facts) -> list[Fact]:
    return [
        w
        for w in f.of("ci.workflow")
        if {"push", "pull_request", "merge_request"} & set(w.detail["triggers"])
    ]


def r_ci_tests(f: Facts) -> Verdict:
    steps = f.of("ci.step.test")
    if steps and _ci_triggered(f):
        return Verdict(True, _where(steps), "CI runs the tests on every change")
    return Verdict(
        False, _where(f.of("ci.workflow")), "no CI job runs the tests on push or pull request"
    )


def r_integration_tests(f: Facts) -> Verdict:
    found = f.of("fastapi.testclient", Zone.TESTS) + f.of("ci.step.integration")
    return _found(
        found,
        "the serving app is tested through its API",
        "no integration tests of the serving app (TestClient tests, CD integration step)",
    )


def r_drift_tests(f: Facts) -> Verdict:
    return _found(
        f.of("test.drift", Zone.TESTS), "drift detection is tested", "no tests of drift detection"
    )


def r_model_artifact(f: Facts) -> Verdict:
    return _found(
        f.of("model.save") + f.of("mlflow.registry"),
        "the trained model is saved as an artifact",
        "the trained model is not saved (joblib.dump, save_model, log_model)",
    )


def r_experiments(f: Facts) -> Verdict:
    found = f.of("mlflow.tracking")
    if found:
        return Verdict(True, _where(found, 3), "runs are tracked with MLflow")
    return _elsewhere(f, "mlflow.tracking", "no experiment tracking in the project's code")


def r_registry(f: Facts) -> Verdict:
    found = f.of("mlflow.registry")
    if found:
        return Verdict(True, _where(found, 3), "models are registered in the MLflow model registry")
    return _elsewhere(
        f, "mlflow.registry", "no model registry calls (register_model, registered_model_name=)"
    )


def r_aliases(f: Facts) -> Verdict:
    found = f.of("mlflow.alias")
    if found:
        names = sorted({str(x.detail.get("alias")) for x in found if x.detail.get("alias")})
        return Verdict(True, _where(found), f"registry aliases set: {', '.join(names) or 'yes'}")
    return _elsewhere(f, "mlflow.alias", "no registry alias or stage marks the deployable model")


def _module_index(f: Facts) -> dict[str, str]:
    """Dotted module name -> path, for the project's Python files the scan has facts of
    (`src/pkg/registry.py` is both `src.pkg.registry` and `pkg.registry`)."""
    index: dict[str, str] = {}
    for path in {x.path for x in f.facts if x.path.endswith(".py")}:
        dotted = path[:-3].replace("/", ".").removesuffix(".__init__")
        index[dotted] = path
        if dotted.startswith("src."):
            index.setdefault(dotted[4:], path)
    return index


def _reachable(f: Facts, start: set[str], depth: int = 4) -> set[str]:
    """The project files `start` imports, directly or through its own modules (AST imports)."""
    index = _module_index(f)
    imports: dict[str, list[str]] = {}
    for x in f.of("py.imports"):
        imports.setdefault(x.path, []).extend(x.detail.get("modules") or [])
    seen, frontier = set(start), set(start)
    for _ in range(depth):
        frontier = {
            index[m] for path in frontier for m in imports.get(path, []) if m in index
        } - seen
        if not frontier:
            break
        seen |= frontier
    return seen


def r_serving_from_registry(f: Facts) -> Verdict:
    # Batch scoring from the registry is level 1; here the online serving code must do it:
    # the serving app's own file or the project modules it imports (serving/loader.py ->
    # registry.py) resolve a registry alias (models:/NAME@alias, get_model_version_by_alias)
    # and load the model from MLflow.
    apps = {x.path for x in f.of("fastapi.app")}
    served = _reachable(f, apps) if apps else set()
    aliases = [x for x in f.of("mlflow.model_uri") if "@" in str(x.detail.get("uri"))]
    aliases += f.of("mlflow.alias_lookup")
    mlflow_loads = [
        x
        for x in f.of("model.load")
        if str(x.detail.get("via", "")).startswith("mlflow")
        or str(x.detail.get("uri", "")).startswith("models:/")
    ]
    by_alias = [x for x in aliases if x.path in served]
    loads = [x for x in mlflow_loads if x.path in served]
    if by_alias and loads:
        chain = sorted(by_alias + loads, key=lambda x: (x.path, x.line))
        return Verdict(
            True,
            _where(f.of("fastapi.app")[:1] + chain),
            "serving loads the model by registry alias",
        )
    # a serving module of another framework (or none) that loads models:/NAME@alias itself
    uris = [x for x in aliases if x.kind == "mlflow.model_uri"]
    uri_loads = [x for x in mlflow_loads if "@" in str(x.detail.get("uri", ""))]
    direct = [x for x in uris + uri_loads if SERVING_PATH.search(x.path)]
    return _found(
        direct,
        "serving loads the model by registry alias",
        "the serving code does not load the model from the registry by alias "
        "(models:/NAME@champion)",
    )


SERVING_PATH = re.compile(r"serv|/api/|/app\.py$|/api\.py$", re.I)


def r_lineage_tags(f: Facts) -> Verdict:
    tags = [
        x
        for x in f.of("mlflow.lineage_tag")
        if re.search(r"git|commit|sha", str(x.detail.get("key")), re.I)
    ]
    return _found(
        tags,
        "model versions carry lineage tags (git commit)",
        "model versions are not tagged with the git commit and pipeline run",
    )


def r_train_entrypoint(f: Facts) -> Verdict:
    found = [x for x in f.of("entrypoint") if "train" in x.path or "pipeline" in x.path]
    found += [x for x in f.of("make.target") if x.detail.get("name") == "train"]
    return _found(
        found,
        "training runs from one command",
        "no training entry point (a train script or `make train`)",
    )


def r_orchestrated(f: Facts) -> Verdict:
    found = f.of("airflow.dag") + f.of("kfp.pipeline")
    if found:
        return Verdict(
            True, _where(found), "training runs as an orchestrated pipeline (Airflow/Kubeflow)"
        )
    elsewhere = _elsewhere(
        f, "airflow.dag", "no Airflow DAG or Kubeflow pipeline in the project's code"
    )
    if elsewhere.evidence:
        return elsewhere
    return _elsewhere(
        f, "kfp.pipeline", "no Airflow DAG or Kubeflow pipeline in the project's code"
    )


def r_integrity_tests(f: Facts) -> Verdict:
    return _found(
        f.of("test.pipeline", Zone.TESTS),
        "pipelines are tested (DAG integrity / compile)",
        "no DAG-integrity or pipeline-compile tests",
    )


def r_ci_pipeline_checks(f: Facts) -> Verdict:
    return _found(
        f.of("ci.step.dag_check") + f.of("ci.step.pipeline_compile"),
        "CI imports the DAGs / compiles the pipeline",
        "CI does not check the DAGs or compile the pipeline",
    )


def r_scheduled(f: Facts) -> Verdict:
    dags = [x for x in f.of("airflow.dag") if x.detail.get("schedule") not in ("none", "unset")]
    found = (
        dags
        + [x for x in f.of("kfp.run") if x.detail.get("recurring")]
        + f.of("pipeline.schedule")
        + f.of("ci.schedule")
    )
    return _found(
        found,
        "training runs on a schedule or trigger",
        "no scheduled training (DAG schedule, KFP recurring run, CronJob or CI schedule)",
    )


def r_image_build(f: Facts) -> Verdict:
    return _found(
        f.of("ci.step.build_image"),
        "CI/CD builds the container images",
        "no CI/CD job builds the images",
    )


def r_retraining(f: Facts) -> Verdict:
    drift_files = {x.path for x in f.of("drift.*")}
    triggers = f.of("retrain.trigger") + f.of("kfp.run") + f.of("retrain.function")
    found = [x for x in triggers if x.path in drift_files or x.kind == "retrain.trigger"]
    found += [x for x in f.of("airflow.dag") if x.detail.get("schedule") == "asset"]
    if found and drift_files:
        return Verdict(True, _where(found), "drift or decay triggers retraining")
    return Verdict(False, _where(found), "retraining is not triggered by drift or decay")


def r_holdout(f: Facts) -> Verdict:
    found = f.of("eval.split") + f.of("eval.metrics")
    if f.of("eval.split") and f.of("eval.metrics"):
        return Verdict(True, _where(found, 3), "the model is evaluated on held-out data")
    return Verdict(False, _where(found), "no held-out evaluation (train/test split and metrics)")


def r_data_checks(f: Facts) -> Verdict:
    found = f.of("data.validation") + f.of("gx.usage") + f.of("pandera.usage")
    return _found(
        found, "input data is validated before training", "no data validation step before training"
    )


def r_quality_gate(f: Facts) -> Verdict:
    found = f.of("quality.gate") + [x for x in f.of("config.file") if x.detail.get("thresholds")]
    return _found(
        found,
        "a quality gate with thresholds decides promotion",
        "no quality gate (metric thresholds a model must meet)",
    )


def r_data_contract(f: Facts) -> Verdict:
    # Enforced = expectations (a GX suite file, expectations written in code, or a declared
    # schema they are built from) + a suite + a checkpoint that runs them, in files or in code.
    suites = f.of("gx.suite") + f.of("gx.suite_code")
    checkpoints = f.of("gx.checkpoint") + f.of("gx.checkpoint_code")
    expectations = (
        [x for x in f.of("gx.suite") if x.detail.get("expectations")]
        + f.of("gx.expectation")
        + f.of("data.schema")
    )
    gx_code = f.of("gx.usage") + f.of("ci.step.data_validation")
    if suites and checkpoints and expectations and gx_code:
        return Verdict(
            True,
            _where(f.of("data.schema") + suites + checkpoints, 6),
            "a data contract is enforced (Great Expectations suites and checkpoints)",
        )
    if f.of("pandera.usage"):
        return Verdict(
            True, _where(f.of("pandera.usage")), "a data contract is enforced (pandera schemas)"
        )
    missing = [
        name
        for name, found in (
            ("expectations or a declared schema", expectations),
            ("an expectation suite", suites),
            ("a checkpoint", checkpoints),
            ("code or a CI step running them", gx_code),
        )
        if not found
    ]
    return Verdict(
        False,
        _where(f.of("data.schema") + suites + checkpoints + f.of("gx.usage")),
        "no Great Expectations suite and checkpoint (or pandera schema) enforcing a data "
        f"contract (missing: {', '.join(missing)})",
    )


MODEL_TEST_KINDS = {
    "champion/challenger": re.compile(r"champion|challenger|beats", re.I),
    "threshold vs holdout": re.compile(r"holdout|threshold|quality_gate", re.I),
    "slices": re.compile(r"slice|fairness|segment", re.I),
    "prediction range": re.compile(r"range|invariance|directional|calibration", re.I),
}


def r_model_tests(f: Facts) -> Verdict:
    tests = f.of("test.model", Zone.TESTS)
    covered = {
        k
        for k, pattern in MODEL_TEST_KINDS.items()
        for t in tests
        if pattern.search(t.detail["name"])
    }
    if len(covered) >= 3:
        return Verdict(True, _where(tests), f"model tests cover {', '.join(sorted(covered))}")
    missing = sorted(set(MODEL_TEST_KINDS) - covered)
    return Verdict(False, _where(tests), f"model tests miss {', '.join(missing)}")


def r_drift_detection(f: Facts) -> Verdict:
    found = f.of("drift.library") + f.of("drift.test") + f.of("drift.function")
    return _found(
        found,
        "data drift is detected",
        "no drift detection (PSI/KS against a reference, Evidently...)",
    )


def r_predict(f: Facts) -> Verdict:
    return _found(
        f.of("model.load"),
        "a prediction script loads the saved model",
        "nothing loads a saved model to predict",
    )


def r_training_image(f: Facts) -> Verdict:
    return _found(
        f.of("docker.image"), "the pipeline is packaged as a container image", "no Dockerfile"
    )


def r_image_hardened(f: Facts) -> Verdict:
    images = f.of("docker.image")
    if not images:
        return Verdict(None, [], "no Dockerfile to harden")
    weak = [x for x in images if not (x.detail["pinned"] and x.detail["non_root"])]
    if weak:
        why = []
        for x in weak:
            why.append(
                f"{x.path}: "
                + ", ".join(
                    ([] if x.detail["pinned"] else ["base image not pinned"])
                    + ([] if x.detail["non_root"] else ["runs as root"])
                )
            )
        return Verdict(False, _where(weak), "; ".join(why))
    return Verdict(True, _where(images), "base images pinned, processes run as a non-root user")


def r_serving_api(f: Facts) -> Verdict:
    routes = f.of("fastapi.route")
    paths = {str(r.detail.get("route")) for r in routes}
    has_predict = any("predict" in p for p in paths)
    has_health = any("health" in p or "ready" in p for p in paths)
    if f.of("fastapi.app") and has_predict and has_health:
        return Verdict(
            True, _where(f.of("fastapi.app") + routes, 3), "a serving API with /predict and /health"
        )
    return Verdict(
        False, _where(f.of("fastapi.app") + routes), "no serving API with /predict and /health"
    )


def r_k8s_environments(f: Facts) -> Verdict:
    overlays = [
        x for x in f.of("k8s.kustomization") + f.of("k8s.resource") if x.detail.get("overlay")
    ]
    envs = {str(x.detail["overlay"]) for x in overlays}
    if len(envs) >= 2:
        return Verdict(True, _where(overlays), f"Kubernetes overlays for {', '.join(sorted(envs))}")
    return Verdict(
        False,
        _where(f.of("k8s.resource")),
        "no Kubernetes manifests with staging and production overlays",
    )


def r_cd_workflow(f: Facts) -> Verdict:
    deploys = f.of("ci.step.deploy")
    if deploys and f.of("ci.environment"):
        # a step running a script that deploys (python scripts/deploy.py) names the script too
        via = sorted({str(x.detail["via"]) for x in deploys if x.detail.get("via")})
        return Verdict(
            True,
            _where(deploys, 3) + via[:2] + _where(f.of("ci.environment"), 3),
            "a CD workflow deploys to environments",
        )
    return Verdict(
        False, _where(deploys), "no CD workflow deploying to staging and production environments"
    )


def r_canary(f: Facts) -> Verdict:
    rollouts = [
        x for x in f.of("argo.rollout") if x.detail.get("canary") and x.detail.get("analysis")
    ]
    templates = f.of("argo.analysis")
    if rollouts and templates:
        return Verdict(
            True, _where(rollouts + templates), "canary rollout with metric analysis and rollback"
        )
    return Verdict(
        False,
        _where(f.of("argo.rollout") + templates),
        "no canary Rollout with an AnalysisTemplate (automatic rollback)",
    )


def r_pipeline_metrics(f: Facts) -> Verdict:
    return _found(
        f.of("prometheus.metric") + f.of("prometheus.export"),
        "the pipeline exports Prometheus metrics",
        "no metrics exported (prometheus_client)",
    )


def r_alert_rules(f: Facts) -> Verdict:
    alerts = [x for x in f.of("prometheus.rule") if x.detail.get("alert")]
    return _found(alerts, f"{len(alerts)} alert rules", "no Prometheus alert rules")


def r_dashboard(f: Facts) -> Verdict:
    return _found(
        f.of("grafana.dashboard"), "a Grafana dashboard is kept as code", "no dashboard as code"
    )


def r_serving_metrics(f: Facts) -> Verdict:
    routes = [
        x
        for x in f.of("fastapi.route") + f.of("fastapi.mount")
        if "metrics" in str(x.detail.get("route"))
    ]
    routes += [
        x
        for x in f.of("prometheus.export")
        if x.detail.get("via") in ("instrumentator", "make_asgi_app")
    ]
    return _found(routes, "the serving app exposes /metrics", "the serving app exposes no /metrics")


ALERT_KINDS = {
    "drift": re.compile(r"drift|psi|ks_", re.I),
    "latency": re.compile(r"latency|duration|slo", re.I),
    "error rate": re.compile(r"error|5xx|status=~?\"5", re.I),
}


def r_slo_alerts(f: Facts) -> Verdict:
    alerts = [x for x in f.of("prometheus.rule") if x.detail.get("alert")]
    covered = {
        k
        for k, p in ALERT_KINDS.items()
        for a in alerts
        if p.search(a.detail["alert"] + a.detail["expr"])
    }
    if covered == set(ALERT_KINDS):
        return Verdict(True, _where(alerts), "alerts cover drift, latency and error rate")
    missing = sorted(set(ALERT_KINDS) - covered)
    return Verdict(False, _where(alerts, 2), f"no alert rules for {', '.join(missing)}")


def r_remediation(f: Facts) -> Verdict:
    return _found(
        f.of("policy.remediation"),
        "a remediation policy maps alerts to actions",
        "no remediation policy mapping alerts to actions",
    )


def r_readme(f: Facts) -> Verdict:
    found = [x for x in f.of("readme") if x.detail.get("setup")]
    return _found(found, "the README says how to set up", "no README with set-up commands")


SECRET_HOOKS = {
    "detect-private-key",
    "detect-secrets",
    "gitleaks",
    "trufflehog",
    "detect-aws-credentials",
}


def r_secret_scanning(f: Facts) -> Verdict:
    hooks = [x for x in f.of("precommit.hook") if x.detail.get("id") in SECRET_HOOKS]
    return _found(
        hooks,
        "commits are scanned for secrets",
        "no secret scanning (detect-private-key, gitleaks...)",
    )


def r_change_review(f: Facts) -> Verdict:
    prs = [
        w
        for w in f.of("ci.workflow")
        if "pull_request" in w.detail["triggers"] or "pull_request_target" in w.detail["triggers"]
    ]
    return _found(
        prs, "changes are checked on pull/merge requests", "CI does not run on pull/merge requests"
    )


def r_model_card(f: Facts) -> Verdict:
    return _found(
        f.of("model_card") + f.of("model_card.generator"),
        "a model card documents the model",
        "no model card",
    )


def r_production_approval(f: Facts) -> Verdict:
    envs = [x for x in f.of("ci.environment") if re.match(r"prod", str(x.detail.get("name")), re.I)]
    return _found(
        envs,
        "production deploys go through a protected environment / manual approval",
        "no approval gate before production",
    )


def r_codeowners(f: Facts) -> Verdict:
    found = [x for x in f.of("codeowners") if x.detail.get("entries")]
    return _found(found, "CODEOWNERS assigns reviewers", "no CODEOWNERS file")


def r_promotion_policy(f: Facts) -> Verdict:
    return _found(
        f.of("policy.promotion"), "a promotion policy is checked", "no promotion policy check"
    )


U1 = "`mlops-scaffold upgrade --to 1`"
U2 = "`mlops-scaffold upgrade --to 2`"
U3 = "`mlops-scaffold upgrade --to 3`"

CHECKS: list[Check] = [
    # reproducibility
    Check(
        "repro.version-control",
        "Code is under version control",
        "reproducibility",
        0,
        "`git init` and commit the code (not data or models); `mlops-scaffold adopt` does "
        "it for you",
        "a .git folder at the root",
        r_vcs,
        ml_test="infrastructure",
        add_file=".git",
    ),
    Check(
        "repro.dependencies",
        "Dependencies are declared",
        "reproducibility",
        0,
        "declare dependencies in pyproject.toml [project] dependencies",
        "pyproject.toml / requirements*.txt",
        r_dependencies,
        ("toml",),
        "infrastructure",
        "pyproject.toml",
    ),
    Check(
        "repro.seeds",
        "Randomness is seeded",
        "reproducibility",
        0,
        "pass a seed (random_state=) to splits and estimators",
        "seed calls and random_state= in Python (AST)",
        r_seeds,
        ("python",),
        "model",
    ),
    Check(
        "repro.config-file",
        "Parameters live in a config file",
        "reproducibility",
        1,
        f"{U1} adds config/pipeline.yaml with parameters and quality-gate thresholds",
        "YAML under config/ or params.yaml",
        r_config_file,
        ("yaml",),
        "model",
        "config/pipeline.yaml",
    ),
    Check(
        "repro.environments",
        "Environments are defined as config",
        "reproducibility",
        2,
        f"{U2} adds dev/staging/prod environment config",
        "config files named after environments",
        r_environments,
        ("yaml",),
        "infrastructure",
        "config/environments",
    ),
    Check(
        "repro.data-lineage",
        "Training data version is recorded",
        "reproducibility",
        3,
        f"{U3} tags each model version with the data hash",
        "MLflow data-hash tags (AST) or dvc.lock",
        r_data_lineage,
        ("python", "yaml"),
        "data",
    ),
    # code quality and testing
    Check(
        "quality.unit-tests",
        "Unit tests exist",
        "quality",
        0,
        "add tests/test_*.py for data, features and training",
        "test functions under tests/ (AST)",
        r_unit_tests,
        ("python",),
        "infrastructure",
        "tests/",
    ),
    Check(
        "quality.linter",
        "A linter is configured",
        "quality",
        0,
        "configure ruff in pyproject.toml ([tool.ruff])",
        "[tool.ruff] and friends, .flake8, ruff.toml",
        r_linter,
        ("toml",),
        None,
        "pyproject.toml",
    ),
    Check(
        "quality.pre-commit",
        "Pre-commit hooks run the checks",
        "quality",
        1,
        f"{U1} adds .pre-commit-config.yaml",
        ".pre-commit-config.yaml hooks",
        r_precommit,
        ("yaml",),
        None,
        ".pre-commit-config.yaml",
    ),
    Check(
        "quality.ci-tests",
        "CI runs the tests",
        "quality",
        1,
        f"{U1} adds a CI workflow (lint, tests, DAG import, KFP compile)",
        "a GitHub/GitLab job step running pytest / make test, triggered on push or PR",
        r_ci_tests,
        ("ci",),
        "infrastructure",
        ".github/workflows/ci.yml",
    ),
    Check(
        "quality.integration-tests",
        "The serving app has integration tests",
        "quality",
        2,
        f"{U2} adds API tests and a CD integration-test stage",
        "TestClient in tests; CD integration step",
        r_integration_tests,
        ("python", "ci"),
        "infrastructure",
    ),
    Check(
        "quality.drift-tests",
        "Drift detection is tested",
        "quality",
        3,
        f"{U3} adds tests of the drift detector",
        "test functions about drift/PSI/KS (AST)",
        r_drift_tests,
        ("python",),
        "monitoring",
    ),
    # tracking and registry
    Check(
        "tracking.model-artifact",
        "The trained model is saved",
        "tracking",
        0,
        "save the fitted model (joblib.dump) from the training script",
        "joblib/pickle/torch save calls (AST)",
        r_model_artifact,
        ("python",),
        "infrastructure",
    ),
    Check(
        "tracking.experiments",
        "Experiments are tracked",
        "tracking",
        1,
        f"{U1} adds MLflow tracking (SQLite by default) to the pipeline steps",
        "mlflow.start_run/log_* calls in the package (AST, aliases resolved)",
        r_experiments,
        ("python",),
        "model",
    ),
    Check(
        "tracking.registry",
        "Models are registered",
        "tracking",
        1,
        f"{U1} registers each trained model in the MLflow model registry",
        "register_model / registered_model_name= / MlflowClient registry calls",
        r_registry,
        ("python",),
        "infrastructure",
    ),
    Check(
        "tracking.aliases",
        "An alias marks the deployable model",
        "tracking",
        1,
        f"{U1} sets the `candidate` and `champion` aliases",
        "set_registered_model_alias calls",
        r_aliases,
        ("python",),
        "infrastructure",
    ),
    Check(
        "tracking.serving-from-registry",
        "Serving loads the model by alias",
        "tracking",
        2,
        f"{U2} adds a serving app loading models:/NAME@champion",
        "models:/...@alias or alias look-ups in the serving app and its imports (AST)",
        r_serving_from_registry,
        ("python",),
        "infrastructure",
    ),
    Check(
        "tracking.lineage-tags",
        "Model versions carry lineage",
        "tracking",
        3,
        f"{U3} tags every model version with git sha, data hash and pipeline run",
        "set_model_version_tag / tags= with git keys (AST)",
        r_lineage_tags,
        ("python",),
        "infrastructure",
    ),
    # pipelines
    Check(
        "pipelines.train-entrypoint",
        "Training runs from one command",
        "pipelines",
        0,
        "add a train script with a __main__ guard and a `make train` target",
        "__main__ guards in train modules; Makefile target train",
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
        "Airflow DAG()/@dag and @dsl.pipeline outside tests/examples/docs (AST)",
        r_orchestrated,
        ("python",),
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
    ),
    Check(
        "pipelines.image-build",
        "CI/CD builds the images",
        "pipelines",
        2,
        f"{U2} adds a CD workflow that builds the training and serving images",
        "CI steps: docker build/push, build-push-action, kaniko",
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
        "retraining triggers (TriggerDagRunOperator, KFP runs, asset schedules) next to drift code",
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
        "DAG schedule=, KFP recurring runs, CronJobs, CI schedules",
        r_scheduled,
        ("python", "ci", "yaml"),
        "infrastructure",
    ),
    # data and model validation
    Check(
        "validation.holdout",
        "The model is evaluated on held-out data",
        "validation",
        0,
        "split train/test and compute metrics on the test split",
        "train_test_split and sklearn.metrics (AST)",
        r_holdout,
        ("python",),
        "model",
    ),
    Check(
        "validation.data-checks",
        "Input data is validated",
        "validation",
        1,
        f"{U1} adds a validate step before training",
        "validate* functions, GX or pandera (AST)",
        r_data_checks,
        ("python",),
        "data",
    ),
    Check(
        "validation.quality-gate",
        "A quality gate decides promotion",
        "validation",
        1,
        f"{U1} adds quality-gate thresholds in config/pipeline.yaml",
        "a *gate* function or threshold keys in config",
        r_quality_gate,
        ("python", "yaml"),
        "model",
    ),
    Check(
        "validation.data-contract",
        "A data contract is enforced",
        "validation",
        2,
        f"{U2} adds a Great Expectations suite and checkpoint from a data contract",
        "GX suites and checkpoints (files or code) with expectations or a declared schema; pandera",
        r_data_contract,
        ("python", "yaml", "json"),
        "data",
    ),
    Check(
        "validation.model-tests",
        "Models are tested before promotion",
        "validation",
        2,
        f"{U2} adds model tests (threshold vs holdout, challenger vs champion, prediction "
        "range, slices)",
        "test names covering at least three model-test kinds (AST)",
        r_model_tests,
        ("python",),
        "model",
    ),
    Check(
        "validation.drift-detection",
        "Data drift is detected",
        "validation",
        3,
        f"{U3} adds PSI/KS drift detection against a reference profile",
        "drift libraries, scipy KS tests, PSI functions (AST)",
        r_drift_detection,
        ("python",),
        "monitoring",
    ),
    # deployment
    Check(
        "deployment.predict-script",
        "Predictions come from the saved model",
        "deployment",
        0,
        "add a predict script that loads the saved model",
        "joblib/pickle/mlflow load calls (AST)",
        r_predict,
        ("python",),
        None,
    ),
    Check(
        "deployment.training-image",
        "The pipeline runs in a container",
        "deployment",
        1,
        f"{U1} adds a training Dockerfile",
        "Dockerfile FROM/ENTRYPOINT",
        r_training_image,
        (),
        "infrastructure",
        "Dockerfile",
    ),
    Check(
        "deployment.image-hardened",
        "Images are pinned and non-root",
        "deployment",
        1,
        "pin the base image tag (or digest) and add a non-root USER",
        "Dockerfile FROM tag and USER",
        r_image_hardened,
        (),
        None,
        "Dockerfile",
    ),
    Check(
        "deployment.serving-api",
        "A serving API exists",
        "deployment",
        2,
        f"{U2} adds a FastAPI app with /predict, /health and /metrics",
        "FastAPI() and its route decorators (AST)",
        r_serving_api,
        ("python",),
        "infrastructure",
    ),
    Check(
        "deployment.k8s-environments",
        "Kubernetes manifests per environment",
        "deployment",
        2,
        f"{U2} adds Kubernetes manifests with staging and production overlays",
        "kustomization/manifests under overlays/<env>",
        r_k8s_environments,
        ("yaml",),
        "infrastructure",
    ),
    Check(
        "deployment.cd-workflow",
        "A CD workflow deploys",
        "deployment",
        2,
        f"{U2} adds a CD workflow: build, staging, integration test, approval, production",
        "CI deploy steps (kubectl/kustomize/helm/argocd) with environments",
        r_cd_workflow,
        ("ci",),
        "infrastructure",
    ),
    Check(
        "deployment.canary",
        "Canary rollout with automatic rollback",
        "deployment",
        3,
        f"{U3} adds an Argo Rollouts canary with an AnalysisTemplate",
        "Rollout with canary analysis and an AnalysisTemplate (YAML)",
        r_canary,
        ("yaml",),
        "monitoring",
    ),
    # monitoring
    Check(
        "monitoring.pipeline-metrics",
        "The pipeline exports metrics",
        "monitoring",
        1,
        f"{U1} adds pipeline metrics in Prometheus format",
        "prometheus_client metrics and exports (AST)",
        r_pipeline_metrics,
        ("python",),
        "monitoring",
    ),
    Check(
        "monitoring.alert-rules",
        "Alert rules exist",
        "monitoring",
        1,
        f"{U1} adds Prometheus rules for pipeline failure and staleness",
        "Prometheus rule files (YAML)",
        r_alert_rules,
        ("yaml",),
        "monitoring",
        "monitoring/prometheus/alerts.yml",
    ),
    Check(
        "monitoring.dashboard",
        "A dashboard is kept as code",
        "monitoring",
        1,
        f"{U1} adds a Grafana dashboard of the pipeline metrics",
        "Grafana dashboard JSON",
        r_dashboard,
        ("json",),
        "monitoring",
        "monitoring/grafana/dashboard.json",
    ),
    Check(
        "monitoring.serving-metrics",
        "Serving exposes metrics",
        "monitoring",
        2,
        f"{U2} adds /metrics to the serving app",
        "a /metrics route or Prometheus ASGI app (AST)",
        r_serving_metrics,
        ("python",),
        "monitoring",
    ),
    Check(
        "monitoring.slo-alerts",
        "Alerts cover drift, latency and errors",
        "monitoring",
        3,
        f"{U3} adds drift, latency-SLO and error-rate alert rules",
        "alert names and expressions (YAML)",
        r_slo_alerts,
        ("yaml",),
        "monitoring",
    ),
    Check(
        "monitoring.remediation-policy",
        "Alerts map to remediation actions",
        "monitoring",
        3,
        f"{U3} adds a remediation policy file",
        "a remediation policy file",
        r_remediation,
        ("yaml",),
        None,
    ),
    # governance
    Check(
        "governance.readme",
        "The README says how to start",
        "governance",
        0,
        "write a README with the set-up commands",
        "README with pip install / make setup",
        r_readme,
        (),
        None,
        "README.md",
    ),
    Check(
        "governance.secret-scanning",
        "Commits are scanned for secrets",
        "governance",
        1,
        f"{U1} adds detect-private-key to pre-commit",
        "pre-commit hook ids",
        r_secret_scanning,
        ("yaml",),
        None,
        ".pre-commit-config.yaml",
    ),
    Check(
        "governance.change-review",
        "Changes are checked on pull requests",
        "governance",
        1,
        f"{U1} adds CI triggered on pull/merge requests",
        "workflow triggers (YAML, `on:` read as written)",
        r_change_review,
        ("ci",),
        None,
        ".github/workflows/ci.yml",
    ),
    Check(
        "governance.model-card",
        "A model card documents the model",
        "governance",
        2,
        f"{U2} generates a model card",
        "MODEL_CARD.md / model_card* files or a generator",
        r_model_card,
        (),
        None,
        "MODEL_CARD.md",
    ),
    Check(
        "governance.production-approval",
        "Production needs approval",
        "governance",
        2,
        f"{U2} adds a production environment with approval in the CD workflow",
        "CI jobs with a prod* environment",
        r_production_approval,
        ("ci",),
        "infrastructure",
    ),
    Check(
        "governance.codeowners",
        "Owners review changes",
        "governance",
        3,
        f"{U3} adds CODEOWNERS",
        "CODEOWNERS entries",
        r_codeowners,
        (),
        None,
        "CODEOWNERS",
    ),
    Check(
        "governance.promotion-policy",
        "Promotion follows a checked policy",
        "governance",
        3,
        f"{U3} adds a promotion policy and its check",
        "promotion policy files",
        r_promotion_policy,
        ("yaml", "python"),
        None,
    ),
]
CHECKS_BY_ID = {c.id: c for c in CHECKS}


def run_checks(facts: Facts, checks: list[Check] | None = None) -> list[CheckResult]:
    """Apply every rule to the facts; never raises for a rule's sake."""
    results = []
    for check in checks or CHECKS:
        verdict = check.rule(facts)
        if verdict.passed is True:
            outcome = Outcome.PASS
        elif verdict.passed is None:
            outcome = Outcome.NOT_APPLICABLE
        else:
            outcome = Outcome.FAIL
        evidence, message = verdict.evidence, verdict.message
        if outcome is Outcome.FAIL and check.inputs:
            broken = [
                p
                for p in facts.problems
                if p.category in check.inputs or (p.category == "ci" and "yaml" in check.inputs)
            ]
            broken = [p for p in broken if p.zone is Zone.SOURCE]
            if broken:
                outcome = Outcome.UNKNOWN
                evidence = [p.where for p in broken[:5]] + evidence
                first = broken[0]
                message = f"{message}; cannot tell: {first.where} does not parse ({first.message})"
        results.append(
            CheckResult(
                id=check.id,
                title=check.title,
                dimension=check.dimension,
                level=check.level,
                outcome=outcome,
                message=message,
                evidence=evidence,
                upgrade=check.upgrade,
            )
        )
    return results

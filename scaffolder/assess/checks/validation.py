"""Data and model validation: held-out evaluation (0), input data validated and a quality gate
deciding promotion (1), a data contract enforced and models tested before promotion (2), data
drift detected (3)."""

from __future__ import annotations

import posixpath
import re

from scaffolder.assess.checks.base import U1, U2, U3, Check, Verdict, found, of, tools, where
from scaffolder.assess.models import Facts, Zone


def r_holdout(f: Facts) -> Verdict:
    splits, metrics = of(f, "eval.split"), of(f, "eval.metrics")
    evaluated = of(f, "eval.step")
    if (splits and metrics) or evaluated:
        return Verdict(
            True, where(evaluated + splits + metrics, 3), "the model is evaluated on held-out data"
        )
    bars = _bars_on_evaluation(f, metrics)
    if bars:
        # no split the scanner reads (data arriving split, a pipeline's evaluation step), but
        # the metrics it computes are held to a bar before the model goes on: evaluated data
        # the model did not train on
        return Verdict(
            True,
            where(metrics[:2] + bars[:1], 3),
            "the model is evaluated on held-out data: its metrics are held to a bar",
        )
    return Verdict(
        False, where(splits + metrics), "no held-out evaluation (train/test split and metrics)"
    )


def _bars_on_evaluation(f: Facts, metrics: list) -> list:
    """The quality gates that hold evaluation metrics to a bar: a pipeline's condition step, a
    config's metric bars that code reads, or a comparison in the folder of the code computing
    the metrics or one above it (the pipeline running that code). A comparison elsewhere (a
    serving app's `_gate`, a feature filter in preprocessing) says nothing of evaluation."""
    if not metrics:
        return []
    folders = {posixpath.dirname(x.path) for x in metrics}
    bars = []
    for gate in quality_gates(f):
        home = posixpath.dirname(gate.path)
        if gate.kind != "quality.gate" or any(
            not home or d == home or d.startswith(home + "/") for d in folders
        ):
            bars.append(gate)
    return bars


def r_data_checks(f: Facts) -> Verdict:
    checks = of(f, "data.validation", "gx.usage", "pandera.usage", "validation.data")
    checks += f.of("gx.usage", Zone.TESTS) + f.of("pandera.usage", Zone.TESTS)
    checks += f.of("test.data", Zone.TESTS)
    return found(
        checks,
        "input data is validated" + tools(checks),
        "no data validation step before training",
    )


def r_quality_gate(f: Facts) -> Verdict:
    gates = quality_gates(f)
    return found(
        gates,
        "a quality gate with thresholds decides promotion" + tools(gates),
        "no quality gate (metric thresholds a model must meet)",
    )


def quality_gates(f: Facts) -> list:
    gates = of(f, "quality.gate", "validation.gate")
    # a config's metric bars gate promotion unless the code uses every one of them only to
    # decide how to train, logging the model either way (python_gate_branches)
    triggers = {str(x.detail.get("bar")) for x in of(f, "threshold.trigger")}
    # (a bar no code, script or pipeline reads decides nothing: scan_config_reads)
    gates += [
        x
        for x in f.of("config.file")
        if x.detail.get("thresholds")
        and not (triggers and set(x.detail.get("threshold_keys") or ["?"]) <= triggers)
        and not set(x.detail.get("threshold_keys") or ["?"])
        <= set(x.detail.get("unread_keys") or [])
    ]
    if f.of("ci.step.test"):
        # a test holding a metric to a bar (`assert acc > 0.7`) that CI runs fails the build
        gates += f.of("quality.gate", Zone.TESTS)
    return gates


def r_data_contract(f: Facts) -> Verdict:
    # Enforced = expectations (a GX suite file, expectations written in code, or a declared
    # schema they are built from) + a suite + a checkpoint that runs them, in files or in code;
    # or a schema-checking library (pandera, TFDV/ExampleValidator, Deequ, SageMaker baselines).
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
            where(f.of("data.schema") + suites + checkpoints, 6),
            "a data contract is enforced (Great Expectations suites and checkpoints)",
        )
    # a library that builds the suites and checkpoints from the declared schema and runs them
    runners = of(f, "validation.contract_runner")
    if runners and f.of("data.schema"):
        return Verdict(
            True,
            where(f.of("data.schema") + runners, 6),
            "a data contract is enforced by checkpoints built from the declared schema"
            + tools(runners),
        )
    schemas = of(f, "pandera.usage", "validation.schema")
    if schemas:
        return Verdict(
            True, where(schemas), "a data contract is enforced" + (tools(schemas) or " (pandera)")
        )
    missing = [
        name
        for name, seen in (
            ("expectations or a declared schema", expectations),
            ("an expectation suite", suites),
            ("a checkpoint", checkpoints),
            ("code or a CI step running them", gx_code),
        )
        if not seen
    ]
    return Verdict(
        False,
        where(f.of("data.schema") + suites + checkpoints + f.of("gx.usage")),
        "no Great Expectations suite and checkpoint (or pandera/TFDV/Deequ schema) enforcing a "
        f"data contract (missing: {', '.join(missing)})",
    )


MODEL_TEST_KINDS = {
    "champion/challenger": re.compile(r"champion|challenger|beats", re.I),
    "threshold vs holdout": re.compile(r"holdout|threshold|quality_gate", re.I),
    "slices": re.compile(r"slice|fairness|segment", re.I),
    "prediction range": re.compile(r"range|invariance|directional|calibration", re.I),
}


def r_model_tests(f: Facts) -> Verdict:
    pipeline_checks = of(f, "validation.model")
    if pipeline_checks:
        return Verdict(
            True,
            where(pipeline_checks),
            "models are checked before registration" + tools(pipeline_checks),
        )
    tests = f.of("test.model", Zone.TESTS)
    covered = {
        k
        for k, pattern in MODEL_TEST_KINDS.items()
        for t in tests
        if pattern.search(t.detail["name"])
    }
    if len(covered) >= 3:
        return Verdict(True, where(tests), f"model tests cover {', '.join(sorted(covered))}")
    missing = sorted(set(MODEL_TEST_KINDS) - covered)
    return Verdict(False, where(tests), f"model tests miss {', '.join(missing)}")


def r_drift_detection(f: Facts) -> Verdict:
    drift = of(f, "drift.library", "drift.test", "drift.function", "drift.monitor")
    return found(
        drift,
        "data drift is detected" + tools(drift),
        "no drift detection (PSI/KS against a reference, Evidently, a model monitor...)",
    )


CHECKS = [
    Check(
        "validation.holdout",
        "The model is evaluated on held-out data",
        "validation",
        0,
        "split train/test and compute metrics on the test split",
        "train_test_split/CV splitters and metrics (AST); evaluation steps of pipelines; "
        "metrics held to a bar where they are computed or by the pipeline above",
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
        "validate* functions, GX, pandera, TFDV/ExampleValidator, Deequ, SageMaker data quality "
        "checks, Evidently test suites, data tests (AST)",
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
        "a *gate* function, threshold keys in config that code reads, a metric held to a "
        "number before registering, SageMaker ConditionStep, TFMA/MLflow MetricThreshold, a "
        "new-vs-production comparison",
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
        "GX suites and checkpoints (files or code) with expectations or a declared schema; "
        "pandera; TFDV schemas; Deequ; SageMaker data-quality baselines",
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
        "test names covering at least three model-test kinds (AST); SageMaker model-quality or "
        "Clarify checks in the pipeline",
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
        "drift libraries, scipy KS tests, PSI functions (AST); SageMaker Model Monitor, Vertex "
        "model monitoring, Azure ML data drift",
        r_drift_detection,
        ("python",),
        "monitoring",
    ),
]

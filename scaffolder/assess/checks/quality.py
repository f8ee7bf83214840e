"""Code quality and testing: unit tests (0), CI runs them on every change (1), integration tests
of the service or pipeline (2), drift detection tested (3). Linters and pre-commit are advice."""

from __future__ import annotations

import posixpath

from scaffolder.assess.checks.base import (
    U1,
    U2,
    U3,
    Check,
    Verdict,
    found,
    of,
    reachable,
    where,
)
from scaffolder.assess.models import Fact, Facts, Zone

CHANGE_TRIGGERS = {"push", "pull_request", "pull_request_target", "merge_request"}


def ci_triggered(f: Facts) -> list[Fact]:
    """CI definitions that run on changes (any provider; a provider whose triggers live outside
    the repository, such as Cloud Build or CodeBuild, counts as running on every push)."""
    return [w for w in f.of("ci.workflow") if CHANGE_TRIGGERS & set(w.detail["triggers"])]


def r_unit_tests(f: Facts) -> Verdict:
    tests = f.of("test.function", Zone.TESTS)
    if tests:
        return Verdict(True, where(tests, 3), f"{len(tests)} test functions")
    return Verdict(False, [], "no test functions (tests/test_*.py)")


def r_linter(f: Facts) -> Verdict:
    return found(
        f.of("lint.config"),
        "a linter is configured",
        "no linter configured (ruff, flake8, pylint, black, mypy)",
    )


def r_precommit(f: Facts) -> Verdict:
    hooks = f.of("precommit.hook")
    return found(hooks, f"{len(hooks)} pre-commit hooks", "no .pre-commit-config.yaml with hooks")


def _runs_a_test_module(f: Facts, step: Fact) -> bool:
    """A step giving `python -m unittest` dotted names counts when one names a module holding
    tests (`tests.test_model.TestModel`) or a folder of them; `tests.TestModel.test_x`, with no
    `tests/TestModel.py`, imports nothing and runs no test."""
    targets = step.detail.get("unittest")
    if not targets:
        return True
    held = {x.path for x in f.facts if x.kind == "test.function"}
    for target in targets:
        parts = str(target).split(".")
        bases = ["/".join(parts[:k]) for k in range(1, len(parts) + 1)]
        if any(f"{prefix}{b}.py" in held for b in bases for prefix in ("", "src/")):
            return True
        if any(h.startswith(f"{prefix}{bases[-1]}/") for h in held for prefix in ("", "src/")):
            return True
    return False


def r_ci_tests(f: Facts) -> Verdict:
    steps = [x for x in f.of("ci.step.test") if _runs_a_test_module(f, x)]
    if steps and ci_triggered(f):
        providers = sorted({str(w.detail.get("provider")) for w in ci_triggered(f)})
        return Verdict(
            True, where(steps), f"CI runs the tests on every change ({', '.join(providers)})"
        )
    return Verdict(
        False, where(f.of("ci.workflow")), "no CI job runs the tests on push or pull request"
    )


def _suite_has_tests(f: Facts, step: Fact) -> bool:
    """A CI step naming the test folders it runs counts when one of them holds test functions
    (`pytest tests/integration/` over a folder of only `__init__.py` tests nothing)."""
    paths = step.detail.get("tests")
    if not paths:
        return True
    held = [x.path for x in f.facts if x.kind == "test.function"]
    return any(h == p or h.startswith(p.rstrip("/") + "/") for p in paths for h in held)


def suites_ci_runs(f: Facts) -> list[str] | None:
    """The test files and folders CI's test steps run, when every such step names them
    (parse_ci_tests); None when one runs pytest on its defaults or a task runner (every test)."""
    steps = f.of("ci.step.test") + f.of("ci.step.integration")
    if not f.of("ci.step.test") or any(not x.detail.get("tests") for x in steps):
        return None
    return [str(p) for x in steps for p in x.detail["tests"]]


def _under(path: str, suites: list[str]) -> bool:
    """In a folder CI names (`pytest tests/unit`), or beside a file it names (the rest of
    that folder's suite, run selectively); a test in a folder of its own that CI never names
    (`tests/api_tests/`, `backend/test_client.py` beside `backend/tests/`) is not run."""
    for suite in suites:
        if suite.endswith(".py"):
            if posixpath.dirname(path) == posixpath.dirname(suite):
                return True
        elif path.startswith(suite.rstrip("/") + "/"):
            return True
    return False


def r_integration_tests(f: Facts) -> Verdict:
    # a TestClient of an app the test file builds itself (a middleware mounted on a bare
    # Starlette/FastAPI app) tests that piece, not the service; one serving the project's
    # routers (include_router, mount) does test the service's API
    own = {x.path for x in f.of("test.own_app", Zone.TESTS)} - {
        x.path for x in f.of("test.app_router", Zone.TESTS)
    }
    clients = [x for x in f.of("fastapi.testclient", Zone.TESTS) if x.path not in own]
    tests = clients + f.of("test.integration", Zone.TESTS)
    named = suites_ci_runs(f)
    if named is not None:
        # CI names the suites it runs (`pytest tests/test_a.py tests/unit`): an API test
        # outside them is never run on a change
        tests = [x for x in tests if _under(x.path, named)]
    steps = [x for x in of(f, "ci.step.integration") if _suite_has_tests(f, x)]
    return found(
        tests + steps,
        "the service or pipeline is tested end to end",
        "no integration tests (API tests, tests/integration, an e2e or smoke-test CI step)",
    )


def _computes_drift(f: Facts, path: str) -> bool:
    """The service file, or a project module it imports, computes drift (a drift library or
    statistic, a drift function of that module): a `/drift` handler returning a gauge's value
    with a threshold computes none (the detector runs elsewhere, untested)."""
    near = reachable(f, {path})
    return any(
        x.path in near and (x.kind != "drift.function" or x.path != path) for x in f.of("drift.*")
    )


def r_drift_tests(f: Facts) -> Verdict:
    # or a drift test requesting a route of the service whose handler detects drift
    handlers = {(x.path, x.line) for x in f.of("drift.function")}
    drift_routes = {
        str(x.detail.get("route"))
        for x in f.of("fastapi.route")
        if (x.path, x.line) in handlers and _computes_drift(f, x.path)
    }
    requested = [
        x for x in f.of("test.drift_route", Zone.TESTS) if x.detail.get("route") in drift_routes
    ]
    return found(
        f.of("test.drift", Zone.TESTS) + requested,
        "drift detection is tested",
        "no tests of drift detection",
    )


CHECKS = [
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
        advice=True,
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
        advice=True,
    ),
    Check(
        "quality.ci-tests",
        "CI runs the tests",
        "quality",
        1,
        f"{U1} adds a CI workflow (lint, tests, DAG import, KFP compile)",
        "a CI step running the tests (pytest, tox, nox, make/just/mise/task/poe/npm test, "
        "uv/poetry/hatch run) in GitHub Actions, GitLab CI, Azure Pipelines, Cloud Build, "
        "CodeBuild, Jenkins, CircleCI or Bitbucket, run on changes",
        r_ci_tests,
        ("ci",),
        "infrastructure",
        ".github/workflows/ci.yml",
    ),
    Check(
        "quality.integration-tests",
        "The service or pipeline has integration tests",
        "quality",
        2,
        f"{U2} adds API tests and a CD integration-test stage",
        "TestClient tests, tests/integration or e2e tests; an integration/e2e/smoke-test CI step",
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
]

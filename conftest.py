"""Fixtures shared by every test path in this repository (tests/, runtime/tests/, ...).

`postgres_server`: one throwaway PostgreSQL cluster per session on 127.0.0.1;
`postgres_server.create_database()` returns a fresh database's SQLAlchemy URL."""

import os
import sys

import pytest

pytest_plugins = ["tests.engines.postgres"]

# `make test-all` runs pytest inside make: its MAKELEVEL and MAKEFLAGS would make every `make`
# a test runs a sub-make (printing "Entering/Leaving directory", sharing a jobserver). Tests
# run make as a user does, from a shell.
for _name in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES"):
    os.environ.pop(_name, None)


# mlflow.set_experiment() sets MLFLOW_EXPERIMENT_ID in os.environ "so that subprocesses inherit
# it", and mlflow.set_tracking_uri() sets MLFLOW_TRACKING_URI and a module global: an in-process
# test (or runtime code it calls, such as the registry's or the profile's helpers) would hand its
# deleted store to every later test of the same xdist worker and to the processes they start.
# Each test starts with what the one before it started with.
_MLFLOW_PROCESS_VARIABLES = ("MLFLOW_EXPERIMENT_ID", "MLFLOW_RUN_ID", "MLFLOW_TRACKING_URI")
_MLFLOW_URI_MODULE = "mlflow.tracking._tracking_service.utils"


@pytest.fixture(autouse=True)
def _no_mlflow_store_from_an_earlier_test():
    before = {name: os.environ.get(name) for name in _MLFLOW_PROCESS_VARIABLES}
    uri_module = sys.modules.get(_MLFLOW_URI_MODULE)  # never imports MLflow itself
    uri_before = getattr(uri_module, "_tracking_uri", None)
    yield
    uri_module = sys.modules.get(_MLFLOW_URI_MODULE)
    if uri_module is not None and getattr(uri_module, "_tracking_uri", None) != uri_before:
        uri_module.set_tracking_uri(uri_before)
    for name, value in before.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


# Time per test file, printed at the end of a run: the end-to-end phase's groups (one file is one
# group: the level-3 loop, the real engines, each adoption) with what each costs, beside
# `--durations`' slowest single steps. Works under xdist too (reports reach the controller).
_seconds_per_file: dict[str, float] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    path = report.nodeid.split("::", 1)[0]
    _seconds_per_file[path] = _seconds_per_file.get(path, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    slow = sorted(((s, p) for p, s in _seconds_per_file.items() if s >= 1.0), reverse=True)[:40]
    if not slow:
        return
    terminalreporter.write_sep("=", f"time per test file (files over 1 s, slowest {len(slow)})")
    for seconds, path in slow:
        terminalreporter.write_line(f"{seconds:8.1f} s  {path}")

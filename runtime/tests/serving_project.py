"""A tiny fake project for the serving, validation, canary and A/B tests: a package in tmp_path
whose hooks answer from memory (config, an alias table standing in for the MLflow registry,
models by version). Registered by conftest.py."""

from __future__ import annotations

import pytest
from fake_packages import clear_endpoints, forget_package, write_package
from mlops_runtime import Project

FAKE_PACKAGE = {
    "__init__.py": "",
    "tracking.py": """
        import os

        def tracking_uri():  # never opened by these tests; kept inside the test's folder
            return f"sqlite:///{os.environ['MLOPS_PROJECT_ROOT']}/unused.db"
    """,
    "config.py": """
        from types import SimpleNamespace

        def load_config():
            return SimpleNamespace(
                registry=SimpleNamespace(model_name="m"),
                environment=SimpleNamespace(model_alias="champion", name="dev"),
            )
    """,
    "registry.py": """
        from types import SimpleNamespace

        import numpy as np

        ALIASES = {"champion": "1"}  # the registry: alias -> version
        LOADS = []  # versions loaded, in order

        class Constant:
            def __init__(self, probability):
                self.probability = probability

            def predict_proba(self, frame):
                return np.tile([1 - self.probability, self.probability], (len(frame), 1))

        def champion_info(alias=None, config=None):
            alias = alias or "champion"
            if alias not in ALIASES:
                raise LookupError(f"no version of model 'm' has alias {alias!r}")
            version = ALIASES[alias]
            return SimpleNamespace(
                name="m", alias=alias, version=version, run_id=None, uri=f"models:/m/{version}"
            )

        def load_uri(uri):
            version = uri.rsplit("/", 1)[-1]
            LOADS.append(version)
            return Constant(int(version) / 10)
    """,
}


@pytest.fixture
def serving_project(tmp_path, monkeypatch):
    """A `Project` over the fake package, rooted in tmp_path (`serving_registry` moves aliases)."""
    clear_endpoints(monkeypatch)
    write_package(tmp_path, "fakeserve", FAKE_PACKAGE, monkeypatch)
    monkeypatch.setenv("MLOPS_PROJECT_ROOT", str(tmp_path))
    yield Project(name="fake", package="fakeserve")
    forget_package("fakeserve")


@pytest.fixture
def serving_registry(serving_project):
    import fakeserve.registry

    return fakeserve.registry


class Recorder:
    """A serving hook that keeps every prediction event; `is_ready` is what `ready()` says."""

    def __init__(self):
        self.events, self.is_ready = [], (True, None)

    def start(self):
        pass

    def after_predict(self, event):
        self.events.append(event)

    def stop(self):
        pass

    def ready(self):
        return self.is_ready

"""Fixtures of the runtime's tests: `project`, the `sampleproj` package beside this file rooted in
a temporary folder (monitoring, records); `fake_project`, a generated-project-like package
written to tmp_path with its config files and MLflow on SQLite (governance, remediation;
fake_project.py); `serving_project`, a package whose hooks answer from memory (serving,
validation, canary, A/B; serving_project.py). The two fakes share fake_packages.py: writing a
package for one test and the endpoint variables every fixture unsets."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from fake_packages import clear_endpoints
from fake_project import fake_project, registry_client  # noqa: F401 (fixtures)
from mlops_runtime import Project
from serving_project import serving_project, serving_registry  # noqa: F401 (fixtures)


@pytest.fixture
def project(tmp_path, monkeypatch) -> Project:
    """The sample project, rooted in tmp_path, with every endpoint at its default."""
    clear_endpoints(monkeypatch)
    monkeypatch.setenv("MLOPS_PROJECT_ROOT", str(tmp_path))
    return Project(name="sample", package="sampleproj")


@pytest.fixture(params=["sqlite", "postgresql"])
def state_uri(request, tmp_path) -> str:
    """A fresh shared state store: SQLite in tmp_path, and a database on the session's real
    PostgreSQL server (the repo-root `postgres_server` fixture)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'artifacts' / 'state.db'}"
    return request.getfixturevalue("postgres_server").create_database()


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port where nothing listens, for the whole test: bound but not listening, so a
    connection is refused and no other process (another test worker's server) can take it, as
    it could a port probed free and closed again."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]

"""Fixtures of the runtime's tests: a fake project (fake_project.py)."""

from fake_project import fake_project, registry_client  # noqa: F401 (fixtures)

"""The built wheel carries the templates: install it into a fresh venv and run `new`."""

from __future__ import annotations

import sys

import pytest

from tests.e2e.conftest import REPO, run

pytestmark = pytest.mark.e2e


def test_wheel_installs_and_creates_a_project(tmp_path):
    dist = tmp_path / "dist"
    run([sys.executable, "-m", "build", "--wheel", "--outdir", dist, REPO], REPO)
    (wheel,) = dist.glob("mlops_scaffold-*.whl")
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", venv], tmp_path)
    run([venv / "bin/python", "-m", "pip", "install", "-q", wheel], tmp_path)
    out = run([venv / "bin/mlops-scaffold", "--version"], tmp_path)
    assert out.stdout.startswith("mlops-scaffold ")
    run([venv / "bin/mlops-scaffold", "new", "wheelproj", "--level", "1", "--defaults"], tmp_path)
    project = tmp_path / "wheelproj"
    assert (project / ".mlops-scaffold.yml").is_file()
    assert (project / "src" / "wheelproj" / "pipeline" / "steps.py").is_file()
    assert (project / "Makefile").is_file()

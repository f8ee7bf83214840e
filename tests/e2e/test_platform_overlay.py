"""A platform team's overlay end to end: the Acme example, kept in its own git repository
with releases v1 and v2, gives a project whose own tests pass; its second release reaches the
team's edited project through `upgrade`, the overlay's migration included; `check` fails on
the lagging project and passes after the upgrade. The generated CI with the org's runner
labels and registry passes the workflow checkers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import REPO, make
from tests.e2e.test_generated_projects import check_workflows
from tests.overlays.acme import acme_repo
from tests.upgrade.helpers import commit, git

pytestmark = pytest.mark.e2e


def scaffold(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scaffolder", *map(str, args)],
        cwd=REPO, capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_acme_overlay_v1_project_runs_and_takes_v2(tmp_path, venv):
    _, url = acme_repo(tmp_path)
    made = scaffold("new", "churn", "--level", "1", "--defaults", "-o", tmp_path,
                    "--overlay", f"{url}@v1", "-d", "owning_team=churn-squad")  # fmt: skip
    assert made.returncode == 0, made.stderr
    project = tmp_path / "churn"
    assert "runs-on: [acme-linux-large]" in (project / ".github/workflows/ci.yml").read_text()
    make(project, "setup", venv)
    make(project, "test", venv)  # the company rule runs among the project's own tests

    # The team adds a module without a docstring and exempts it, as release 1 says to.
    (project / "src/churn/legacy.py").write_text("LEGACY_THRESHOLD = 0.5\n")
    (project / ".acme-lint-skip").write_text("churn/legacy.py\n")
    readme = project / "README.md"
    readme.write_text(readme.read_text() + "\nOwned by the churn squad.\n")
    commit(project, "legacy module, exempted")
    make(project, "test", venv)

    lagging = scaffold("check", project, "--offline")
    assert lagging.returncode == 0, lagging.stderr  # offline: the overlay's releases unknown
    lagging = scaffold("check", project)
    assert lagging.returncode == 1 and "overlay-behind" in lagging.stderr

    upgraded = scaffold("upgrade", project, "--to", "1")
    assert upgraded.returncode == 0, upgraded.stderr
    assert "acme:0001-lint-skip-into-acme-folder" in upgraded.stderr
    assert "Owned by the churn squad." in readme.read_text()
    assert "churn/legacy.py" in (project / "acme/lint-skip.txt").read_text()
    assert "@acme/ml-reviewers" in (project / "CODEOWNERS").read_text()
    assert git(project, "status", "--porcelain") == ""
    # Release 2's rule reads acme/lint-skip.txt: without the migration this would fail.
    make(project, "test", venv)
    passing = scaffold("check", project)
    assert passing.returncode == 0, passing.stderr


@pytest.mark.parametrize("ci", ["github", "gitlab"])
def test_org_choices_give_valid_ci(tmp_path, venv, ci):
    made = scaffold(
        "new", "svc", "--level", "2", "--ci", ci, "--defaults", "-o", tmp_path,
        "-d", "ci_runner=self-hosted, linux, gpu",
        "-d", "container_registry=registry.acme.example:5000/ml",
        "-d", "base_image=registry.acme.example/python:3.11-slim", "-d", "default_branch=trunk",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    project = tmp_path / "svc"
    check_workflows(project, venv, ci)
    assert "FROM registry.acme.example/python:3.11-slim" in (project / "Dockerfile").read_text()

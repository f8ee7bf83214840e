"""A fix in the runtime library reaches a level-3 project by a version bump alone: the platform
releases the next patch of mlops-scaffold-runtime with a changed behaviour, the team raises the
pin in constraints.txt and runs `make setup`, and the project shows the new behaviour, with its own
edits untouched and nothing to merge."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import mlops_runtime
import pytest

from tests.e2e.conftest import REPO, generate, make, run

pytestmark = pytest.mark.e2e

# The release the templates pin (this checkout's runtime) and the patch release that fixes it.
PINNED = mlops_runtime.__version__
_major, _minor, _patch = PINNED.split(".")[:3]
FIXED = f"{_major}.{_minor}.{int(_patch) + 1}"
FIX_LINE = f"Judged by mlops-scaffold-runtime {FIXED}."


def _patched_runtime(tmp_path: Path) -> Path:
    """A copy of this checkout's runtime as release FIXED, whose report says so (the "fix");
    its wheel's folder."""
    source = tmp_path / f"runtime-{FIXED}"
    shutil.copytree(REPO / "runtime", source, ignore=shutil.ignore_patterns("tests", "*.pyc"))
    init = source / "src/mlops_runtime/__init__.py"
    init.write_text(re.sub(r'__version__ = "[^"]+"', f'__version__ = "{FIXED}"', init.read_text()))
    report = source / "src/mlops_runtime/monitoring/report.py"
    text = report.read_text()
    assert '"## Decision: ' in text, "the report's decision heading moved; update this test"
    report.write_text(text.replace('"## Decision: ', f'"{FIX_LINE}\\n\\n## Decision: ', 1))
    wheels = tmp_path / f"wheels-{FIXED}"
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", wheels, source], REPO)
    return wheels


def _installed_runtime(venv: Path) -> str:
    out = run([venv / "bin/python", "-c", "import mlops_runtime; print(mlops_runtime.__version__)"],
              REPO).stdout  # fmt: skip
    return out.strip()


def test_a_runtime_fix_arrives_by_a_version_bump(tmp_path, venv, runtime_wheels):
    project = generate(tmp_path, "bump-demo", "--level", "3", "--orchestrator", "airflow")
    # The team's own edits: a threshold, a README line, a feature tweak.
    monitoring = project / "config/monitoring.yaml"
    monitoring.write_text(monitoring.read_text().replace("min_samples: 200", "min_samples: 150"))
    readme = project / "README.md"
    readme.write_text(readme.read_text() + "\nOur team's runbook: page #ml-oncall.\n")
    run(["git", "add", "-A"], project)
    run(["git", "-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-qm", "team"],
        project)  # fmt: skip
    edited = {p: (project / p).read_bytes() for p in ("config/monitoring.yaml", "README.md")}

    make(project, "setup", venv)
    assert _installed_runtime(venv) == PINNED
    make(project, "train", venv)
    before = make(project, "monitor", venv).stdout
    report = project / "artifacts/monitoring/latest.md"
    assert FIX_LINE not in report.read_text()

    fixed = _patched_runtime(tmp_path)
    try:
        constraints = project / "constraints.txt"
        constraints.write_text(
            constraints.read_text().replace(
                f"mlops-scaffold-runtime=={PINNED}", f"mlops-scaffold-runtime=={FIXED}"
            )
        )
        make(project, "setup", venv, PIP_FIND_LINKS=f"{fixed} {runtime_wheels}")
        assert _installed_runtime(venv) == FIXED
        after = make(project, "monitor", venv).stdout
        assert "decision: none" in before and "decision: none" in after
        assert FIX_LINE in report.read_text()
        # Nothing to merge: the bump is the only change, the team's edits are as they were.
        status = run(["git", "status", "--porcelain", "--untracked-files=no"], project).stdout
        status = status.split("\n")
        changed = sorted(line[3:] for line in status if line.strip())
        assert changed == ["constraints.txt"], changed
        assert {p: (project / p).read_bytes() for p in edited} == edited
    finally:  # the shared venv goes back to this checkout's runtime for the other tests
        (wheel,) = runtime_wheels.glob("*.whl")
        subprocess.run(
            [venv / "bin/python", "-m", "pip", "install", "-q", "--no-deps",
             "--force-reinstall", wheel],
            check=True, capture_output=True,
        )  # fmt: skip

"""Our own code keeps the style generated projects are held to: ruff's lint rules and its
formatter, as configured in pyproject.toml (CONVENTIONS: generated code follows our style)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PATHS = ["scaffolder", "runtime", "tests", "benchmarks", "dev", "conftest.py"]


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, "--no-cache", *PATHS],
        cwd=REPO,
        capture_output=True,
        text=True,
    )


def test_the_lint_rules_pass():
    result = _ruff("check", "--output-format", "concise")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_code_is_formatted():
    result = _ruff("format", "--check")
    assert result.returncode == 0, result.stdout + result.stderr

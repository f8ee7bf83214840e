"""Hostile free-text answers through the real CLI: the generated project still passes its own
linters and the checkers CI runs over its Dockerfiles and packaging metadata."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import generate, make, run, tool

pytestmark = pytest.mark.e2e

DESCRIPTION = 'x"""; import os; os.system("touch PWNED"); """ $(touch PWNED) `id` {{ 7*7 }} \\'
AUTHOR = "O'Brien & <Co> # [team](x) ${HOME} Zoë 🚀 \\"


def test_hostile_answers_pass_the_generated_linters(tmp_path, venv):
    project = generate(
        tmp_path, "hostile", "--level", "2", "--orchestrator", "both",
        "--data", f"description={DESCRIPTION}", "--data", f"author={AUTHOR}",
    )  # fmt: skip
    make(project, "lint", venv)
    for dockerfile in ("Dockerfile", "Dockerfile.serving"):
        run([tool("hadolint", venv), dockerfile], project)
    # The package metadata as pip and build tools read it.
    script = (
        "import importlib.metadata as m, sys\n"
        "meta = m.metadata('hostile')\n"
        "assert meta['Summary'] == sys.argv[1], meta['Summary']\n"
        "assert sys.argv[2] in meta['Author'], meta['Author']\n"
        "import hostile\n"
    )
    run([venv / "bin/python", "-m", "pip", "install", "-q", "--no-deps", "-e", "."], project)
    run([venv / "bin/python", "-c", script, DESCRIPTION, AUTHOR], tmp_path)
    assert not list(tmp_path.rglob("PWNED"))

"""The `env_manager` answer (uv | pip): what `make setup` installs with, and that both honour
the constraints file and pip's documented settings. (A real uv `make setup` runs in the e2e
suite: tests/e2e/conftest.py builds the shared venv with the generated Makefile.)"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from scaffolder.catalog import builtin_catalog
from scaffolder.errors import InvalidAnswerError
from scaffolder.render import render


def _render(tmp_path: Path, level: int = 3, **answers: object) -> tuple[Path, object]:
    given = {"project_name": "churn", "level": level, "python_version": "3.11", **answers}
    dest = tmp_path / "out"
    return dest, render(builtin_catalog(), given, dest)


def _dry_setup(tree: Path, *args: str, **env: str) -> str:
    """The commands `make setup` would run (make -n), with a clean pip environment."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_"))}
    result = subprocess.run(
        ["make", "-n", "setup", *args], cwd=tree, env={**clean, **env},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return result.stdout


def _install_line(dry: str) -> str:
    (line,) = [ln for ln in dry.splitlines() if "install" in ln and "-e " in ln]
    return line


@pytest.mark.parametrize("level", [0, 3])
def test_uv_is_the_default_and_installs_with_the_constraints(tmp_path, level):
    tree, answers = _render(tmp_path, level)
    assert answers.env_manager == "uv"
    assert "ENV_MANAGER ?= uv\n" in (tree / "Makefile").read_text()
    dry = _dry_setup(tree)
    line = _install_line(dry)
    assert "command -v uv" in line and "pip install --python .venv/bin/python" in line
    assert "-c constraints.txt" in line and "-m pip install" not in line
    # uv missing from PATH: pip puts it into the venv first, or says how to use pip instead.
    assert "-m pip install --disable-pip-version-check uv" in dry
    assert "ENV_MANAGER=pip make setup" in dry


def test_pip_answer_and_override_install_with_pip(tmp_path):
    tree, answers = _render(tmp_path, env_manager="pip")
    assert answers.env_manager == "pip"
    assert "ENV_MANAGER ?= pip\n" in (tree / "Makefile").read_text()
    for dry in (_dry_setup(tree), _dry_setup(tmp_path / "out", "ENV_MANAGER=pip")):
        line = _install_line(dry)
        assert ".venv/bin/python -m pip install --disable-pip-version-check" in line
        assert "-c constraints.txt" in line and "uv" not in line.split(">>")[0]
        assert '[ "pip" = uv ]' in dry  # the step that would install uv does not run


def test_uv_gets_the_pip_settings_make_setup_documents(tmp_path):
    tree, _ = _render(tmp_path)
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    extra = tmp_path / "more.txt"
    line = _install_line(
        _dry_setup(
            tree,
            PIP_FIND_LINKS=f"{wheels} {tmp_path / 'missing'}",
            PIP_EXTRA_INDEX_URL="https://pkgs.example.org/simple",
            PIP_CONSTRAINT=str(extra),
        )
    )
    assert f"--find-links {wheels} " in line
    assert "missing" not in line  # a folder that is not there: uv would refuse, pip ignores it
    assert "--extra-index-url https://pkgs.example.org/simple" in line
    assert f"-c {extra}" in line and "-c constraints.txt" in line


def test_an_unknown_env_manager_is_refused(tmp_path):
    with pytest.raises(InvalidAnswerError, match="env_manager 'conda' is not one of uv, pip"):
        _render(tmp_path, env_manager="conda")
    assert not (tmp_path / "out").exists()


def test_the_question_agrees_with_the_answer_model():
    import yaml

    from scaffolder.answers import Answers
    from scaffolder.choices import ENV_MANAGERS

    question = yaml.safe_load(builtin_catalog().questions_file.read_text())["env_manager"]
    assert tuple(question["choices"]) == ENV_MANAGERS
    assert question["default"] == Answers.model_fields["env_manager"].default == "uv"


def test_the_tests_skip_the_pytest_plugin_dvc_brings(tmp_path):
    import tomllib

    tree, _ = _render(tmp_path)
    addopts = tomllib.loads((tree / "pyproject.toml").read_text())["tool"]["pytest"]
    assert "-p no:hydra_pytest" in addopts["ini_options"]["addopts"]

"""The `env_manager` answer (uv | pip): what `make setup` installs with, and that both honour
the constraints file and pip's documented settings. (A real uv `make setup` runs in the e2e
suite: tests/e2e/conftest.py builds the shared venv with the generated Makefile.)"""

from __future__ import annotations

import os
import shutil
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


def _setup_with_a_recording_uv(
    tree: Path, tmp_path: Path, *, new_venv: bool = False, **env: str
) -> tuple[Path, str, str]:
    """Run the real `make setup` recipe into a small venv (made before unless `new_venv`), uv
    replaced by a script that records its arguments (the install itself is the e2e suite's);
    the venv, uv's arguments and what setup printed."""
    venv = tmp_path / "venv"
    if not venv.exists() and not new_venv:
        subprocess.run(["python3", "-m", "venv", "--without-pip", venv], check=True)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    uv = bin_dir / "uv"
    uv.write_text(f'#!/bin/sh\necho "$@" >> {tmp_path / "uv-args"}\n')
    uv.chmod(0o755)
    if new_venv:  # the venv setup makes, without pip (ensurepip is seconds the test needs not)
        python3 = bin_dir / "python3"
        python3.write_text(f'#!/bin/sh\nexec {shutil.which("python3")} "$@" --without-pip\n')
        python3.chmod(0o755)
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PIP_", "UV_")) and k != "PYTHONDONTWRITEBYTECODE"
    }
    clean["PATH"] = f"{bin_dir}{os.pathsep}{clean['PATH']}"
    printed = subprocess.run(
        ["make", "setup", f"VENV={venv}"], cwd=tree, env={**clean, **env},
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return venv, (tmp_path / "uv-args").read_text(), printed


def _module(venv: Path, name: str) -> Path:
    (site,) = venv.glob("lib/python3*/site-packages")
    (site / f"{name}.py").write_text("VALUE = 1\n")
    return site


def test_setup_compiles_bytecode_where_python_would_cache_none(tmp_path):
    """With PYTHONDONTWRITEBYTECODE set, uv compiles what it installs and setup compiles a venv
    uv filled earlier without it, once; without the variable Python's own cache is left to work."""
    tree, _ = _render(tmp_path, level=0)
    venv, _, _ = _setup_with_a_recording_uv(tree, tmp_path)  # made lazily: an existing venv
    site = _module(venv, "installed_before")
    venv, args, printed = _setup_with_a_recording_uv(tree, tmp_path, PYTHONDONTWRITEBYTECODE="1")
    assert "--compile-bytecode" in args.splitlines()[-1]
    assert "compiling" in printed
    assert list((site / "__pycache__").glob("installed_before.*.pyc"))
    assert (venv / ".bytecode").is_file()
    # Once: later packages are uv's to compile as it installs them.
    _module(venv, "installed_later")
    _setup_with_a_recording_uv(tree, tmp_path, PYTHONDONTWRITEBYTECODE="1")
    assert not list((site / "__pycache__").glob("installed_later.*.pyc"))


def test_a_venv_setup_makes_itself_needs_no_one_off_compile(tmp_path):
    """Everything in a venv made with BYTECODE=compile was compiled as it was installed."""
    tree, _ = _render(tmp_path, level=0)
    venv, args, printed = _setup_with_a_recording_uv(
        tree, tmp_path, new_venv=True, PYTHONDONTWRITEBYTECODE="1"
    )
    assert "setup: creating" in printed and "compiling" not in printed
    assert (venv / ".bytecode").is_file() and "--compile-bytecode" in args


def test_setup_leaves_bytecode_to_python_without_the_variable(tmp_path):
    tree, _ = _render(tmp_path, level=0)
    venv, _, _ = _setup_with_a_recording_uv(tree, tmp_path)
    site = _module(venv, "installed")
    _, args, _ = _setup_with_a_recording_uv(tree, tmp_path)
    assert all("--compile-bytecode" not in line for line in args.splitlines())
    assert not (site / "__pycache__").exists() and not (venv / ".bytecode").exists()
    # BYTECODE=compile asks for it where the variable is not set (a Docker layer, say).
    _, args, _ = _setup_with_a_recording_uv(tree, tmp_path, BYTECODE="compile")
    assert "--compile-bytecode" in args.splitlines()[-1]
    assert list((site / "__pycache__").glob("installed.*.pyc"))


def test_new_says_how_long_the_first_setup_takes_with_its_installer():
    """uv installed a level-3 project in 18-26 s cold here (benchmarks/bench_setup.py): `new`
    no longer promises minutes for it; pip still takes them."""
    from scaffolder.answers import Answers
    from scaffolder.new import _setup_summary

    def minutes(**given: object) -> str:
        base = {"project_name": "churn", "package_name": "churn", "description": "d",
                "author": "a", "python_version": "3.11", "orchestrator": "both"}  # fmt: skip
        return _setup_summary(Answers(**base, **given))[1]

    assert minutes(level=3) == "about a minute"
    assert minutes(level=0) == "under a minute"
    assert minutes(level=3, env_manager="pip") == "several minutes"
    assert minutes(level=0, env_manager="pip") == "a minute or two"


def test_an_unknown_bytecode_mode_is_one_line_before_anything_happens(tmp_path):
    tree, _ = _render(tmp_path, level=0)
    result = subprocess.run(
        ["make", "setup", "BYTECODE=yes", f"VENV={tmp_path / 'venv'}"], cwd=tree,
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert result.stdout.strip() == "setup: BYTECODE is lazy or compile, not yes"
    assert not (tmp_path / "venv").exists() and not (tree / "build").exists()

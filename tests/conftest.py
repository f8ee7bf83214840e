"""Shared fixtures: an isolated git environment and a way to run the CLI in-process."""

from __future__ import annotations

import contextlib
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests judge correctness, not speed: a busy 2-core CI machine must not fail them on
# hypothesis' per-example deadline (a profile, so a test's own @settings still add to it).
settings.register_profile("mlops-scaffold", deadline=None)
settings.load_profile("mlops-scaffold")


@pytest.fixture(scope="session")
def compiled_templates(tmp_path_factory) -> Path:
    """Jinja code compiled by earlier tests of this worker, lent to every test's home.

    Every render compiles the built-in templates into the tool's cache under $HOME (about
    3.6 MB for level 3). Each test gets an empty home, so without this every rendering test
    would compile them anew and leave the copy behind: 250 copies filled a CI machine's /tmp.
    The cache is keyed by template source and Jinja settings, so sharing it changes no output
    (tests/test_jinja_cache.py proves that on its own, separate cache folders).
    """
    folder = tmp_path_factory.getbasetemp() / "compiled-templates"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch, tmp_path_factory, compiled_templates):
    """No user or system git config leaks in; tests that need an identity set one.

    The home is removed after the test (it is a scratch folder, never asserted on after it);
    the Jinja code compiled in it moves to `compiled_templates` for the next tests.
    """
    home = tmp_path_factory.mktemp("home")
    tool_cache = home / ".cache" / "mlops-scaffold"
    tool_cache.mkdir(parents=True)
    for compiled in compiled_templates.iterdir():
        (tool_cache / compiled.name).symlink_to(compiled, target_is_directory=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    for var in (
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
        "EMAIL",
        "XDG_CACHE_HOME",  # fetched overlays are cached under $HOME/.cache instead
        "MLOPS_SCAFFOLD_CACHE",
    ):
        monkeypatch.delenv(var, raising=False)
    yield home
    for folder in tool_cache.glob("jinja-*"):
        if folder.is_dir() and not folder.is_symlink():
            with contextlib.suppress(OSError):  # another copy of the same code got there first
                folder.rename(compiled_templates / folder.name)
    shutil.rmtree(home, ignore_errors=True)


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli(capsys, monkeypatch):
    """Run `mlops-scaffold ARGS...` through the real entry point, as a user would."""
    from scaffolder import cli

    def run(*args: str | Path) -> CliResult:
        monkeypatch.setattr(sys, "argv", ["mlops-scaffold", *map(str, args)])
        capsys.readouterr()
        code = 0
        try:
            cli.main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out, err = capsys.readouterr()
        return CliResult(code, out, err)

    return run

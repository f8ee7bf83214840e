"""Shared fixtures: an isolated git environment and a way to run the CLI in-process."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests judge correctness, not speed: a busy 2-core CI machine must not fail them on
# hypothesis' per-example deadline (a profile, so a test's own @settings still add to it).
settings.register_profile("mlops-scaffold", deadline=None)
settings.load_profile("mlops-scaffold")


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch, tmp_path_factory):
    """No user or system git config leaks in; tests that need an identity set one."""
    home = tmp_path_factory.mktemp("home")
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
    return home


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

"""Special files as input: a repository may hold a symlink to /dev/zero, a FIFO, a symlink out
of it, or names that are not UTF-8. `check`, `assess` and `fleet status` read only regular
files inside the repository, size-capped: they finish, in bounded memory, with no traceback.

Each command runs in a child process with a memory limit and a timeout, so the old behaviour
(6 GB in 12 s, or a hang) fails the test instead of the machine."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scaffolder.state import STATE_FILE
from tests.upgrade.helpers import commit, git, new_project, snapshot

MEMORY = 1 << 30  # 1 GiB of address space is far more than any of these needs
TIMEOUT = 120


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            [sys.executable, "-m", "scaffolder", *map(str, args)],
            capture_output=True, text=True, timeout=TIMEOUT, preexec_fn=_limit, cwd=cwd,
            env={**os.environ, "COLUMNS": "200"},
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.fail(f"{args} did not finish in {TIMEOUT} s (a FIFO or /dev/zero read?)")


def _no_crash(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert "MemoryError" not in result.stderr, result.stderr[-2000:]


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        home = tmp_path_factory.mktemp("home-special")
        mp.setenv("HOME", str(home))
        mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
        mp.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
        return new_project(tmp_path_factory.mktemp("special"), level=0)


@pytest.fixture
def project(made, tmp_path):
    copy = tmp_path / "fleet" / "proj"
    shutil.copytree(made, copy, symlinks=True)
    return copy


def _commit_link(project: Path, name: str, target: str) -> None:
    path = project / name
    path.unlink(missing_ok=True)
    path.symlink_to(target)
    commit(project, f"{name} -> {target}")


@pytest.mark.parametrize("name", [".gitignore", ".mlops-scaffold-exemptions.yml"])
def test_a_committed_symlink_to_dev_zero_is_not_read(project, name):
    _commit_link(project, name, "/dev/zero")
    before = snapshot(project)
    for args in (["check", project], ["assess", project, "--format", "json"],
                 ["fleet", "status", "--dir", project.parent]):  # fmt: skip
        result = run(*args)
        _no_crash(result)
        assert result.returncode in (0, 1), (args, result.returncode, result.stderr)
        if result.returncode == 1 and args[0] != "fleet":
            assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert snapshot(project) == before


def test_a_state_file_linked_to_dev_zero_or_outside_is_one_line(project, tmp_path):
    (tmp_path / "secret.yml").write_text("answers: {}\n")
    for target in ("/dev/zero", str(tmp_path / "secret.yml")):
        _commit_link(project, STATE_FILE, target)
        before = snapshot(project)
        for args in (["check", project], ["upgrade", "--dry-run", project]):
            result = run(*args)
            _no_crash(result)
            assert result.returncode == 1, result.stderr
            [line] = result.stderr.strip().splitlines()
            assert STATE_FILE in line, line
        assert snapshot(project) == before


@pytest.mark.parametrize("name", [".gitignore", "notes.md", ".mlops-scaffold-exemptions.yml"])
def test_a_fifo_in_the_repository_does_not_hang(project, name):
    path = project / name
    path.unlink(missing_ok=True)
    os.mkfifo(path)
    for args in (["assess", project, "--format", "json"], ["check", project],
                 ["fleet", "status", "--dir", project.parent]):  # fmt: skip
        result = run(*args)
        _no_crash(result)
        assert result.returncode in (0, 1), (args, result.stderr)


def test_non_utf8_file_names_in_assess_json(project):
    name = os.fsdecode(b"caf\xe9_train.py")
    (project / name).write_text("import mlflow\n")
    result = run("assess", project, "--format", "json")
    _no_crash(result)
    assert result.returncode == 0, result.stderr
    json.loads(result.stdout)


def test_fleet_refuses_a_non_utf8_repos_file_and_a_report_into_a_missing_folder(project, tmp_path):
    before = snapshot(project)
    repos = tmp_path / "repos.txt"
    repos.write_bytes(b"# caf\xe9\n" + os.fsencode(str(project)) + b"\n")
    bad = run("fleet", "status", "--repos-file", repos)
    _no_crash(bad)
    assert bad.returncode == 1 and len(bad.stderr.strip().splitlines()) == 1, bad.stderr
    assert "not UTF-8" in bad.stderr
    repos.write_text(f"{project}\n")
    missing = run("fleet", "status", "--repos-file", repos, "--report", tmp_path / "no" / "r.md")
    _no_crash(missing)
    assert missing.returncode == 1, missing.stderr
    [line] = missing.stderr.strip().splitlines()
    assert "does not exist" in line and missing.stdout == ""  # refused before the run
    assert snapshot(project) == before


@pytest.mark.parametrize(
    "entry", ["--upload-pack=touch {marker}", "-u touch {marker}", "--config=core.x=1"]
)
def test_repos_file_lines_starting_with_a_dash_never_reach_git(tmp_path, entry):
    marker = tmp_path / "ran"
    repos = tmp_path / "repos.txt"
    repos.write_text(entry.format(marker=marker) + "\n")
    for command in (["fleet", "status"], ["fleet", "upgrade", "--branch", "b"]):
        result = run(*command, "--repos-file", repos, cwd=tmp_path)
        _no_crash(result)
        assert result.returncode == 1
        [line] = result.stderr.strip().splitlines()
        assert "starts with '-'" in line, line
    assert not marker.exists()


def test_an_overlay_source_starting_with_a_dash_never_reaches_git(tmp_path):
    marker = tmp_path / "ran"
    result = run("new", "x", "--defaults", "--overlay", f"--upload-pack=touch {marker}@v1",
                 cwd=tmp_path)  # fmt: skip
    _no_crash(result)
    assert result.returncode == 1 and not marker.exists()
    assert not (tmp_path / "x").exists()
    git(tmp_path, "--version")


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "not-utf8"])
def test_an_assess_history_file_that_is_not_plain_text_is_one_line(project, tmp_path, kind):
    """`assess --history FILE` reads the file's last line before appending: a FIFO hung the
    append, non-UTF-8 bytes gave a traceback."""
    history = tmp_path / "history.jsonl"
    if kind == "fifo":
        os.mkfifo(history)
    elif kind == "dev-zero":
        history.symlink_to("/dev/zero")
    else:
        history.write_bytes(b'{"level": 0}\n\xff\xfe\n')
    before = snapshot(project)
    result = run("assess", project, "--history", history)
    assert result.returncode == 1, result.stdout + result.stderr
    [line] = result.stderr.strip().splitlines()
    reason = "is not UTF-8 text" if kind == "not-utf8" else "is not a regular file"
    assert line.startswith(f"error: history file {history} {reason}"), line
    assert line.endswith("choose another --history"), line
    assert snapshot(project) == before

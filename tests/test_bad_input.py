"""Bad input through the real entry point: every case exits 1 with one line on stderr that
names the thing, and leaves the folder, or the project (refs, HEAD, index, every file), as it
was. The suite enumerates inputs per command and every state-file field x a damaged value."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from scaffolder.state import STATE_FILE
from tests.upgrade.helpers import USER, commit, git, new_project, snapshot


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() if p.is_file() else b"<dir>"
        for p in root.rglob("*")
    }


def _one_line_error(result, *needles: str) -> None:
    assert result.exit_code == 1, (result.exit_code, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


# (arguments, text the error line must hold); {file} is a plain file, {ro} a folder nobody
# may write, {full} a non-empty folder, in a scratch folder that is the working directory.
NEW_CASES = [
    (["new", "ok", "--defaults", "-o", "{file}"], "is a file"),
    (["new", "ok", "--defaults", "-o", "{file}/sub"], "is a file"),
    (["new", "ok", "--defaults", "-o", "{file}/a/b"], "is a file"),
    (["new", "full", "--defaults"], "exists and is not empty"),
    (["new", "file", "--defaults"], "exists and is not a folder"),
    (["new", "x", "--level", "abc"], "--level"),
    (["new", "x", "--level", "9", "--defaults"], "invalid choice: 9"),
    (["new", "x", "--level", "-1", "--defaults"], "--level"),
    (["new", "x", "--bogus"], "unrecognized arguments: --bogus"),
    (["new"], "required: NAME"),
    (["new", "x", "--data", "nokey", "--defaults"], "not KEY=VALUE"),
    (["new", "x", "--data", "colour=red", "--defaults"], "not a question"),
    (["new", "x", "--data", "project_name=y", "--defaults"], "disagrees with NAME"),
    (["new", "x", "--data", "package_name=json", "--defaults"], "would shadow"),
    (["new", "x", "--data", "package_name=class", "--defaults"], "keyword"),
    (["new", "json", "--defaults"], "would shadow"),
    (["new", "x", "--data", "description=a\nb", "--defaults"], "description contains a line"),
    (["new", "x", "--data", "author=a\tb", "--defaults"], "author contains the control"),
    (["new", "x", "--data", "author=caf\udce9", "--defaults"], "not valid UTF-8"),
    (["new", "x", "--orchestrator", "argo", "--level", "1", "--defaults"], "orchestrator"),
    (["new", "x", "--ci", "svn", "--defaults"], "'svn'"),
    (["new", "x", "--data", "python_version=2.7", "--defaults"], "python_version"),
    (["new", "../x", "--defaults"], "not valid"),
    (["new", "a b", "--defaults"], "not valid"),
    (["new", "[bold]x", "--defaults"], "'[bold]x'"),  # printed as typed, not as markup
    (["new", "x"], "no terminal to ask for"),
]


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("a plain file\n")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("ours\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _case_id(value, width: int) -> str:
    """A test id that is the same in every process (a function's repr holds its address,
    which differs between pytest-xdist workers)."""
    return "prepared" if callable(value) else repr(value)[:width]


@pytest.mark.parametrize(("args", "needle"), NEW_CASES, ids=lambda v: _case_id(v, 60))
def test_new_refuses_bad_input_in_one_line(scratch, run_cli, args, needle):
    before = _files(scratch)
    result = run_cli(*[a.format(file="file") for a in args])
    _one_line_error(result, needle)
    assert _files(scratch) == before


@pytest.fixture(scope="module")
def level0_project(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        home = tmp_path_factory.mktemp("home0")
        mp.setenv("HOME", str(home))
        mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
        mp.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
        return new_project(tmp_path_factory.mktemp("made"), level=0)


@pytest.fixture
def project(level0_project, tmp_path):
    copy = tmp_path / "proj"
    shutil.copytree(level0_project, copy, symlinks=True)
    return copy


def _side_merge(repo: Path) -> None:
    git(repo, "checkout", "--quiet", "-b", "side")
    (repo / "README.md").write_text("side\n")
    commit(repo)
    git(repo, "checkout", "--quiet", "main")
    (repo / "README.md").write_text("main\n")
    commit(repo)
    git(repo, *USER, "merge", "side", check=False)


U = ["upgrade", "--defaults", "{proj}"]
UPGRADE_CASES = [
    (["upgrade", "--defaults", "/nonexistent/path"], None, "does not exist"),
    (["upgrade", "--defaults", "{proj}/README.md"], None, "is not a folder"),
    (["upgrade", "--dry-run", "/nonexistent"], None, "does not exist"),
    (["upgrade", "--continue", "/nonexistent"], None, "does not exist"),
    (["upgrade", "--defaults", "--to", "abc", "{proj}"], None, "--to"),
    (["upgrade", "--defaults", "--to", "9", "{proj}"], None, "--to"),
    (["upgrade", "--defaults", "--to", "-1", "{proj}"], None, "--to"),
    (["upgrade", "--defaults", "--data", "package_name=other", "{proj}"], None, "cannot change"),
    (["upgrade", "--defaults", "--data", "project_name=other", "{proj}"], None, "cannot change"),
    (["upgrade", "--defaults", "--data", "description=a\nb", "{proj}"], None, "one line"),
    (["upgrade", "--defaults", "--orchestrator", "argo", "{proj}"], None, "orchestrator"),
    (U, lambda r: (r / "README.md").write_text("x"), "uncommitted"),
    (U, lambda r: git(r, "checkout", "-q", "--detach"), "detached"),
    (U, _side_merge, "merge is in progress"),
    (U, lambda r: (r / "Dockerfile").write_text("FROM x\n"), "Dockerfile is untracked"),
    (U, lambda r: (r / "Dockerfile").mkdir(), "Dockerfile is a folder"),
    (U, lambda r: git(r, "branch", "-D", "mlops-scaffold/base"), "mlops-scaffold/base is missing"),
    (U, lambda r: shutil.rmtree(r / ".git"), "not a git repository"),
    (["adopt", "--defaults", "/nonexistent"], None, "does not exist"),
    (["adopt", "--defaults", "{proj}/README.md"], None, "is not a folder"),
    (["adopt", "--defaults", "{proj}"], None, "already managed"),
    (["adopt", "--defaults", "--level", "abc", "{proj}"], None, "--level"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "prepare", "needle"), UPGRADE_CASES, ids=lambda v: _case_id(v, 60)
)
def test_upgrade_and_adopt_refuse_bad_input_in_one_line(project, run_cli, args, prepare, needle):
    if prepare:
        prepare(project)
    before = snapshot(project) if (project / ".git").exists() else _files(project)
    result = run_cli(*[a.format(proj=project) for a in args])
    _one_line_error(result, needle)
    after = snapshot(project) if (project / ".git").exists() else _files(project)
    assert after == before


# Every state-file field x a damaged value: (path of keys, value, text the line must hold).
STATE_CASES = [
    (("schema_version",), 2, "newer mlops-scaffold"),
    (("schema_version",), "one", "schema_version"),
    (("tool_version",), "99.0.0", "newer mlops-scaffold"),
    (("tool_version",), "abc", "tool_version"),
    (("tool_version",), None, "tool_version"),
    (("template_version",), "99.0.0", "upgrade the tool"),
    (("template_version",), "x.y", "template_version"),
    (("base_branch",), "main", "the branch you are on"),
    (("base_branch",), "../x", "not a valid branch name"),
    (("base_branch",), "side", "not one of mlops-scaffold's renders"),
    (("base_branch",), "nowhere", "nowhere is missing"),
    (("answers", "project_name"), "../x", "answers.project_name"),
    (("answers", "project_name"), 5, "answers.project_name"),
    (("answers", "package_name"), "json", "answers.package_name"),
    (("answers", "package_name"), "class", "answers.package_name"),
    (("answers", "description"), "a\nb", "answers.description"),
    (("answers", "author"), ["a"], "answers.author"),
    (("answers", "level"), 7, "answers.level"),
    (("answers", "level"), -1, "answers.level"),
    (("answers", "level"), "zero", "answers.level"),
    (("answers", "orchestrator"), "argo", "answers.orchestrator"),
    (("answers", "ci"), "svn", "answers.ci"),
    (("answers", "python_version"), 3.11, "answers.python_version"),
    (("answers",), "none", "answers"),
    (("overlays",), "x", "overlays"),
    (("migrations",), "0001", "migrations"),
    (("bogus",), 1, "bogus"),
]


def _damage(repo: Path, keys: tuple[str, ...], value) -> None:
    yaml = YAML(typ="safe", pure=True)
    path = repo / STATE_FILE
    data = yaml.load(path.read_text())
    target = data
    for key in keys[:-1]:
        target = target[key]
    if value is None:
        target.pop(keys[-1])
    else:
        target[keys[-1]] = value
    with path.open("w") as f:
        yaml.dump(data, f)
    commit(repo, "hand edit of the state file")
    git(repo, "branch", "side")  # a user branch the damaged base_branch may name


@pytest.mark.parametrize(("keys", "value", "needle"), STATE_CASES, ids=lambda v: _case_id(v, 40))
def test_a_damaged_state_file_is_refused_naming_the_field(project, run_cli, keys, value, needle):
    _damage(project, keys, value)
    before = snapshot(project)
    for args in (["upgrade", "--defaults"], ["upgrade", "--dry-run", "--defaults"]):
        result = run_cli(*args, str(project))
        _one_line_error(result, needle)
        assert snapshot(project) == before


@pytest.mark.parametrize(
    ("content", "needle"),
    [(b"", "does not hold a mapping"), (b"- a\n", "does not hold a mapping"),
     (b"{", "not valid YAML"), (b"\xff\xfe\x00x", "not valid YAML"),
     (b"a: 1\na: 2\n", "not valid YAML")],
)  # fmt: skip
def test_a_state_file_that_is_not_yaml_is_refused(project, run_cli, content, needle):
    (project / STATE_FILE).write_bytes(content)
    commit(project, "broken state file")
    before = snapshot(project)
    _one_line_error(run_cli("upgrade", "--defaults", str(project)), needle)
    assert snapshot(project) == before


def test_a_state_file_that_is_a_folder_is_refused(project, run_cli):
    (project / STATE_FILE).unlink()
    (project / STATE_FILE).mkdir()
    (project / STATE_FILE / "x").write_text("x")
    commit(project, "state file became a folder")
    before = snapshot(project)
    _one_line_error(run_cli("upgrade", "--defaults", str(project)), STATE_FILE)
    assert snapshot(project) == before


def test_ctrl_c_at_an_interactive_new_prompt_is_one_line(scratch, run_cli, monkeypatch):
    import questionary

    # questionary's answer to Ctrl-C (or Esc) at a prompt is None.
    monkeypatch.setattr(questionary.Question, "ask", lambda self, *a, **k: None)
    monkeypatch.setattr("scaffolder.cli.base._interactive", lambda defaults: True)
    before = _files(scratch)
    result = run_cli("new", "x", "--level", "0")
    _one_line_error(result, "interrupted; nothing was changed")
    assert _files(scratch) == before


def test_ctrl_c_inside_copier_is_one_line(scratch, run_cli, monkeypatch):
    import copier

    def interrupted(*args, **kwargs):
        # What copier raises on Ctrl-C at one of its prompts; its args span many lines.
        raise copier.errors.CopierAnswersInterrupt("AnswersMap(\n  user={...},\n)", "q", "t")

    # render.py drives copier's Worker (what copier.run_copy wraps) itself; copier renders
    # when the built-in templates cannot go the direct way (here: made to look so).
    monkeypatch.setattr(copier._main.Worker, "run_copy", interrupted)
    monkeypatch.setattr("scaffolder.render_direct.load_config", _unsupported)
    before = _files(scratch)
    result = run_cli("new", "x", "--defaults")
    _one_line_error(result, "interrupted; nothing was changed")
    assert _files(scratch) == before


def _unsupported(*args, **kwargs):
    from scaffolder.render_direct import Unsupported

    raise Unsupported("copier renders")


@pytest.mark.parametrize("stage", ["render", "copier render", "state file"])
def test_a_full_disk_names_the_place_and_leaves_nothing(scratch, run_cli, monkeypatch, stage):
    import errno
    import os

    import copier

    full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # write() names no file
    if stage == "render":  # the built-in templates, rendered directly
        real_write = Path.write_bytes

        def write_bytes(path, data):
            if path.name == "README.md":
                raise full
            return real_write(path, data)

        monkeypatch.setattr(Path, "write_bytes", write_bytes)
    elif stage == "copier render":
        monkeypatch.setattr("scaffolder.render_direct.load_config", _unsupported)
        monkeypatch.setattr(
            copier._main.Worker, "run_copy", lambda *a, **k: (_ for _ in ()).throw(full)
        )
    else:
        monkeypatch.setattr(
            "scaffolder.new.write_state", lambda *a, **k: (_ for _ in ()).throw(full)
        )
    before = _files(scratch)
    result = run_cli("new", "x", "--defaults", "-o", "out")
    _one_line_error(result, "No space left on device", str(scratch / "out"))
    assert "None" not in result.stderr
    assert _files(scratch) == before


def test_new_refuses_a_folder_it_cannot_write(tmp_path, isolated_git):
    """For real, as a user who may not write there (root may write anywhere: run as nobody)."""
    import os
    import subprocess
    import sys
    import tempfile

    work = Path(tempfile.mkdtemp(prefix="mlops-ro-", dir="/tmp"))
    try:
        (work / "ro").mkdir()
        os.chmod(work, 0o755)
        os.chmod(work / "ro", 0o555)
        before = _files(work)
        cmd = [sys.executable, "-m", "scaffolder", "new", "ok", "--defaults"]
        if os.geteuid() == 0:
            cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
        for out in ("ro", "ro/a/b"):
            result = subprocess.run(
                [*cmd, "-o", str(work / out)], capture_output=True, text=True, cwd=work,
                env={**os.environ, "HOME": str(work)},
            )  # fmt: skip
            lines = result.stderr.strip().splitlines()
            assert result.returncode == 1 and len(lines) == 1, result.stderr
            assert "not writable" in lines[0] and str(work / "ro") in lines[0], lines
        assert _files(work) == before
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _interrupt_while_landing(monkeypatch, after_calls: int = 1):
    """Ctrl-C arrives while the nth step is landing (a real SIGINT to this process)."""
    import os
    import signal

    from scaffolder.upgrade import land

    real = land.land_clean
    calls = []

    def landing(*args, **kwargs):
        calls.append(1)
        if len(calls) == after_calls:
            os.kill(os.getpid(), signal.SIGINT)
        return real(*args, **kwargs)

    monkeypatch.setattr(land, "land_clean", landing)


def test_ctrl_c_while_the_last_step_lands_says_it_finished(project, run_cli, monkeypatch):
    from scaffolder.state import load_state

    _interrupt_while_landing(monkeypatch)
    result = run_cli("upgrade", "--defaults", str(project))
    _one_line_error(result, "interrupted, but the upgrade had finished", "level 1")
    assert load_state(project).level == 1
    assert git(project, "status", "--porcelain") == ""


def test_ctrl_c_between_steps_stops_at_a_consistent_level(project, run_cli, monkeypatch):
    from scaffolder.state import load_state

    _interrupt_while_landing(monkeypatch, after_calls=1)
    result = run_cli("upgrade", "--defaults", "--to", "2", str(project))
    _one_line_error(result, "interrupted after level 1 was reached", "--to 2")
    assert load_state(project).level == 1
    assert git(project, "status", "--porcelain") == ""
    base = git(project, "rev-parse", "mlops-scaffold/base").strip()
    assert git(project, "merge-base", "--is-ancestor", base, "HEAD", check=False) == ""


# Trust boundaries (issue 20): a hostile overlay, a special file, a dash where a path goes, a
# fleet argument that would fail only after the run. {ovl:FAULT} is an overlay folder with
# that fault (tests/overlays/test_overlay.py), {tmp} the scratch folder beside the project.
P = "{proj}"
TRUST_CASES = [
    (["upgrade", "--defaults", "--overlay", "{ovl:layer-link}", P], None, "level1 is a symlink"),
    (["upgrade", "--defaults", "--overlay", "{ovl:outside}", P], None, "is a symlink"),
    (["upgrade", "--defaults", "--overlay", "{ovl:fifo}", P], None, "not a regular file"),
    (["upgrade", "--defaults", "--overlay", "{ovl:tasks-question}", P], None, "'_tasks'"),
    (["upgrade", "--defaults", "--overlay", "{ovl:external-data}", P], None, "'_external_data'"),
    (["upgrade", "--defaults", "--overlay", "{ovl:range-bomb}", P], None, "bomb.txt.jinja"),
    (["upgrade", "--defaults", "--overlay", "{ovl:recursive-macro}", P], None, "deep.txt.jinja"),
    (["upgrade", "--defaults", "--overlay", "{ovl:huge-output}", P], None, "big.txt.jinja"),
    (["upgrade", "--defaults", "--overlay", "{ovl:memory-bomb}", P], None, "1024 MiB of memory"),
    (["upgrade", "--defaults", "--overlay", "{ovl:fine}", "--overlay", "{ovl:fine}", P], None,
     "overlay acme is already used"),
    (["upgrade", "--defaults", "--overlay-ref", "acme=v1", P], None, "--overlay-ref names"),
    (["upgrade", "--defaults", "--overlay=--upload-pack=touch x@v1", P], None, "starts with '-'"),
    (["check", P], lambda r, t: _link_state(r, "/dev/zero"), "it was not read"),
    (["check", P], lambda r, t: _link_state(r, str(t / "elsewhere.yml")), "points outside"),
    (["upgrade", "--dry-run", P], lambda r, t: _link_state(r, "/dev/zero"), "it was not read"),
    (["fleet", "status", "--dir", "{fleet}", "--jobs", "0"], None, "--jobs 0 must be 1 or more"),
    (["fleet", "status", "--dir", "{fleet}", "--report", "{tmp}/no/r.md"], None, "does not exist"),
    (["fleet", "status", "--dir", "{fleet}", "--jsonl", "{tmp}/no/r.jsonl"], None,
     "does not exist"),
    (["fleet", "upgrade", "--dir", "{fleet}", "--branch", "b", "--config", "{tmp}/bad.yml"],
     lambda r, t: (t / "bad.yml").write_text("overlays: [{name: a, source: b, commit: v1}]\n"),
     "not a full 40-digit commit"),
    (["fleet", "status", "--repos-file", "{tmp}/repos.txt"],
     lambda r, t: (t / "repos.txt").write_text(f"{r}\n--upload-pack=touch x\n"), "line 2 starts"),
    (["fleet", "upgrade", "--repos-file", "{tmp}/repos.txt", "--branch", "b"],
     lambda r, t: (t / "repos.txt").write_bytes(b"caf\xe9\n"), "not UTF-8"),
    (["fleet", "status", "--repos-file", "{tmp}/repos.txt"],
     lambda r, t: (t / "repos.txt").symlink_to("/dev/zero"), "not a regular file"),
]  # fmt: skip


def _link_state(repo: Path, target: str) -> None:
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    if not target.startswith("/dev/"):
        Path(target).write_text((repo / STATE_FILE).read_text())
    (repo / STATE_FILE).unlink()
    (repo / STATE_FILE).symlink_to(target)
    commit(repo, "state file linked")


@pytest.mark.parametrize(("args", "prepare", "needle"), TRUST_CASES, ids=lambda v: _case_id(v, 70))
def test_trust_boundaries_refuse_in_one_line_and_change_nothing(
    project, tmp_path, run_cli, args, prepare, needle
):
    from tests.overlays.test_overlay import _bad_overlay

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    if prepare:
        prepare(project, scratch)
    overlays: dict[str, str] = {}

    def fill(arg: str) -> str:
        if arg.startswith("{ovl:"):
            fault = arg[5:-1]
            if fault not in overlays:
                overlays[fault] = str(_bad_overlay(tmp_path / "overlays", fault))
            return overlays[fault]
        return arg.format(proj=project, tmp=scratch, fleet=tmp_path)

    (tmp_path / "overlays").mkdir()
    filled = [fill(a) for a in args]
    before = snapshot(project)
    result = run_cli(*filled)
    if args[0] == "check":  # check's lines are `<problem code>: <message>`
        assert result.exit_code == 1 and "Traceback" not in result.stderr
        [line] = result.stderr.strip().splitlines()
        assert line.startswith("damaged-state: ") and needle in line, line
    else:
        _one_line_error(result, needle)
    assert snapshot(project) == before
    assert not (scratch / "no").exists()

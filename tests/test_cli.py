import json
import subprocess
import sys

import pytest

from scaffolder import __version__

HEAVY = ["copier", "jinja2", "mlflow", "airflow", "kfp", "great_expectations", "ruamel"]


def test_version(run_cli):
    result = run_cli("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"mlops-scaffold {__version__}"


def test_help_lists_commands(run_cli):
    result = run_cli("--help")
    assert result.exit_code == 0
    assert "new" in result.stdout


def test_help_imports_no_heavy_library():
    code = (
        "import json, sys\n"
        "sys.argv = ['mlops-scaffold', '--help']\n"
        "from scaffolder.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]), file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert json.loads(result.stderr.strip().splitlines()[-1]) == []


def test_new_creates_the_project(run_cli, tmp_path):
    result = run_cli("new", "churn", "--level", "0", "--defaults", "-o", tmp_path)
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "churn" / ".mlops-scaffold.yml").is_file()
    assert "Created" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["new", "../x", "--defaults"], "project name '../x' is not valid"),
        (["new", "a b", "--defaults"], "project name 'a b' is not valid"),
        (["new", "import", "--defaults"], "package name 'import' is a Python keyword"),
        (
            ["new", "x", "--level", "9", "--defaults"],
            "--level: invalid choice: 9 (choose from 0, 1",
        ),
        (["new", "x", "--orchestrator", "argo", "--defaults"], "invalid choice: 'argo'"),
        (["new", "x", "--ci", "jenkins", "--defaults"], "invalid choice: 'jenkins'"),
        (["new", "x", "-d", "ci=jenkins", "--defaults"], "ci 'jenkins' is not one of"),
        (["new", "x", "--data", "oops", "--defaults"], "--data 'oops' is not KEY=VALUE"),
        (["new", "x"], "no terminal to ask for"),
    ],
)
def test_bad_input_is_one_line_and_exit_1(run_cli, tmp_path, args, message):
    result = run_cli(*args, "-o", tmp_path)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [lines[0]] and lines[0].startswith("error: ")
    assert message in lines[0]
    assert list(tmp_path.iterdir()) == []


def test_existing_target_is_refused(run_cli, tmp_path):
    (tmp_path / "churn").mkdir()
    (tmp_path / "churn" / "keep.txt").write_text("x")
    result = run_cli("new", "churn", "--defaults", "-o", tmp_path)
    assert result.exit_code == 1
    assert "exists and is not empty; choose another NAME or --output-dir" in result.stderr


def test_usage_errors_exit_1_not_2(run_cli):
    result = run_cli("new", "x", "--no-such-flag")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: unrecognized arguments: --no-such-flag")


def test_debug_shows_the_traceback(run_cli, tmp_path):
    with pytest.raises(Exception, match="not valid"):
        run_cli("--debug", "new", "../x", "--defaults", "-o", tmp_path)


def _commit_all(repo):
    import subprocess

    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run(
        ["git", "-c", "user.name=D", "-c", "user.email=d@x", "commit", "-qm", "edit"],
        cwd=repo, check=True,
    )  # fmt: skip


def test_upgrade_exit_codes(run_cli, tmp_path):
    assert run_cli("new", "churn", "--defaults", "-o", tmp_path).exit_code == 0
    repo = tmp_path / "churn"
    check = run_cli("upgrade", repo, "--check", "--defaults")
    assert check.exit_code == 2
    assert check.stdout.startswith("upgrade due: level 0 -> 1")
    dry = run_cli("upgrade", repo, "--dry-run", "--diff", "--defaults")
    assert dry.exit_code == 2
    assert "added          config/pipeline.yaml" in dry.stdout
    done = run_cli("upgrade", repo, "--defaults")
    assert done.exit_code == 0, done.stderr
    assert "Upgraded to level 1" in done.stderr
    again = run_cli("upgrade", repo, "--check", "--to", "1")
    assert (again.exit_code, again.stdout.strip()) == (0, "up to date at level 1")


def test_upgrade_conflicts_exit_3(run_cli, tmp_path):
    run_cli("new", "churn", "--defaults", "-o", tmp_path)
    repo = tmp_path / "churn"
    readme = repo / "README.md"
    # The line level 1 rewrites (the level, inside a template section), edited by the team.
    readme.write_text(readme.read_text().replace("Owner: ML Team.", "Owner: Risk Team."))
    _commit_all(repo)
    result = run_cli("upgrade", repo, "--defaults")
    assert result.exit_code == 3
    assert "conflicts in README.md" in result.stderr
    assert "upgrade --continue" in result.stderr


def test_upgrade_refusal_is_one_line(run_cli, tmp_path):
    run_cli("new", "churn", "--defaults", "-o", tmp_path)
    (tmp_path / "churn" / "README.md").write_text("dirty")
    result = run_cli("upgrade", tmp_path / "churn", "--defaults")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "uncommitted changes" in result.stderr


def test_adopt_dry_run_and_run(run_cli, tmp_path):
    import subprocess

    repo = tmp_path / "study"
    repo.mkdir()
    (repo / "analysis.py").write_text("print(1)\n")
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    _commit_all(repo)
    dry = run_cli("adopt", repo, "--dry-run", "--defaults")
    assert dry.exit_code == 2 and "adopt at level 0" in dry.stdout
    done = run_cli("adopt", repo, "--defaults")
    assert done.exit_code == 0, done.stderr
    assert (repo / ".mlops-scaffold.yml").is_file()


COMMANDS = ["new", "upgrade", "adopt", "assess"]


@pytest.mark.parametrize("command", COMMANDS)
def test_help_shows_defaults_and_choices_and_no_type_metavars(run_cli, command, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    result = run_cli(command, "--help")
    assert result.exit_code == 0
    text = result.stdout
    assert "<bool>" not in text and "<str>" not in text and "<int>" not in text
    assert "(default: " in text
    if command in ("new", "upgrade", "adopt"):
        assert "{airflow,kubeflow,both}" in text and "(default: both)" in text
        assert "{github,gitlab}" in text and "(default: github)" in text
        assert "--defaults  " in text  # a flag: no metavar after it
    if command in ("new", "adopt"):
        assert "--level {0,1,2,3}" in text and "3 full automation" in text
    if command == "assess":
        assert "--format {text,markdown,json,sarif}" in text and "(default: text)" in text
    # Each paragraph is wrapped once to the terminal: no line is a ragged short fragment
    # followed by a line that continues the same sentence.
    lines = text.splitlines()
    assert all(len(line) <= 100 for line in lines)
    for before, after in zip(lines, lines[1:], strict=False):
        if before and after and not before.startswith(" ") and not after.startswith(" "):
            assert len(before) + 1 + len(after.split()[0]) > 98 - 2, (before, after)


def test_usage_shows_help_for_no_command(run_cli):
    result = run_cli()
    assert result.exit_code == 0 and "commands:" in result.stdout


@pytest.mark.parametrize("argv", [["--help"], *([c, "--help"] for c in COMMANDS)])
def test_help_is_fast_and_imports_nothing_heavy(argv):
    """Start-up of `--help` stays in tens of milliseconds (the benchmark compares it with
    copier); here a generous bound, and no heavy import at all. The bound is on the child's
    CPU time, not the wall clock: on a loaded 2-core machine the wall clock measures how long
    the process waited for a core, not how much work `--help` does."""
    import resource

    code = (
        "import json, sys\n"
        f"sys.argv = ['mlops-scaffold', *{argv!r}]\n"
        "from scaffolder.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('copier', 'jinja2', 'pydantic', 'rich', 'questionary', 'yaml', 'typer'))), "
        "file=sys.stderr)\n"
    )

    def children_cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    before = children_cpu()
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    cpu = children_cpu() - before
    assert json.loads(result.stderr.strip().splitlines()[-1]) == []
    assert cpu < 1.0, f"--help took {cpu:.2f} s of CPU"


def test_upgrade_dry_run_without_answers_shows_the_questions(run_cli, tmp_path):
    assert run_cli("new", "churn", "--defaults", "-o", tmp_path).exit_code == 0
    dry = run_cli("upgrade", tmp_path / "churn", "--dry-run")
    assert dry.exit_code == 2, dry.stderr
    assert "would ask      orchestrator (planned with the default: both)" in dry.stdout
    assert "would ask      ci (planned with the default: github)" in dry.stdout
    assert "A real run asks for orchestrator, ci" in dry.stdout
    assert "added          dags/churn_training.py" in dry.stdout


def test_a_reader_that_closes_the_pipe_gets_no_traceback(tmp_path):
    """`mlops-scaffold new ... --format json | head`: the reader is gone before the JSON."""
    import os

    read_end, write_end = os.pipe()
    os.close(read_end)  # like `| true`: nobody will read
    try:
        result = subprocess.run(
            [sys.executable, "-m", "scaffolder", "new", "churn", "--level", "0", "--defaults",
             "-o", tmp_path, "--format", "json"],
            stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=120, check=False,
        )  # fmt: skip
    finally:
        os.close(write_end)
    assert result.returncode == 141  # as if SIGPIPE had ended it, like `yes | head`
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr
    assert (tmp_path / "churn" / ".mlops-scaffold.yml").is_file()

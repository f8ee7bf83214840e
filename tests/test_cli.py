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
        (["new", "x", "--level", "9", "--defaults"], "level 9 is not available"),
        (["new", "x", "--orchestrator", "argo", "--defaults"], "orchestrator 'argo' is not one of"),
        (["new", "x", "--ci", "jenkins", "--defaults"], "ci 'jenkins' is not one of"),
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
    assert "No such option" in result.stderr


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
    readme.write_text(readme.read_text() + "\nteam notes\n")
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

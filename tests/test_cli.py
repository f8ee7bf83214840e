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
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
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

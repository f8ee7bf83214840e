"""`mlops-scaffold assess` through the real entry point: streams, exit codes, messages."""

import json
import subprocess
import sys

from tests.assess.repos import level0_repo, write


def test_json_goes_to_stdout_alone(run_cli, tmp_path):
    repo = level0_repo(tmp_path)
    result = run_cli("assess", repo, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["level"] == 0
    assert "Level 0" in result.stderr


def test_text_report_goes_to_stderr(run_cli, tmp_path):
    result = run_cli("assess", level0_repo(tmp_path))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "Overall level: 0" in result.stderr


def test_output_file_and_sarif(run_cli, tmp_path):
    out = tmp_path / "out" / "r.sarif"
    out.parent.mkdir()
    result = run_cli("assess", level0_repo(tmp_path / "r"), "-f", "sarif", "--output", out)
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(out.read_text())["version"] == "2.1.0"
    assert f"report written to {out}" in result.stderr


def test_fail_under_exits_1_with_one_line_after_the_report(run_cli, tmp_path):
    repo = level0_repo(tmp_path)
    result = run_cli("assess", repo, "-f", "markdown", "--fail-under", "1")
    assert result.exit_code == 1
    assert result.stdout.startswith("# MLOps maturity profile: reproducibility 0")
    assert "**Overall level (weakest link): 0 (manual process)**" in result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "under --fail-under 1" in lines[0]
    assert run_cli("assess", repo, "-f", "json", "--fail-under", "0").exit_code == 0


def test_usage_errors_are_one_line_exit_1(run_cli, tmp_path):
    for args, message in [
        (["assess", tmp_path / "missing"], "is not a folder"),
        (["assess", tmp_path, "--format", "xml"], "--format: invalid choice: 'xml'"),
        (["assess", tmp_path, "--fail-under", "7"], "--fail-under 7 is not a level"),
        (["assess", "--explain", "nope"], "no check named 'nope'"),
        (
            ["assess", tmp_path, "--repos-file", tmp_path / "r.txt"],
            "--repos-file and --jsonl go together",
        ),
        (["assess", tmp_path, "--questionnaire"], "no terminal to ask on"),
    ]:
        result = run_cli(*args)
        assert result.exit_code == 1, args
        assert result.stderr.count("\n") == 1 and message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr


def test_explain_and_list(run_cli):
    result = run_cli("assess", "--explain", "deployment.canary")
    assert result.exit_code == 0
    assert "level 3" in result.stderr and "AnalysisTemplate" in result.stderr
    assert "pipelines.orchestrated" in run_cli("assess", "--explain", "list").stderr


def test_questionnaire_reuses_saved_answers_without_a_terminal(run_cli, tmp_path):
    from scaffolder.assess.questionnaire import ANSWERS_FILE, load_bank

    answers = "\n".join(
        f"  {q.id}: {'yes' if q.choices == 'yesno' else 'manual'}"
        for q in load_bank(None).questions
    )
    write(tmp_path, {ANSWERS_FILE: "bank: builtin\nanswers:\n" + answers + "\n"})
    result = run_cli("assess", tmp_path, "--questionnaire", "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert {q["source"] for q in json.loads(result.stdout)["questionnaire"]} == {"answer"}


def test_fleet_and_history_from_the_command_line(run_cli, tmp_path):
    level0_repo(tmp_path / "a")
    write(tmp_path, {"repos.txt": "a\n"})
    result = run_cli(
        "assess", "--repos-file", tmp_path / "repos.txt", "--jsonl", tmp_path / "f.jsonl"
    )
    assert result.exit_code == 0 and "Assessed 1 repos (level 0: 1; 0 errors)" in result.stderr
    assert len((tmp_path / "f.jsonl").read_text().splitlines()) == 1
    history = tmp_path / "h.jsonl"
    run_cli("assess", tmp_path / "a", "--history", history)
    second = run_cli("assess", tmp_path / "a", "--history", history)
    assert "Since " in second.stderr and len(history.read_text().splitlines()) == 2


def test_help_does_not_import_assess_modules():
    code = (
        "import json, sys\n"
        "sys.argv = ['mlops-scaffold', 'assess', '--help']\n"
        "from scaffolder.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(json.dumps(sorted(m for m in sys.modules if "
        "m.startswith('scaffolder.assess') or m == 'yaml')),"
        " file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert "--fail-under" in result.stdout
    assert json.loads(result.stderr.strip().splitlines()[-1]) == []


def test_explain_prints_brackets_as_written(run_cli):
    result = run_cli("assess", "--explain", "quality.linter")
    assert result.exit_code == 0
    output = result.stdout + result.stderr
    assert "[tool.ruff]" in output and "advice" in output

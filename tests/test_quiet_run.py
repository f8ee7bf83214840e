"""scripts/quiet_run.py, the generated projects' wrapper behind `make kfp-run` and `make
dag-test`: the child's output goes to the log, the terminal gets a line per task and the
outcome, and on failure the failed task's traceback. Here against a stand-in that prints what
kfp.local prints; tests/e2e/test_level2.py runs it on real Airflow and kfp.local runs."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).parent.parent / "templates" / "level1" / "scripts" / "quiet_run.py"

KFP_LIKE = r"""
import sys
print("07:14:01.609 - INFO - Running pipeline: \x1b[95m'demo-training'\x1b[0m")
for task in ("prepare-op", "train-op"):
    print(f"07:14:01.614 - INFO - Executing task \x1b[96m'{task}'\x1b[0m")
    print('    [KFP Executor] Got executor_input:\n    {"inputs": {}}')
    failed = task == "train-op" and "--fail" in sys.argv
    status = "FAILURE" if failed else "SUCCESS"
    print(f"07:14:04.608 - INFO - Task \x1b[96m'{task}'\x1b[0m finished with status {status}")
    if failed:
        print("Traceback (most recent call last):\n  File \"steps.py\", line 3, in train")
        print("    fit()\nValueError: the data has no target column")
        print("07:14:05.000 - INFO - Pipeline 'demo-training' finished with status FAILURE")
        sys.exit(1)
print("07:14:31.564 - INFO - Pipeline \x1b[95m'demo-training'\x1b[0m finished with status SUCCESS")
"""


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "pipeline.py").write_text(KFP_LIKE)
    return subprocess.run(
        [sys.executable, SCRIPT, "--log", "build/kfp-run.log", "kfp", "pipeline.py", *args],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_a_successful_run_prints_one_line_per_task_and_keeps_the_rest_in_the_log(tmp_path):
    result = _run(tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[:2] for line in lines[1:3]] == [
        ["prepare-op", "success"],
        ["train-op", "success"],
    ]
    assert "pipeline demo-training: run success" in result.stdout
    assert "executor_input" not in result.stdout
    log = (tmp_path / "build" / "kfp-run.log").read_text()
    assert "executor_input" in log and "finished with status SUCCESS" in log


def test_a_failed_run_exits_1_with_the_failed_task_and_its_error(tmp_path):
    result = _run(tmp_path, "--fail")
    assert result.returncode == 1
    assert any(line.split()[:2] == ["train-op", "failure"] for line in result.stdout.splitlines())
    assert "ValueError: the data has no target column" in result.stdout
    assert "The whole log: build/kfp-run.log" in result.stdout


def test_verbose_streams_the_whole_output(tmp_path, monkeypatch):
    monkeypatch.setenv("VERBOSE", "1")
    result = _run(tmp_path)
    assert result.returncode == 0
    assert "executor_input" in result.stdout


def test_kfp_without_a_script_is_a_usage_error(tmp_path):
    result = subprocess.run(
        [sys.executable, SCRIPT, "kfp"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 2 and "kfp needs the pipeline script" in result.stderr


KFP_TASK_FAILS = r"""
import sys
print("07:14:01.614 - INFO - Executing task 'monitor-op'")
print("    Traceback (most recent call last):")
print('      File "monitoring.py", line 9, in monitor')
print("        validate(frame)")
print("    DataValidationError: expect_column_values_to_not_be_null(tenure) failed: 3 of 200 rows")
print("07:14:04.608 - INFO - Task 'monitor-op' finished with status FAILURE")
print("07:14:04.609 - ERROR - Pipeline 'demo-monitoring' finished with status FAILURE.")
print("Traceback (most recent call last):")
print('  File "kfp/local/pipeline_orchestrator.py", line 184, in log_and_maybe_raise_for_failure')
print("    raise RuntimeError(msg)")
print("RuntimeError: Pipeline 'demo-monitoring' finished with status FAILURE. Inner task failed")
sys.exit(1)
"""


def test_a_failed_kfp_task_shows_its_own_error_not_kfps_traceback(tmp_path):
    (tmp_path / "pipeline.py").write_text(KFP_TASK_FAILS)
    result = subprocess.run(
        [sys.executable, SCRIPT, "--log", "build/kfp-monitor.log", "kfp", "pipeline.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert "expect_column_values_to_not_be_null(tenure) failed: 3 of 200 rows" in result.stdout
    assert "RuntimeError" not in result.stdout and "pipeline_orchestrator" not in result.stdout


AIRFLOW_LIKE = r'''#!/usr/bin/env python3
"""Prints what `airflow dags test` prints for a task that skips itself, and records its
state where quiet_run.py reads it (the SQLite metadata database in AIRFLOW_HOME)."""
import os, sqlite3, sys
if sys.argv[1:3] == ["db", "migrate"]:
    sys.exit(0)
dag = sys.argv[3]
db = sqlite3.connect(os.path.join(os.environ["AIRFLOW_HOME"], "airflow.db"))
db.execute("CREATE TABLE dag_run (id INTEGER, dag_id TEXT, run_id TEXT, state TEXT)")
db.execute("CREATE TABLE task_instance (dag_id TEXT, run_id TEXT, task_id TEXT, state TEXT,"
           " duration REAL, start_date TEXT)")
db.execute("INSERT INTO dag_run VALUES (1, ?, 'r1', 'success')", (dag,))
db.execute("INSERT INTO task_instance VALUES (?, 'r1', 'monitor', 'skipped', 1.5, 't')", (dag,))
db.commit()
print("2026-12-06T15:13:32Z [info     ] [DAG TEST] starting task_id=monitor map_index=-1 [airflow]")
print("2026-12-06T15:13:37Z [info     ] ::group::Post Execute [task] loc=task_runner.py:1620")
print("2026-12-06T15:13:37Z [info     ] Skipping task.                 [task] "
      "loc=task_runner.py:1622 reason='no retrain (none): nothing drifted'")
print("2026-12-06T15:13:38Z [info     ] [DAG TEST] end task task_id=monitor map_index=-1 [airflow]")
'''


def test_a_skipped_airflow_task_says_why(tmp_path):
    bin_dir = tmp_path / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").symlink_to(sys.executable)
    (bin_dir / "airflow").write_text(AIRFLOW_LIKE.replace("/usr/bin/env python3", sys.executable))
    (bin_dir / "airflow").chmod(0o755)
    (tmp_path / ".airflow").mkdir()
    env = {"PATH": "/usr/bin:/bin", "AIRFLOW_HOME": str(tmp_path / ".airflow")}
    result = subprocess.run(
        [bin_dir / "python", SCRIPT, "airflow", "churn_monitoring"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    (line,) = [line for line in result.stdout.splitlines() if line.split()[:1] == ["monitor"]]
    assert line.split()[1] == "skipped" and line.endswith("no retrain (none): nothing drifted")


AIRFLOW_COUNTING = r'''#!/usr/bin/env python3
"""Counts `airflow db migrate` calls; `dags test` records a successful run (or fails)."""
import os, sqlite3, sys
home = os.environ["AIRFLOW_HOME"]
db = sqlite3.connect(os.path.join(home, "airflow.db"))
if sys.argv[1:3] == ["db", "migrate"]:
    with open(os.path.join(home, "migrations"), "a") as calls:
        calls.write("migrate\n")
    sys.exit(0)
db.execute("CREATE TABLE IF NOT EXISTS dag_run (id INTEGER, dag_id TEXT, run_id TEXT, state TEXT)")
db.execute("CREATE TABLE IF NOT EXISTS task_instance (dag_id TEXT, run_id TEXT, task_id TEXT,"
           " state TEXT, duration REAL, start_date TEXT)")
state = "failed" if os.environ.get("FAIL") else "success"
db.execute("INSERT INTO dag_run VALUES (1, ?, 'r1', ?)", (sys.argv[3], state))
db.commit()
sys.exit(1 if os.environ.get("FAIL") else 0)
'''


def test_airflow_db_migrate_runs_once_per_airflow_release(tmp_path):
    """`airflow db migrate` costs seconds of CPU even with nothing to do: `make dag-test` runs it
    when the database is new, when Airflow's release changed, and after a failed run."""
    bin_dir, site = tmp_path / "venv" / "bin", tmp_path / "site"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").symlink_to(sys.executable)
    (bin_dir / "airflow").write_text(
        AIRFLOW_COUNTING.replace("/usr/bin/env python3", sys.executable)
    )
    (bin_dir / "airflow").chmod(0o755)
    home = tmp_path / ".airflow"
    home.mkdir()

    def release(version: str) -> None:  # the installed apache-airflow, as importlib sees it
        shutil.rmtree(site, ignore_errors=True)
        (site / f"apache_airflow-{version}.dist-info").mkdir(parents=True)
        (site / f"apache_airflow-{version}.dist-info" / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: apache-airflow\nVersion: {version}\n"
        )

    def dag_test(**env: str) -> str:
        result = subprocess.run(
            [bin_dir / "python", SCRIPT, "airflow", "churn_training"],
            cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
            env={"PATH": "/usr/bin:/bin", "AIRFLOW_HOME": str(home), "PYTHONPATH": str(site),
                 **env},
        )  # fmt: skip
        assert result.returncode == (1 if env else 0), result.stdout + result.stderr
        return result.stdout

    release("3.3.2")
    assert "metadata database ready" in dag_test()
    assert "metadata database up to date" in dag_test()
    release("3.3.3")  # an upgraded Airflow migrates its database
    assert "metadata database ready" in dag_test()
    assert "metadata database up to date" in dag_test(FAIL="1")
    assert "metadata database ready" in dag_test()  # after a failure, migrate again
    assert (home / "migrations").read_text().count("migrate") == 3

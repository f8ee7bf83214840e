"""Run an orchestrator's local run with its full output in a log file, and print a summary.

    python scripts/quiet_run.py airflow DAG_ID [--conf JSON]   # airflow db migrate + dags test
    python scripts/quiet_run.py kfp pipelines/kfp_pipeline.py run-local

`airflow dags test` and kfp.local print thousands of lines per run: every task's log, each
component's executor input, third-party deprecation warnings. All of it goes to the log file
(`--log`, default build/<kind>-run.log); the terminal gets one line per task as it finishes,
with its state and duration, then the run's outcome. On failure the last lines of the log are
shown too. VERBOSE=1 streams the whole output as well. Standard library only, so it runs
before anything else is importable.
"""

from __future__ import annotations

import argparse
import ast
import importlib.metadata
import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ANSI = re.compile(r"\x1b\[[0-9;]*m")
AIRFLOW_STARTED = re.compile(r"\[DAG TEST\] starting task_id=(\S+)")
AIRFLOW_ENDED = re.compile(r"\[DAG TEST\] end task task_id=(\S+)")
KFP_STARTED = re.compile(r"Executing task '([^']+)'")
KFP_ENDED = re.compile(r"Task '([^']+)' finished with status (\w+)")
KFP_PIPELINE = re.compile(r"Pipeline '([^']+)' finished with status (\w+)")
KFP_TASK_FAILED = re.compile(r"Task '[^']+' finished with status FAILURE")
# Airflow logs why a task skipped itself (AirflowSkipException's message) as `reason=...`.
AIRFLOW_SKIPPED = re.compile(r"Skipping task\.\s.*?\breason=(.+?)\s*$")
FAILURE_TAIL = 25


class Run:
    """A child process whose output lines go to the log (and the terminal when verbose)."""

    def __init__(self, log_path: Path, verbose: bool) -> None:
        self.log_path = log_path
        self.verbose = verbose
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log = log_path.open("w", encoding="utf-8")

    def __call__(self, command: list[str], on_line=None) -> int:
        self.log.write(f"$ {' '.join(command)}\n")
        self.log.flush()
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        assert process.stdout is not None
        for line in process.stdout:
            self.log.write(line)
            if self.verbose:
                sys.stdout.write(line)
            if on_line is not None:
                on_line(ANSI.sub("", line))
        self.log.flush()
        return process.wait()

    def tail(self) -> str:
        """The failed task's traceback, else the log's last lines.

        kfp.local prints a task's traceback (indented) before the line saying the task failed,
        then raises its own "Pipeline ... finished with status FAILURE" error, whose traceback
        says nothing about why: the last traceback before the first failed task is the one.
        """
        self.log.flush()
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        lines = [ANSI.sub("", line) for line in text.splitlines()]
        first_failure = next(
            (i for i, line in enumerate(lines) if KFP_TASK_FAILED.search(line)), len(lines)
        )
        starts = [
            i
            for i, line in enumerate(lines[:first_failure])
            if "Traceback (most recent call last)" in line
        ] or [i for i, line in enumerate(lines) if "Traceback (most recent call last)" in line]
        if not starts:
            return "\n".join(lines[-FAILURE_TAIL:])
        head = lines[starts[-1]]
        indent = len(head) - len(head.lstrip())
        block = [head]
        for line in lines[starts[-1] + 1 :]:
            if line.strip() and line[:indent].strip():
                break  # less indented than the traceback: other output
            block.append(line)
            if line.strip() and not line[indent : indent + 1].isspace():
                break  # `SomeError: message` at the traceback's own indentation ends it
        return "\n".join(
            block[:3] + ["  ..."] + block[-(FAILURE_TAIL - 4) :]
            if len(block) > FAILURE_TAIL
            else block
        )


def _say(text: str) -> None:
    print(text, flush=True)


def _task_line(name: str, state: str, seconds: float | None, why: str | None = None) -> str:
    took = f"{seconds:6.1f} s" if seconds is not None else "       "
    line = f"  {name:<24} {state:<15} {took}"
    return f"{line}  {why}" if why else line


def _unquote(value: str) -> str:
    """A log field's value: `'text'` or `"text"` (a repr) or the bare text."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        try:
            return str(ast.literal_eval(value))
        except (ValueError, SyntaxError):
            return value[1:-1]
    return value


class Timer:
    """Wall time per task, from when its start line was seen to its end line."""

    def __init__(self) -> None:
        self.started: dict[str, float] = {}

    def start(self, name: str) -> None:
        self.started[name] = time.monotonic()

    def took(self, name: str) -> float | None:
        began = self.started.get(name)
        return None if began is None else time.monotonic() - began


def _airflow_db() -> Path | None:
    """The metadata database when it is the SQLite file `make dag-test` uses, else None."""
    conn = os.environ.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "")
    if conn:
        return Path(conn.removeprefix("sqlite:///")) if conn.startswith("sqlite:///") else None
    home = Path(os.environ.get("AIRFLOW_HOME", Path.home() / "airflow"))
    return home / "airflow.db"


def _airflow_states(dag_id: str) -> tuple[str, dict[str, tuple[str, float | None]]] | None:
    """The latest run's state and its tasks' {id: (state, seconds)}, from the metadata DB."""
    database = _airflow_db()
    if database is None or not database.is_file():
        return None
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        run = db.execute(
            "SELECT run_id, state FROM dag_run WHERE dag_id = ? ORDER BY id DESC LIMIT 1",
            (dag_id,),
        ).fetchone()
        if run is None:
            return None
        tasks = db.execute(
            "SELECT task_id, COALESCE(state, 'no status'), duration FROM task_instance"
            " WHERE dag_id = ? AND run_id = ? ORDER BY start_date IS NULL, start_date, task_id",
            (dag_id, run[0]),
        ).fetchall()
    return run[1], {task: (state, seconds) for task, state, seconds in tasks}


def _migrated_stamp() -> tuple[Path, str] | None:
    """The file saying `airflow db migrate` brought the SQLite metadata database (which must
    exist) up to this Airflow release, and its text; None when there is no such database."""
    database = _airflow_db()
    try:
        release = importlib.metadata.version("apache-airflow")
    except importlib.metadata.PackageNotFoundError:
        return None
    if database is None or not database.is_file():
        return None
    return database.with_name(f"{database.name}.migrated"), f"apache-airflow {release}\n"


def _migrate(run: Run, airflow: str) -> tuple[bool, str]:
    """`airflow db migrate` unless this Airflow release already migrated the database (it takes
    seconds of CPU even when there is nothing to do); (ok, what to say)."""
    stamp = _migrated_stamp()
    if stamp and stamp[0].is_file() and stamp[0].read_text(encoding="utf-8") == stamp[1]:
        return True, "metadata database up to date"
    began = time.monotonic()
    if run([airflow, "db", "migrate"]) != 0:
        return False, f"airflow db migrate failed:\n{run.tail()}\nThe whole log: {run.log_path}"
    stamp = _migrated_stamp()  # the database exists now
    if stamp:
        stamp[0].write_text(stamp[1], encoding="utf-8")
    return True, f"metadata database ready ({time.monotonic() - began:.1f} s)"


def run_airflow(args: argparse.Namespace, run: Run) -> int:
    airflow = str(Path(sys.executable).with_name("airflow"))
    began = time.monotonic()
    ok, said = _migrate(run, airflow)
    if not ok:
        _say(said)
        return 1
    _say(f"airflow: {said}; running DAG {args.dag_id}")
    timer = Timer()
    shown: set[str] = set()
    running: list[str] = []
    why_skipped: dict[str, str] = {}

    def on_line(line: str) -> None:
        if found := AIRFLOW_STARTED.search(line):
            timer.start(found[1])
            running.append(found[1])
        elif (found := AIRFLOW_SKIPPED.search(line)) and running:
            why_skipped[running[-1]] = _unquote(found[1])
        elif found := AIRFLOW_ENDED.search(line):
            task = found[1]
            states = _airflow_states(args.dag_id)
            state = states[1].get(task, ("ended", None))[0] if states else "ended"
            _say(_task_line(task, state, timer.took(task), why_skipped.get(task)))
            shown.add(task)

    command = [airflow, "dags", "test", args.dag_id] + (["-c", args.conf] if args.conf else [])
    code = run(command, on_line)
    states = _airflow_states(args.dag_id)
    outcome = "success" if code == 0 else "failed"
    if states is not None:
        outcome, tasks = states
        for task, (state, seconds) in tasks.items():
            if task not in shown:  # skipped, upstream_failed: tasks that never ran
                _say(_task_line(task, state, seconds, why_skipped.get(task)))
    _say(f"DAG {args.dag_id}: run {outcome}")
    failed = code != 0 or outcome != "success"
    stamp = _migrated_stamp()
    if failed and stamp:  # whatever failed, the next run migrates the database again first
        stamp[0].unlink(missing_ok=True)
    return _finish(run, failed, time.monotonic() - began)


def run_kfp(args: argparse.Namespace, run: Run) -> int:
    began = time.monotonic()
    timer = Timer()
    pipeline: dict[str, str] = {}

    def on_line(line: str) -> None:
        if found := KFP_STARTED.search(line):
            timer.start(found[1])
        elif found := KFP_ENDED.search(line):
            _say(_task_line(found[1], found[2].lower(), timer.took(found[1])))
        elif found := KFP_PIPELINE.search(line):
            pipeline["name"], pipeline["state"] = found[1], found[2].lower()

    _say(f"kfp.local: running {' '.join(args.command)}")
    code = run([sys.executable, *args.command], on_line)
    if pipeline:
        _say(f"pipeline {pipeline['name']}: run {pipeline['state']}")
    failed = code != 0 or pipeline.get("state", "success") != "success"
    return _finish(run, failed, time.monotonic() - began)


def _finish(run: Run, failed: bool, seconds: float) -> int:
    if failed:
        _say(f"The run failed:\n{run.tail()}")
        _say(f"The whole log: {run.log_path} (VERBOSE=1 prints it as it runs)")
        return 1
    _say(f"Done in {seconds:.0f} s; the whole log: {run.log_path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log", type=Path, help="log file (default build/<kind>-run.log)")
    kinds = parser.add_subparsers(dest="kind", required=True)
    airflow = kinds.add_parser("airflow", help="airflow db migrate, then airflow dags test DAG_ID")
    airflow.add_argument("dag_id")
    airflow.add_argument("--conf", help="the run's conf, as JSON")
    kfp = kinds.add_parser("kfp", help="a kfp.local run: SCRIPT and its arguments")
    kfp.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.kind == "kfp" and not args.command:
        parser.error(
            "kfp needs the pipeline script to run, e.g. pipelines/kfp_pipeline.py run-local"
        )
    log_path = args.log or Path("build") / f"{args.kind}-run.log"
    run = Run(log_path, verbose=os.environ.get("VERBOSE", "") not in ("", "0"))
    return run_airflow(args, run) if args.kind == "airflow" else run_kfp(args, run)


if __name__ == "__main__":
    sys.exit(main())

"""Creating a project: mlops-scaffold against cookiecutter-data-science, measured in the same run.

cookiecutter-data-science (`ccds`) is what many data-science teams pick to start a project. It
makes a folder layout with no git repository; `mlops-scaffold new --level 0` makes the project,
its state file and a git repo with two branches. Both are timed end to end as a user runs them
(a fresh process each time) and their peak memory (max RSS of the process) is read from the
kernel's accounting of the finished child.

Goal: `new --level 0` within 2x of `ccds` in wall time and peak memory, although it does more.

Run: `make bench` (or `python benchmarks/bench_ccds.py [--runs N] [--ccds-template T]`). ccds is
installed into `.cache/bench/ccds` on first use. Its template is cloned from GitHub by default;
on a machine without GitHub pass a local checkout of cookiecutter-data-science as
`--ccds-template` (none is shipped here: we do not vendor other projects' code). When the
template cannot be had, the comparison is reported as not run and the script exits 1.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CCDS_VENV = REPO / ".cache" / "bench" / "ccds"


def ccds_command() -> Path:
    """The ccds command, installed into its own venv on first use."""
    command = CCDS_VENV / "bin" / "ccds"
    if not command.exists():
        subprocess.run([sys.executable, "-m", "venv", CCDS_VENV], check=True)
        subprocess.run(
            [
                CCDS_VENV / "bin/python",
                "-m",
                "pip",
                "install",
                "-q",
                "cookiecutter-data-science>=2.3,<3",
            ],
            check=True,
        )
    return command


def measure(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS in MiB of one run of `cmd`."""
    start = time.perf_counter()
    process = subprocess.Popen(
        cmd,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        lines = [line for line in process.stderr.read().decode().splitlines() if line.strip()]
        raise SystemExit(
            f"not measured: {Path(cmd[0]).name} exited {os.waitstatus_to_exitcode(status)}"
            f" ({lines[-1].strip() if lines else 'no message'}); for ccds offline, pass"
            " --ccds-template with a local checkout of its template"
        )
    process.stderr.close()
    return elapsed, usage.ru_maxrss / 1024


def series(label: str, runs: int, make_cmd, env=None) -> tuple[float, float]:
    times, peaks = [], []
    for i in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            elapsed, peak = measure(make_cmd(i), Path(tmp), env)
        times.append(elapsed)
        peaks.append(peak)
    median_t, median_m = statistics.median(times), statistics.median(peaks)
    print(f"{label:<44} median {median_t * 1000:7.0f} ms   peak RSS {median_m:6.1f} MiB")
    return median_t, median_m


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--ccds-template",
        help="a local checkout of the cookiecutter-data-science template (default: ccds clones it)",
    )
    args = parser.parse_args()
    ccds = str(ccds_command())
    ours = str(BIN / "mlops-scaffold")
    template = [args.ccds_template] if args.ccds_template else []
    # cookiecutter writes a replay file under $HOME; keep it out of the user's home.
    home = tempfile.mkdtemp()
    try:
        print(f"create a project, {args.runs} runs each")
        a_t, a_m = series(
            "mlops-scaffold new --level 0 --defaults",
            args.runs,
            lambda i: [ours, "new", f"p{i}", "--level", "0", "--defaults"],
        )
        b_t, b_m = series(
            "ccds --no-input (cookiecutter-data-science)",
            args.runs,
            lambda i: [ccds, *template, "--no-input", f"project_name=p{i}"],
            env={"HOME": home},
        )
        print(f"time ratio {a_t / b_t:.2f}, memory ratio {a_m / b_m:.2f} (goal <= 2.0 each)")
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()

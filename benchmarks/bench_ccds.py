"""Creating a project: mlops-scaffold against cookiecutter-data-science, measured in the same run.

cookiecutter-data-science (`ccds`) is what many data-science teams pick to start a project. It
makes a folder layout with no git repository; `mlops-scaffold new --level 0` makes the project,
its state file and a git repo with two branches. Both are timed end to end as a user runs them
(a fresh process each time) and their peak memory (max RSS of the process) is read from the
kernel's accounting of the finished child.

Goals: `new --level 0` within 2x of `ccds` in wall time and peak memory, although it does more;
`new --level 3` (about 140 files, every capability of the highest level) at most 1.0x `ccds`'s
wall time (issue 24), measured in the same run.

Run: `make bench` (or `python benchmarks/bench_ccds.py [--runs N] [--ccds-template T]`). ccds is
installed into `.cache/bench/ccds` on first use. Its template is cloned from GitHub by default;
on a machine without GitHub pass a local checkout of cookiecutter-data-science as
`--ccds-template`, or unpack one into `.cache/bench/ccds-template` (none is shipped here: we do
not vendor other projects' code). When the
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
# A local copy of the template, used when present (`git archive v2.3.0` of its repository).
CCDS_TEMPLATE = REPO / ".cache" / "bench" / "ccds-template"


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


def measure(
    cmd: list[str], cwd: Path, env: dict[str, str] | None = None
) -> tuple[float, float, float]:
    """Wall seconds, peak RSS in MiB and CPU seconds (user + system, its children included:
    git, copier's probes) of one run of `cmd`."""
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
    cpu = usage.ru_utime + usage.ru_stime
    return elapsed, usage.ru_maxrss / 1024, cpu


def interleaved(commands: dict, runs: int) -> list[tuple[float, float, float]]:
    """Median wall time, peak RSS and CPU time per command, the commands taking turns run by
    run, so a busy moment on a shared machine weighs on all of them alike. (CPU time is the
    steadier figure on a busy machine; the goal is wall time.)"""
    samples: dict[str, list[tuple[float, float, float]]] = {label: [] for label in commands}
    for i in range(runs):
        for label, (make_cmd, env) in commands.items():
            with tempfile.TemporaryDirectory() as tmp:
                samples[label].append(measure(make_cmd(i), Path(tmp), env))
    out = []
    for label in commands:
        wall, peak, cpu = (
            statistics.median(column) for column in zip(*samples[label], strict=True)
        )
        print(f"{label:<44} median {wall * 1000:7.0f} ms   peak RSS {peak:6.1f} MiB   "
              f"CPU {cpu * 1000:5.0f} ms")  # fmt: skip
        out.append((wall, peak, cpu))
    return out


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
    found = CCDS_TEMPLATE if (CCDS_TEMPLATE / "ccds.json").is_file() else None
    local = args.ccds_template or found
    template = [str(Path(local).resolve())] if local else []  # ccds runs in a temporary folder
    # cookiecutter writes a replay file under $HOME; keep it out of the user's home.
    home = tempfile.mkdtemp()
    try:
        print(f"create a project, {args.runs} runs each, interleaved")
        ccds_cmd = lambda i: [ccds, *template, "--no-input", f"project_name=p{i}"]  # noqa: E731
        results = interleaved(
            {
                "mlops-scaffold new --level 0 --defaults": (
                    lambda i: [ours, "new", f"p{i}", "--level", "0", "--defaults"],
                    None,
                ),
                "mlops-scaffold new --level 3 --defaults": (
                    lambda i: [ours, "new", f"p{i}", "--level", "3", "--defaults"],
                    None,
                ),
                "ccds --no-input (cookiecutter-data-science)": (ccds_cmd, {"HOME": home}),
            },
            args.runs,
        )
        (l0_t, l0_m, l0_c), (l3_t, l3_m, l3_c), (b_t, b_m, b_c) = results
        print(f"level 0: time ratio {l0_t / b_t:.2f}, memory ratio {l0_m / b_m:.2f} (goal <= 2.0)"
              f", CPU ratio {l0_c / b_c:.2f}")  # fmt: skip
        print(f"level 3: time ratio {l3_t / b_t:.2f}, memory ratio {l3_m / b_m:.2f} "
              f"(goal: time <= 1.0), CPU ratio {l3_c / b_c:.2f}")  # fmt: skip
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()

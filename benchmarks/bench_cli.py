"""Start-up and render time of mlops-scaffold against copier, measured in the same run.

Goals: `mlops-scaffold --help` and each command's `--help` take at most a quarter of
`copier --help` (issue 14; the CLI is argparse, heavy imports wait for a command); `new --level 1`
is compared with `copier copy` of the same staged template (copier does no git work, so the
difference is our validation, state file and the git repo with its two branches).

Run: `make bench` (or `python benchmarks/bench_cli.py [--runs N]`).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def timed(cmd: list[str], runs: int, before=None) -> list[float]:
    times = []
    for i in range(runs):
        if before:
            before(i)
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return times


def report(label: str, times: list[float]) -> float:
    median = statistics.median(times)
    print(f"{label:<40} median {median * 1000:8.1f} ms   min {min(times) * 1000:8.1f} ms")
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    ours, copier = str(BIN / "mlops-scaffold"), str(BIN / "copier")

    print(f"start-up, {args.runs} runs each")
    b = report("copier --help", timed([copier, "--help"], args.runs))
    for command in ([], ["new"], ["upgrade"], ["adopt"], ["assess"]):
        label = " ".join(["mlops-scaffold", *command, "--help"])
        a = report(label, timed([ours, *command, "--help"], args.runs))
        print(f"{'':<40} ratio {a / b:.2f} (goal <= 0.25)")
    print()

    from scaffolder.catalog import builtin_catalog
    from scaffolder.render import stage_template

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        staged = work / "template"
        staged.mkdir()
        stage_template(builtin_catalog(), 1, staged)
        out = work / "out"

        def clean(_):
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir()

        runs = max(3, args.runs // 2)
        print(f"render a level-1 project, {runs} runs each")
        a = report(
            "mlops-scaffold new --level 1",
            timed([ours, "new", "p", "--level", "1", "--defaults", "-o", str(out)], runs, clean),
        )
        b = report(
            "copier copy (same template)",
            timed([copier, "copy", "--defaults", "--quiet", "-d", "project_name=p", "-d", "level=1",
                   str(staged), str(out / "p")], runs, clean),
        )  # fmt: skip
        print(f"ratio {a / b:.2f} (ours also validates, writes state and makes the git repo)")


if __name__ == "__main__":
    main()

"""Speed of the platform team's commands.

Goals (issue 13): `fleet status` at least 100 repositories a minute on 2 cores with the render
cache; `check` on one project in under 1.5 s. Issue 23: the fleet report (`--report
fleet.html`, the maturity page and a Markdown report per repository) over 100 repositories in
under 30 s.

The fleet is the test suite's: every kind of repository a platform team meets (current,
behind a template or overlay release, conflicts ahead, below its level, dirty, damaged state,
not a repository), one generated per kind and copied to N.

Run: `python benchmarks/bench_fleet.py [--repos 100] [--jobs 2] [--runs 5]`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repos", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    with tempfile.TemporaryDirectory(prefix="bench-fleet-") as tmp:
        root = Path(tmp)
        env = {
            **os.environ,
            "HOME": str(root),
            "GIT_CONFIG_GLOBAL": str(root / ".gitconfig"),
            "GIT_CONFIG_NOSYSTEM": "1",
            "MLOPS_SCAFFOLD_CACHE": str(root / "cache"),
        }
        os.environ.update(env)
        for key, value in (("user.name", "bench"), ("user.email", "bench@example.org")):
            subprocess.run(["git", "config", "--global", key, value], check=True)
        from tests.fleet.fleet_repos import build_fleet

        start = time.perf_counter()
        fleet, kinds = build_fleet(root, args.repos)
        print(f"built {len(kinds)} repositories in {time.perf_counter() - start:.1f} s")

        cli = [str(BIN / "mlops-scaffold")]
        start = time.perf_counter()
        page = root / "fleet.html"
        result = subprocess.run(
            [*cli, "fleet", "status", "--dir", str(fleet), "--jobs", str(args.jobs),
             "--report", str(page)],
            capture_output=True, text=True, env=env, check=False,
        )  # fmt: skip
        elapsed = time.perf_counter() - start
        rows = len(result.stdout.splitlines())
        print(
            f"fleet status --report fleet.html: {rows} repositories in {elapsed:.1f} s on "
            f"{args.jobs} jobs = {rows / elapsed * 60:.0f} repositories/minute (goals: >= 100, "
            f"100 repositories < 30 s); page {page.stat().st_size // 1024} KiB; "
            f"exit {result.returncode}"
        )
        print(result.stderr.strip().splitlines()[-1])

        project = next(fleet / n for n, k in kinds.items() if k == "current-1")
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            subprocess.run([*cli, "check", str(project)], capture_output=True, env=env, check=True)
            times.append(time.perf_counter() - start)
        print(
            f"check on a level-1 project: median {statistics.median(times):.2f} s, "
            f"min {min(times):.2f} s over {args.runs} runs (goal < 1.5 s)"
        )


if __name__ == "__main__":
    main()

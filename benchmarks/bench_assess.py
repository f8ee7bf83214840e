"""Speed of `mlops-scaffold assess`.

Goals (issue 5): a 20,000-file repository assessed in under 2 s; fleet throughput over 100
generated repos on 2 cores.

The big repo is a generated level-1 project plus 20,000 files of realistic shape (Python
modules, a share importing pandas/sklearn/mlflow, YAML configs, Markdown, JSON, CSV), and a
`.venv` and `data/` of 5,000 files each that must be skipped.

Run: `python benchmarks/bench_assess.py [--files N] [--repos N] [--jobs N] [--runs N]`.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent

PY_PLAIN = '''"""Module {i}."""
import os
from pathlib import Path


def helper_{i}(path: str) -> int:
    total = 0
    for line in Path(path).read_text().splitlines():
        total += len(line)
    return total + {i}


class Thing{i}:
    def __init__(self, value):
        self.value = value

    def double(self):
        return self.value * 2
'''
PY_ML = '''"""Feature code {i}."""
import numpy as np
import pandas as pd
from sklearn.preprocessing import StandardScaler


def transform_{i}(df: pd.DataFrame) -> pd.DataFrame:
    rng = np.random.default_rng(seed={i})
    scaled = StandardScaler().fit_transform(df.select_dtypes("number"))
    columns = df.select_dtypes("number").columns
    return pd.DataFrame(scaled + rng.normal(size=scaled.shape), columns=columns)
'''
PY_MLFLOW = """import mlflow


def log_{i}(metrics):
    with mlflow.start_run(nested=True):
        mlflow.log_metrics(metrics)
"""
YAML = "name: job-{i}\nparams:\n  alpha: 0.{i}\n  layers: [1, 2, 3]\nthreshold: 0.5\n"
MD = "# Note {i}\n\nSome text about module {i}.\n"


def generate(root: Path, name: str, level: int, orchestrator: str, ci: str) -> Path:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "b",
        "GIT_AUTHOR_EMAIL": "b@x",
        "GIT_COMMITTER_NAME": "b",
        "GIT_COMMITTER_EMAIL": "b@x",
    }
    subprocess.run(
        [
            BIN / "mlops-scaffold",
            "new",
            name,
            "--level",
            str(level),
            "--orchestrator",
            orchestrator,
            "--ci",
            ci,
            "--defaults",
            "-o",
            root,
        ],
        check=True,
        capture_output=True,
        env=env,
    )
    return root / name


def big_repo(root: Path, files: int) -> Path:
    repo = generate(root, "big", 1, "both", "github")
    rnd = random.Random(0)
    for i in range(files):
        folder = repo / "src" / "big" / f"area{i % 50}" / f"sub{i % 7}"
        folder.mkdir(parents=True, exist_ok=True)
        roll = rnd.random()
        if roll < 0.55:
            (folder / f"mod_{i}.py").write_text(PY_PLAIN.format(i=i))
        elif roll < 0.68:
            (folder / f"feat_{i}.py").write_text(PY_ML.format(i=i))
        elif roll < 0.70:
            (folder / f"track_{i}.py").write_text(PY_MLFLOW.format(i=i))
        elif roll < 0.80:
            (folder / f"conf_{i}.yaml").write_text(YAML.format(i=i))
        elif roll < 0.90:
            (folder / f"note_{i}.md").write_text(MD.format(i=i))
        elif roll < 0.95:
            (folder / f"data_{i}.json").write_text(f'{{"a": {i}}}')
        else:
            (folder / f"sample_{i}.csv").write_text("a,b\n1,2\n")
    for skipped in (".venv/lib/python3.11/site-packages/pkg", "data/raw"):
        folder = repo / skipped
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(5000):
            (folder / f"f{i}.py").write_text(PY_MLFLOW.format(i=i))
    return repo


def bench_big(root: Path, files: int, runs: int) -> None:
    from scaffolder.assess.report_json import render_json
    from scaffolder.assess.run import assess_repo

    start = time.perf_counter()
    repo = big_repo(root, files)
    print(f"built {files}-file repo in {time.perf_counter() - start:.1f} s")
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        report = assess_repo(repo)
        render_json(report)
        times.append(time.perf_counter() - start)
    print(
        f"assess (in-process, scan+checks+json) of {report.files_scanned} files: "
        f"median {statistics.median(times):.3f} s, min {min(times):.3f} s; level {report.level}"
    )
    cli = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [BIN / "mlops-scaffold", "assess", repo, "--format", "json"],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        cli.append(time.perf_counter() - start)
    verdict = "OK" if statistics.median(cli) < 2 else "SLOW"
    print(
        "mlops-scaffold assess --format json (CLI, incl. start-up): median "
        f"{statistics.median(cli):.3f} s "
        f"[{verdict}, goal < 2 s]"
    )


def bench_fleet(root: Path, repos: int, jobs: int) -> None:
    from scaffolder.assess.fleet import run_fleet

    variants = [
        (0, "airflow", "github"),
        (1, "airflow", "github"),
        (1, "kubeflow", "gitlab"),
        (1, "both", "github"),
    ]
    bases = [generate(root / "bases", f"v{n}", *v) for n, v in enumerate(variants)]
    paths = []
    for i in range(repos):
        target = root / "fleet" / f"repo{i:03d}"
        shutil.copytree(bases[i % len(bases)], target, symlinks=True)
        paths.append(target)
    for workers in sorted({1, jobs}):
        start = time.perf_counter()
        counts = run_fleet(paths, root / f"fleet-{workers}.jsonl", jobs=workers)
        elapsed = time.perf_counter() - start
        print(
            f"fleet: {repos} repos on {workers} process(es): {elapsed:.2f} s, "
            f"{repos / elapsed:.1f} repos/s "
            f"{ {k: v for k, v in counts.items() if k != 'repos'} }"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--repos", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp:
        # The fleet first: forking workers from a process that already holds the big repo's
        # report would measure copy-on-write page faults, not assess.
        bench_fleet(Path(tmp), args.repos, args.jobs)
        bench_big(Path(tmp), args.files, args.runs)


if __name__ == "__main__":
    main()

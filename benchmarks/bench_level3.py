"""Level-3 runtime figures: `/predict` with prediction logging against level 2, and the drift job.

One run generates a level-2 and a level-3 project (`mlops-scaffold new --level N --orchestrator
airflow`) in a temporary folder, installs both into a virtual environment (`make setup
VENV=...`), trains each once (`make train`), then measures

1. the serving app of each (`make serve`, uvicorn, one worker) pinned to one CPU with `taskset`:
   sequential single-row `/predict` requests from this process (kept off that CPU) on one
   keep-alive connection, after a warm-up; the two apps take turns for `--rounds` rounds and the
   median of each figure is reported. Level 3 logs every prediction (bounded queue, background
   writer, daily Parquet under the project's artifacts), level 2 does not: the difference is the
   cost of logging. Goal: p50 overhead <= 5%.
2. the drift job of the level-3 project on `--rows` logged rows x `--features` features
   (16 numeric, 4 categorical by default; half of them shifted), written as the serving app
   writes them: in a fresh process, reading the window (`read_partitioned`, the job's
   columns), comparing it with a reference profile (`detect_drift`: PSI, KS / chi-square,
   Holm) and writing the report. Wall and CPU seconds and peak RSS (the kernel's high-water
   mark, reset before the job). Goal: < 5 s, < 1 GiB.

    /tmp/work/dev/bin/python benchmarks/bench_level3.py --venv /tmp/work/heavy

The helpers (server, load loop, venv checks) are those of bench_level2.py. The projects are
uninstalled again at the end unless `--keep`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_level2 as l2  # noqa: E402

DRIFT_CHILD = textwrap.dedent(
    """
    import json, sys, time
    import numpy as np, pandas as pd

    mode, uri, rows, features = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    numeric = [f"x{i}" for i in range(features - features // 5)]
    categorical = [f"c{i}" for i in range(features // 5)]

    def frame(n, seed, shift):
        rng = np.random.default_rng(seed)
        data = {c: rng.normal(size=n) + (shift if i % 2 else 0.0) for i, c in enumerate(numeric)}
        for i, c in enumerate(categorical):
            p = [0.5, 0.3, 0.2] if not (shift and i % 2) else [0.2, 0.3, 0.5]
            data[c] = rng.choice(["a", "b", "c"], size=n, p=p)
        return pd.DataFrame(data)

    from mlops_runtime.monitoring.config import DriftConfig
    from mlops_runtime.monitoring.drift import detect_drift
    from mlops_runtime.monitoring.prediction_log import (
        PredictionBatch,
        read_partitioned,
        write_partitioned,
    )
    from mlops_runtime.monitoring.profile import build_profile

    if mode == "write":
        t = time.perf_counter()
        live = frame(rows, 2, 0.5)
        batch = PredictionBatch("bench", live, np.random.default_rng(3).random(rows),
                                np.zeros(rows, dtype=int), "m", "1", "champion")
        write_partitioned(batch.to_frame(), uri)
        reference = frame(100_000, 1, 0.0)
        profile = build_profile(reference, np.random.default_rng(4).random(len(reference)))
        with open(sys.argv[5], "w") as f:
            json.dump(profile, f)
        print("RESULT " + json.dumps({"write_s": time.perf_counter() - t}))
        sys.exit(0)

    def hwm():
        with open("/proc/self/status") as f:
            return int(next(l for l in f if l.startswith("VmHWM")).split()[1])

    profile = json.load(open(sys.argv[5]))
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    start, cpu = time.perf_counter(), time.process_time()
    columns = [*profile["features"], "probability", "model_version"]
    logged = read_partitioned(uri, 0, time.time() + 1, columns=columns)
    read_s = time.perf_counter() - start
    result = detect_drift(profile, logged, DriftConfig())
    report = json.dumps(result.as_dict())
    seconds, cpu_s = time.perf_counter() - start, time.process_time() - cpu
    print("RESULT " + json.dumps(dict(
        rows=len(logged), columns=len(result.columns), drifted=len(result.drifted),
        read_s=read_s, seconds=seconds, cpu_s=cpu_s, peak_kib=hwm(), report_bytes=len(report))))
    """
)


def result_line(out: str) -> dict:
    for line in reversed(out.splitlines()):
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise l2.BenchError(f"no RESULT line in:\n{out[-2000:]}")


def serve_once(venv: Path, project: Path, python: Path, pkg: str, args, logs: Path) -> dict:
    rows = l2.sample_rows(python, project, pkg, 500, args.seed)
    bodies = [json.dumps({"rows": [row]}).encode() for row in rows]
    cpu = args.cpu if args.cpu >= 0 and shutil.which("taskset") else None
    port = l2.free_port()
    server = l2.Server(project, venv, port, cpu, logs / f"serve-{pkg}.log")
    own = None
    try:
        server.wait_ready(args.ready_timeout)
        if cpu is not None:
            others = os.sched_getaffinity(0) - {cpu}
            if others:
                own = os.sched_getaffinity(0)
                os.sched_setaffinity(0, others)
        l2.load_phase(port, bodies, args.warmup, 1, 600)
        phase = l2.load_phase(port, bodies, args.requests, 1, 600)
        phase["server_cpus"] = server.server_cpus()
        return phase
    finally:
        if own:
            os.sched_setaffinity(0, own)
        server.stop()


def bench_drift(python: Path, project: Path, pkg: str, args, work: Path, logs: Path) -> dict:
    script = work / "drift_child.py"
    script.write_text(DRIFT_CHILD.replace("{pkg}", pkg))
    uri, profile = (work / "predictions").as_uri(), work / "profile.json"
    args_out = [str(uri), str(args.rows), str(args.features), str(profile)]

    def child(mode: str) -> dict:
        out = subprocess.run(
            [str(python), str(script), mode, *args_out],
            cwd=project,
            env=l2.project_env(),
            capture_output=True,
            text=True,
        )
        if out.returncode:
            raise l2.BenchError(f"drift benchmark ({mode}) failed:\n{out.stderr[-3000:]}")
        return result_line(out.stdout)

    written = child("write")
    return {**child("job"), **written}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, required=True, help="venv with the projects' deps")
    parser.add_argument("--cli", help="the mlops-scaffold executable")
    parser.add_argument("--requests", type=int, default=2000, help="requests per round and app")
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cpu", type=int, default=1, help="CPU to pin the server to (-1: none)")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--ready-timeout", type=float, default=180)
    parser.add_argument("--keep", action="store_true", help="keep the projects installed")
    args = parser.parse_args()
    try:
        cli, python = l2.find_cli(args.cli), l2.check_venv(args.venv)
        work = Path(tempfile.mkdtemp(prefix="bench-l3-"))
        logs = work / "logs"
        logs.mkdir()
        projects = {}
        for level in (2, 3):
            name = f"benchl{level}"
            l2.run_step(f"new {name}", [cli, "new", name, "--level", str(level), "--orchestrator",
                        "airflow", "--defaults", "-o", str(work)], work, logs / f"new{level}.log",
                        120)  # fmt: skip
            project = work / name
            l2.run_step(f"make setup ({name})", ["make", "setup", f"VENV={args.venv}"], project,
                        logs / f"setup{level}.log", 900)  # fmt: skip
            l2.run_step(f"make train ({name})", ["make", "train", f"VENV={args.venv}"], project,
                        logs / f"train{level}.log", 900)  # fmt: skip
            projects[level] = project
        figures: dict[int, list[dict]] = {2: [], 3: []}
        for _ in range(args.rounds):
            for level, project in projects.items():
                figures[level].append(
                    serve_once(args.venv, project, python, project.name, args, logs)
                )
        drift = bench_drift(python, projects[3], "benchl3", args, work, logs)
    except l2.BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        if not args.keep:
            for name in ("benchl2", "benchl3"):
                subprocess.run([str(args.venv / "bin/python"), "-m", "pip", "uninstall", "-y", "-q",
                                name], capture_output=True)  # fmt: skip

    def median(level: int, key: str) -> float:
        return statistics.median(f[key] for f in figures[level])

    print(f"/predict, one row per request, server pinned to CPU {args.cpu}, "
          f"{args.requests} sequential requests x {args.rounds} rounds (medians):")  # fmt: skip
    for level in (2, 3):
        errors = sum(f["errors"] for f in figures[level])
        print(f"  level {level}: p50 {median(level, 'p50_ms'):.2f} ms, p99 "
              f"{median(level, 'p99_ms'):.2f} ms, {median(level, 'rps'):.0f} req/s, "
              f"errors {errors}")  # fmt: skip
    overhead = median(3, "p50_ms") / median(2, "p50_ms") - 1
    overhead99 = median(3, "p99_ms") / median(2, "p99_ms") - 1
    print(f"  logging overhead: p50 {overhead:+.1%} (goal <= +5%), p99 {overhead99:+.1%}")
    print(f"drift job on {drift['rows']:,} logged rows x {args.features} features "
          f"({drift['columns']} columns with the prediction, {drift['drifted']} drifted): "
          f"{drift['seconds']:.2f} s wall, {drift['cpu_s']:.2f} s CPU "
          f"(read {drift['read_s']:.2f} s), peak RSS "
          f"{l2.mib(drift['peak_kib'])} (goals < 5 s, < 1 GiB)")  # fmt: skip
    print(f"work folder: {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

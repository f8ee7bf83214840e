"""Level-2 runtime figures: GX validation of a 1M-row table and `/predict` latency on one core.

One run generates a level-2 project (`mlops-scaffold new --level 2 --orchestrator both`) in a
temporary folder, installs it into a virtual environment (`make setup VENV=...`), trains once
(`make train`), then measures

1. the project's own GX checkpoint (`validation.run_checkpoint`, the function behind
   `make validate-data`) on a table of `--rows` rows from the project's data generator, once
   passing and once with `--bad-share` of the rows breaking the contract: seconds and peak RSS,
   each case in a fresh process;
2. the serving app (`make serve`: uvicorn, one worker, 127.0.0.1, a free port) pinned to one CPU
   with `taskset`: single-row `/predict` requests from this process over loopback, first
   sequentially on one keep-alive connection, then from `--clients` threads at once; p50/p99
   latency and requests/s. The server is stopped through its process group.

The project's code runs in the venv's interpreter; this script needs only the standard library
and the `mlops-scaffold` CLI (next to this interpreter, else on PATH, else `--cli`). Example:

    /tmp/work/dev/bin/python benchmarks/bench_level2.py --venv /tmp/work/heavy

Without `--venv` the project is installed into this interpreter's environment, which must
already hold the project's dependencies (Great Expectations, FastAPI, uvicorn, MLflow, ...).
The project (default name `benchl2`) is uninstalled again at the end unless `--keep`.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

BIN = Path(sys.executable).parent
NEEDED = ["great_expectations", "fastapi", "uvicorn", "mlflow", "sklearn", "pandas", "numpy"]
# Variables that would point the project at another store, data file or model than its own.
CLEARED_ENV = [
    "MLFLOW_TRACKING_URI",
    "PIPELINE_DATA_SOURCE",
    "MLOPS_GX_ROOT",
    "MLOPS_PROJECT_ROOT",
    "SERVING_MODEL_ALIAS",
    "SERVING_MODEL_VERSION",
    "VIRTUAL_ENV",
]


class BenchError(RuntimeError):
    """A step failed; the message says which and how to fix it."""


# --------------------------------------------------------------------------- helpers


def project_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED_ENV}
    env.update(MLOPS_ENV="dev", GX_ANALYTICS_ENABLED="False", PYTHONUNBUFFERED="1")
    return env


def run_step(label: str, cmd: list[str], cwd: Path, log: Path, timeout: float) -> float:
    """Run `cmd`, output to `log`; seconds taken. Raises BenchError with the log's tail."""
    start = time.perf_counter()
    with log.open("w") as out:
        try:
            proc = subprocess.run(
                cmd,
                cwd=cwd,
                env=project_env(),
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                start_new_session=True,
            )
        except subprocess.TimeoutExpired as exc:
            raise BenchError(f"{label}: timed out after {timeout:.0f} s (log {log})") from exc
    if proc.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-25:])
        raise BenchError(f"{label} failed (exit {proc.returncode}), last lines of {log}:\n{tail}")
    return time.perf_counter() - start


def find_cli(explicit: str | None) -> str:
    if explicit:
        if not (Path(explicit).is_file() and os.access(explicit, os.X_OK)):
            raise BenchError(f"--cli {explicit}: not an executable file")
        return explicit
    candidate = BIN / "mlops-scaffold"
    if candidate.is_file():
        return str(candidate)
    found = shutil.which("mlops-scaffold")
    if found:
        return found
    raise BenchError(
        f"mlops-scaffold not found next to {sys.executable} nor on PATH; run this script with "
        "the interpreter that has the CLI installed (e.g. `pip install -e .` in the repo), put it "
        "on PATH, or pass --cli /path/to/mlops-scaffold"
    )


def check_venv(venv: Path) -> Path:
    python = venv / "bin" / "python"
    if not python.exists():
        raise BenchError(f"{python} does not exist: --venv must be a virtual environment")
    probe = (
        "import importlib.util, json; "
        f"print(json.dumps([m for m in {NEEDED!r} if importlib.util.find_spec(m) is None]))"
    )
    out = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, check=True)
    missing = json.loads(out.stdout)
    if missing:
        raise BenchError(
            f"{venv} lacks {', '.join(missing)}; the level-2 project needs them. Pass --venv "
            "with an environment that has them, or install them first, e.g. "
            f"`{python} -m pip install 'great-expectations>=1.20,<2' fastapi uvicorn mlflow "
            "scikit-learn` (no download is attempted by this script)"
        )
    return python


def distribution_installed(python: Path, name: str) -> bool:
    code = (
        "import importlib.metadata as m, sys\n"
        "try:\n    m.distribution(sys.argv[1])\nexcept m.PackageNotFoundError:\n    sys.exit(1)"
    )
    return subprocess.run([str(python), "-c", code, name]).returncode == 0


def mib(kib: float) -> str:
    return f"{kib / 1024:,.0f} MiB"


# --------------------------------------------------------------------------- validation

# Runs in the venv, cwd = project. Peak RSS of the validation alone: the kernel's high-water mark
# (VmHWM) is reset through /proc/self/clear_refs right before the checkpoint runs.
VALIDATION_CHILD = textwrap.dedent(
    """
    import json, sys, time
    import numpy as np
    from {pkg}.data import generate
    from {pkg}.validation import run_checkpoint, sync

    rows, seed, bad_share = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])

    def status():
        fields = {{}}
        with open("/proc/self/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    fields[key] = int(value.split()[0])
        return fields

    t = time.perf_counter()
    df = generate(n_rows=rows, seed=seed)
    generate_s = time.perf_counter() - t
    bad = 0
    if bad_share > 0:
        # ~bad_share of the rows break one contract rule each, keeping every column's dtype:
        # out-of-range integers and numbers, and a value outside the allowed set.
        rng = np.random.default_rng(seed + 1)
        picked = rng.choice(rows, size=max(4, round(rows * bad_share)), replace=False)
        groups = np.array_split(picked, 4)
        df.loc[groups[0], "tenure_months"] = -1
        df.loc[groups[1], "monthly_charges"] = -5.0
        df.loc[groups[2], "age"] = 150
        df.loc[groups[3], "contract"] = "lifetime"
        bad = int(len(picked))
    t = time.perf_counter()
    sync()  # imports GX and creates/loads gx/: a one-time cost per process
    sync_s = time.perf_counter() - t
    frame_kib = df.memory_usage(deep=True).sum() / 1024
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        hwm_reset = True
    except OSError:
        hwm_reset = False
    before = status()
    t = time.perf_counter()
    report = run_checkpoint(df, "training", name="bench")
    seconds = time.perf_counter() - t
    after = status()
    print("RESULT " + json.dumps(dict(
        rows=len(df), columns=len(df.columns), bad=bad, generate_s=generate_s, sync_s=sync_s,
        seconds=seconds, success=report.success, evaluated=report.evaluated,
        failures=report.failures, frame_kib=frame_kib, rss_before_kib=before["VmRSS"],
        peak_kib=after["VmHWM"], hwm_reset=hwm_reset,
    )))
    """
)


def bench_validation(python: Path, project: Path, pkg: str, args, logs: Path) -> list[dict]:
    results = []
    for label, share in (("passing", 0.0), (f"{args.bad_share:.0%} bad rows", args.bad_share)):
        log = logs / f"validate_{'bad' if share else 'ok'}.log"
        code = VALIDATION_CHILD.format(pkg=pkg)
        cmd = [str(python), "-c", code, str(args.rows), str(args.seed), str(share)]
        start = time.perf_counter()
        try:
            proc = subprocess.run(
                cmd,
                cwd=project,
                env=project_env(),
                capture_output=True,
                text=True,
                timeout=args.step_timeout,
            )
        except subprocess.TimeoutExpired as exc:
            raise BenchError(f"validation ({label}) timed out after {args.step_timeout} s") from exc
        log.write_text(proc.stdout + proc.stderr)
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
        if proc.returncode != 0 or not lines:
            tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-25:])
            raise BenchError(f"validation ({label}) failed (exit {proc.returncode}):\n{tail}")
        result = json.loads(lines[-1][len("RESULT ") :])
        result.update(label=label, process_s=time.perf_counter() - start)
        expected = share == 0
        if result["success"] is not expected:
            raise BenchError(
                f"validation ({label}): checkpoint success={result['success']}, expected "
                f"{expected}; failures: {result['failures']}"
            )
        results.append(result)
    return results


# --------------------------------------------------------------------------- serving


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sample_rows(python: Path, project: Path, pkg: str, n: int, seed: int) -> list[dict]:
    """`n` feature rows from the project's own generator (JSON-ready)."""
    code = (
        f"from {pkg}.data import generate; from {pkg}.features import FEATURE_COLUMNS; "
        f"print(generate(n_rows={n}, seed={seed})[FEATURE_COLUMNS].to_json(orient='records'))"
    )
    out = subprocess.run(
        [str(python), "-c", code],
        cwd=project,
        env=project_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


class Server:
    """`make serve` in its own process group, optionally under `taskset -c CPU`."""

    def __init__(self, project: Path, venv: Path, port: int, cpu: int | None, log: Path):
        cmd = ["make", "--no-print-directory", "serve", f"VENV={venv}", f"PORT={port}"]
        if cpu is not None:
            cmd = ["taskset", "-c", str(cpu), *cmd]
        self.cmd, self.port, self.log = cmd, port, log
        self._out = log.open("w")
        self.proc = subprocess.Popen(
            cmd,
            cwd=project,
            env=project_env(),
            stdout=self._out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        last = "no answer"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/ready")
                response = conn.getresponse()
                body = response.read()
                conn.close()
                if response.status == 200:
                    return
                last = f"{response.status} {body[:200]!r}"
            except OSError as exc:
                last = str(exc)
            time.sleep(0.25)
        tail = "\n".join(self.log.read_text(errors="replace").splitlines()[-20:])
        raise BenchError(f"server not ready on port {self.port} ({last}); log tail:\n{tail}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        # make may have exited first; make sure nothing of the group outlives us.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self._out.close()

    def server_cpus(self) -> str:
        """CPU affinity of the uvicorn process (a child of make), read back from /proc."""
        with contextlib.suppress(OSError, ValueError):
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
            for pid in children.split():
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("Cpus_allowed_list:"):
                        return line.split(":", 1)[1].strip()
        return "?"


def post_loop(port: int, bodies: list[bytes], count: int, deadline: float, out: list, errors: list):
    """`count` POST /predict on one keep-alive connection (stops at `deadline`)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json"}
    try:
        for i in range(count):
            if time.perf_counter() >= deadline:
                break
            body = bodies[i % len(bodies)]
            start = time.perf_counter()
            try:
                conn.request("POST", "/predict", body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException) as exc:
                errors.append(repr(exc))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            elapsed = time.perf_counter() - start
            if response.status != 200 or b'"predictions"' not in payload:
                errors.append(f"{response.status} {payload[:200]!r}")
            else:
                out.append(elapsed)
    finally:
        conn.close()


def load_phase(port: int, bodies: list[bytes], total: int, clients: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.perf_counter() + seconds
    per_client = [total // clients + (1 if i < total % clients else 0) for i in range(clients)]
    threads = [
        threading.Thread(
            target=post_loop,
            args=(port, bodies[i::clients] or bodies, n, deadline, latencies, errors),
        )
        for i, n in enumerate(per_client)
    ]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    done = len(latencies)
    cuts = statistics.quantiles(latencies, n=100, method="inclusive") if done >= 2 else [0.0] * 99
    return {
        "clients": clients,
        "requests": done,
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
        "wall_s": wall,
        "p50_ms": cuts[49] * 1000,
        "p99_ms": cuts[98] * 1000,
        "max_ms": max(latencies, default=0.0) * 1000,
        "rps": done / wall if wall else 0.0,
        "cut_short": done + len(errors) < total,
    }


def bench_serving(python: Path, venv: Path, project: Path, pkg: str, args, logs: Path) -> dict:
    rows = sample_rows(python, project, pkg, 1000, args.seed + 2)
    bodies = [json.dumps({"rows": [row]}).encode() for row in rows]
    cpu = None
    if args.cpu >= 0 and shutil.which("taskset"):
        cpu = args.cpu
    port = free_port()
    server = Server(project, venv, port, cpu, logs / "serve.log")
    own_affinity = None
    try:
        server.wait_ready(args.ready_timeout)
        # Keep the client off the server's CPU when there is another one.
        if cpu is not None and hasattr(os, "sched_setaffinity"):
            others = os.sched_getaffinity(0) - {cpu}
            if others:
                own_affinity = os.sched_getaffinity(0)
                os.sched_setaffinity(0, others)
        load_phase(port, bodies, args.warmup, 1, args.phase_seconds)  # warm-up, not reported
        phases = [("sequential", load_phase(port, bodies, args.requests, 1, args.phase_seconds))]
        if args.clients > 1:
            label = f"{args.clients} concurrent clients"
            phases.append(
                (label, load_phase(port, bodies, args.requests, args.clients, args.phase_seconds))
            )
        return {
            "port": port,
            "cpu": cpu,
            "server_cpus": server.server_cpus(),
            "client_cpus": sorted(os.sched_getaffinity(0)) if own_affinity else None,
            "phases": phases,
        }
    finally:
        if own_affinity:
            os.sched_setaffinity(0, own_affinity)
        server.stop()


# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--venv",
        type=Path,
        help="virtual environment for the project (default: this interpreter's environment)",
    )
    parser.add_argument("--cli", help="path of mlops-scaffold (default: next to this python, PATH)")
    parser.add_argument("--name", default="benchl2", help="project name (default benchl2)")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows to validate")
    parser.add_argument("--bad-share", type=float, default=0.01, help="share of bad rows")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--requests", type=int, default=2000, help="requests per serving phase")
    parser.add_argument("--warmup", type=int, default=100, help="unreported warm-up requests")
    parser.add_argument("--clients", type=int, default=4, help="threads in the concurrent phase")
    parser.add_argument(
        "--phase-seconds", type=float, default=120, help="time limit of each serving phase"
    )
    parser.add_argument("--cpu", type=int, default=0, help="CPU for the server (-1: no pinning)")
    parser.add_argument("--ready-timeout", type=float, default=120)
    parser.add_argument("--step-timeout", type=float, default=900)
    parser.add_argument(
        "--keep", action="store_true", help="keep the project and its installation in the venv"
    )
    args = parser.parse_args()
    if not sys.platform.startswith("linux"):
        print("bench_level2: Linux only (reads /proc for RSS)", file=sys.stderr)
        return 2
    if not 0 < args.bad_share < 1 or args.rows < 1000 or args.requests < 2 or args.clients < 1:
        parser.error("need 0 < --bad-share < 1, --rows >= 1000, --requests >= 2, --clients >= 1")

    venv = (args.venv or Path(sys.prefix)).resolve()
    try:
        for tool in ("make", "git"):
            if not shutil.which(tool):
                raise BenchError(f"`{tool}` is not on PATH")
        cli = find_cli(args.cli)
        python = check_venv(venv)
    except BenchError as exc:
        print(f"bench_level2: {exc}", file=sys.stderr)
        return 2

    pkg = args.name.replace("-", "_")
    preinstalled = distribution_installed(python, args.name)
    work = Path(tempfile.mkdtemp(prefix="bench_l2_"))
    logs = work / "logs"
    logs.mkdir()
    project = work / args.name
    installed = False
    try:
        gen_s = run_step(
            "mlops-scaffold new",
            [
                cli,
                "new",
                args.name,
                "--level",
                "2",
                "--orchestrator",
                "both",
                "--defaults",
                "-o",
                str(work),
            ],
            work,
            logs / "new.log",
            args.step_timeout,
        )
        setup_s = run_step(
            "make setup",
            ["make", "setup", f"VENV={venv}"],
            project,
            logs / "setup.log",
            args.step_timeout,
        )
        installed = True
        train_s = run_step(
            "make train",
            ["make", "train", f"VENV={venv}"],
            project,
            logs / "train.log",
            args.step_timeout,
        )
        validation = bench_validation(python, project, pkg, args, logs)
        serving = bench_serving(python, venv, project, pkg, args, logs)
    except BenchError as exc:
        print(f"bench_level2: {exc}", file=sys.stderr)
        print(f"bench_level2: project and logs kept in {work}", file=sys.stderr)
        args.keep = True
        return 1
    finally:
        if installed and not args.keep and not preinstalled:
            subprocess.run(
                [str(python), "-m", "pip", "uninstall", "-y", "-q", args.name],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    versions = (
        subprocess.run(
            [
                str(python),
                "-c",
                "import sys, great_expectations as g, fastapi, uvicorn; print("
                "sys.version.split()[0], g.__version__, fastapi.__version__, uvicorn.__version__)",
            ],
            capture_output=True,
            text=True,
        ).stdout.split()
        or ["?"] * 4
    )
    print(
        f"level-2 benchmark: venv {venv} (Python {versions[0]}, GX {versions[1]}, "
        f"FastAPI {versions[2]}, uvicorn {versions[3]}), {os.cpu_count()} CPUs"
    )
    print(
        f"project: new {gen_s:.1f} s, make setup {setup_s:.1f} s, make train {train_s:.1f} s"
        + (f"  (kept in {work})" if args.keep else "")
    )

    first = validation[0]
    print(
        f"\nGX checkpoint training_data (run_checkpoint, as `make validate-data`): "
        f"{first['rows']:,} rows x {first['columns']} columns, "
        f"{first['evaluated']} expectations, "
        f"DataFrame {mib(first['frame_kib'])}"
    )
    print(
        f"{'table':<22}{'result':<24}{'seconds':>8}{'rows/s':>12}{'RSS before':>12}"
        f"{'peak RSS':>10}{'peak-before':>13}"
    )
    for r in validation:
        result = "passed" if r["success"] else f"failed, {len(r['failures'])} expectations"
        label = r["label"] + (f" ({r['bad']:,})" if r["bad"] else "")
        print(
            f"{label:<22}{result:<24}{r['seconds']:>8.2f}{r['rows'] / r['seconds']:>12,.0f}"
            f"{mib(r['rss_before_kib']):>12}{mib(r['peak_kib']):>10}"
            f"{mib(r['peak_kib'] - r['rss_before_kib']):>13}"
        )
    print(
        f"(not in seconds: first sync = GX import + context, {first['sync_s']:.1f} s; "
        f"generating the table {first['generate_s']:.1f} s"
        + ("" if first["hwm_reset"] else "; peak RSS is the process's, HWM reset unavailable")
        + ")"
    )
    for line in validation[1]["failures"]:
        print(f"  {line}")

    pin = (
        f"taskset -c {serving['cpu']}, server CPUs {serving['server_cpus']}"
        if serving["cpu"] is not None
        else "not pinned"
    )
    client = serving["client_cpus"]
    print(
        f"\n/predict, 1 row per request: make serve (uvicorn, 1 worker) on 127.0.0.1:"
        f"{serving['port']}, {pin}; client in this process"
        + (f" on CPUs {','.join(map(str, client))}" if client else "")
    )
    print(
        f"{'phase':<24}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}"
        f"{'req/s':>9}"
    )
    for label, p in serving["phases"]:
        note = "  (time limit hit)" if p["cut_short"] else ""
        print(
            f"{label:<24}{p['requests']:>9}{p['errors']:>8}{p['p50_ms']:>9.2f}"
            f"{p['p99_ms']:>9.2f}{p['max_ms']:>9.1f}{p['rps']:>9.0f}{note}"
        )
        if p["first_error"]:
            print(f"  first error: {p['first_error']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

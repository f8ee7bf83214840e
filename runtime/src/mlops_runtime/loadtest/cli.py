"""`python -m mlops_runtime.loadtest`: load-test the serving app against the SLO (`make load-test`).

    python -m mlops_runtime.loadtest --url http://127.0.0.1:8000      # a running service
    python -m mlops_runtime.loadtest --app churn.serving.app:app      # started here, stopped after

Exit codes: 0 every objective met, 1 an objective missed (the line names it) or the test could
not run (the line says why).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from .. import settings
from ..project import project_root
from .objectives import SLOError, judge, load_slo, with_overrides
from .report import describe, write_report
from .runner import TargetError, run_load


@contextmanager
def local_app(app: str, log_path: Path, wait: float) -> Iterator[str]:
    """The ASGI app `module:attr` under uvicorn on a free loopback port, in a process of its own
    (its output in `log_path`), ready; its base URL. Stopped on leaving."""
    from ..cd.deploy import free_port
    from ..cd.smoke import wait_for

    port = free_port()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port),
             "--log-level", "warning", "--no-access-log"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + wait
            status = 0
            while server.poll() is None and time.monotonic() < deadline:  # a crash ends the wait
                status, _ = wait_for(url, "/ready", 0)
                if status == 200:
                    break
                time.sleep(0.25)
            if status != 200:
                exited = server.poll()
                if exited is not None:
                    raise TargetError(
                        f"the app {app} exited with code {exited} before it was ready; "
                        f"its log: {log_path}"
                    )
                raise TargetError(
                    f"the app {app} is not ready after {wait:g} s (/ready answers "
                    f"{status or 'nothing'}); its log: {log_path}"
                )
            yield url
        finally:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGTERM)
                try:
                    server.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(server.pid, signal.SIGKILL)
                    server.wait()


def default_config() -> Path:
    """`$SLO_CONFIG`, else `config/slo.yaml`, in the project folder."""
    return settings.slo_config_path(project_root())


def main(argv: list[str] | None = None) -> int:
    """Run the load test, write the report, and answer 0 (SLO met) or 1 (missed, or failed)."""
    parser = argparse.ArgumentParser(
        prog="python -m mlops_runtime.loadtest", description=__doc__.splitlines()[0]
    )
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument(
        "--url", help="base URL of a running serving app, e.g. http://127.0.0.1:8000"
    )
    where.add_argument("--app", help="module:attr of the ASGI app to start here under uvicorn")
    parser.add_argument(
        "--config", type=Path, help="the SLO file (default: $SLO_CONFIG, else config/slo.yaml)"
    )
    parser.add_argument(
        "--report-dir",
        type=Path,
        default=Path("build/load-test"),
        help="where load_test.json and .md go",
    )
    parser.add_argument(
        "--duration", type=float, help="seconds of load instead of load.duration_seconds"
    )
    parser.add_argument(
        "--rps", type=float, help="offered requests per second instead of load.rps (a stress test)"
    )
    parser.add_argument("--wait", type=float, default=120, help="seconds to await /ready")
    args = parser.parse_args(argv)
    config = args.config or default_config()
    try:
        for name, value in (("--duration", args.duration), ("--rps", args.rps)):
            if value is not None and not value > 0:
                unit = "seconds" if name == "--duration" else "requests per second"
                raise SLOError(f"{name} must be a positive number of {unit}")
        slo = with_overrides(load_slo(config), duration=args.duration, rps=args.rps)
        plan = slo.load
        print(
            f"load test: {plan.rps:g} requests/s for {plan.duration_seconds:g} s from "
            f"{plan.concurrency} connections against {args.url or args.app} (objectives: {config})",
            file=sys.stderr,
        )
        if args.url:
            from ..cd.smoke import wait_for

            status, _ = wait_for(args.url, "/ready", args.wait)
            if status != 200:
                raise TargetError(
                    f"{args.url}/ready answers {status or 'nothing'} after {args.wait:g} s; "
                    "start it (make serve), or run make load-test without LOAD_TEST_URL"
                )
            measurement = run_load(args.url, plan)
        else:
            with local_app(args.app, args.report_dir / "server.log", args.wait) as url:
                measurement = run_load(url, plan)
                measurement = replace(measurement, url=f"{url} ({args.app}, started here)")
    except (SLOError, TargetError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    verdicts = judge(slo.objectives, measurement.as_objectives())
    json_path, md_path = write_report(args.report_dir, measurement, verdicts)
    lat = measurement.latency_ms
    print(
        f"{measurement.requests} requests, {measurement.errors} failed, "
        f"{measurement.achieved_rps:.1f}/s; latency p50 {lat['p50']} ms, p95 {lat['p95']} ms, "
        f"p99 {lat['p99']} ms"
    )
    for verdict in verdicts:
        print(f"{'ok  ' if verdict.passed else 'FAIL'} {describe(verdict)}")
    missed = [v for v in verdicts if not v.passed]
    if missed:
        print(
            f"error: the SLO was missed: {'; '.join(describe(v) for v in missed)}; "
            f"report: {md_path}",
            file=sys.stderr,
        )
        return 1
    print(f"SLO met; report: {md_path} ({json_path.name})")
    return 0

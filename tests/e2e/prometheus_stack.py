"""Real Prometheus and Alertmanager (Debian packages) on loopback ports, for the level-3 loop.

The binaries are installed with apt-get when missing; if that is impossible the test fails (it
never skips). Every process runs in its own process group and is killed by the fixture."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.conftest import REPO, run

PACKAGES = {
    "prometheus": "prometheus",
    "prometheus-alertmanager": "prometheus-alertmanager",
    "amtool": "prometheus-alertmanager",
}


def ensure_binary(name: str) -> str:
    found = shutil.which(name)
    if found is None and shutil.which("apt-get") and os.geteuid() == 0:
        env = {"DEBIAN_FRONTEND": "noninteractive"}
        run(["apt-get", "update", "-qq"], REPO, env)
        run(
            ["apt-get", "install", "-y", "-q", "--no-install-recommends", PACKAGES[name]], REPO, env
        )
        found = shutil.which(name)
    if found is None:
        pytest.fail(
            f"{name} is needed (Debian package {PACKAGES[name]}) and could not be installed"
        )
    return found


def get_json(url: str, timeout: float = 5.0, token: str | None = None):
    """GET `url` as JSON (with `Authorization: Bearer <token>` when given)."""
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


def wait_until(check, timeout: float, what: str, every: float = 1.0):
    """Call `check` until it returns something truthy; fail naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except (OSError, urllib.error.URLError, ValueError, KeyError) as exc:
            last_error = exc
        time.sleep(every)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what} (last error: {last_error})")


class Processes:
    """Started processes, each in its own group; `stop()` kills them all."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.procs: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, cmd: list[str], cwd: Path, env: dict[str, str] | None = None):
        log = (self.logs / f"{name}.log").open("w")
        proc = subprocess.Popen(
            [str(c) for c in cmd], cwd=cwd, env={**os.environ, **(env or {})},
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self.procs.append((name, proc))
        return proc

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-4000:] if path.is_file() else ""

    def stop_one(self, name: str) -> None:
        for started, proc in self.procs:
            if started == name and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=30)

    def stop(self) -> None:
        for _, proc in reversed(self.procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for _, proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


def prometheus_config(
    rules: Path,
    alertmanager_port: int,
    targets: dict[str, int],
    external_labels: dict[str, str] | None = None,
) -> str:
    scrapes = "\n".join(
        f"  - job_name: {job}\n    static_configs:\n      - targets: ['127.0.0.1:{port}']"
        for job, port in targets.items()
    )
    # External labels reach Alertmanager with every alert (the receiver reads `environment`).
    external = "".join(f"    {k}: {v}\n" for k, v in (external_labels or {}).items())
    return (
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        + (f"  external_labels:\n{external}" if external else "")
        + f"rule_files:\n  - {rules}\n"
        "alerting:\n  alertmanagers:\n    - static_configs:\n"
        f"        - targets: ['127.0.0.1:{alertmanager_port}']\n"
        f"scrape_configs:\n{scrapes}\n"
    )

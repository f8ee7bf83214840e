"""An Airflow 3 deployment on loopback, the production shape (stack facts §9): metadata on
PostgreSQL, `api-server`, `scheduler`, `dag-processor` and `triggerer` as separate processes,
LocalExecutor or CeleryExecutor with Redis and `airflow celery worker`; driven over the REST API
as an operator (or another service) would drive it."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.engines.postgres import PostgresServer, _free_port
from tests.engines.processes import Processes, wait_until

USER, PASSWORD = "admin", "admin-pass"
COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")
FINISHED = {"success", "failed"}


def ensure_redis() -> str:
    """Debian's redis-server; installed with apt-get when missing (as root), else the test fails."""
    found = shutil.which("redis-server")
    if found is None and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for cmd in (
            ["apt-get", "update", "-qq"],
            ["apt-get", "install", "-y", "-q", "--no-install-recommends", "redis-server"],
        ):
            subprocess.run(cmd, env=env, capture_output=True, check=False)
        found = shutil.which("redis-server")
    if found is None:
        pytest.fail(
            "redis-server is needed (Debian package redis-server) and could not be installed"
        )
    return found


def start_redis(procs: Processes, workdir: Path, name: str = "redis") -> int:
    """A throwaway Redis on 127.0.0.1 (no persistence); its port once it answers PING."""
    port = _free_port()
    procs.start(name, [ensure_redis(), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                       "--appendonly", "no", "--dir", str(workdir)], workdir)  # fmt: skip

    def pong() -> bool:
        procs.check_alive(name)
        with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")

    wait_until(pong, 30, f"redis-server on 127.0.0.1:{port}", every=0.2, context=procs.tails)
    procs.ready_after[name] = time.monotonic() - procs.started_at[name]
    return port


class Airflow:
    """One deployment: its home folder, metadata database, processes and REST client."""

    def __init__(
        self,
        venv: Path,
        home: Path,
        dags_folder: Path,
        postgres: PostgresServer,
        procs: Processes,
        *,
        executor: str = "LocalExecutor",
        redis_port: int | None = None,
        env: dict[str, str] | None = None,
        local_settings: str | None = None,
        name: str = "airflow",
    ):
        self.venv, self.home, self.procs, self.name = venv, home, procs, name
        self.executor = executor
        self.home.mkdir(parents=True, exist_ok=True)
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.db_url = postgres.create_database()
        if local_settings:  # cluster policies: Airflow imports $AIRFLOW_HOME/config/<this>
            (self.home / "config").mkdir(exist_ok=True)
            (self.home / "config" / "airflow_local_settings.py").write_text(local_settings)
        passwords = self.home / "passwords.json"
        passwords.write_text(json.dumps({USER: PASSWORD}))
        self.env = {
            **os.environ,
            "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": executor,
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": self.db_url,
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{USER}:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(self.port),
            "AIRFLOW__API__BASE_URL": self.base,
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.base}/execution/",
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(32),
            "AIRFLOW__API__SECRET_KEY": secrets.token_hex(32),
            # Log servers: our own ports on loopback (the triggerer's binds all interfaces by
            # default); the components also skip serving logs, which are local files here.
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(_free_port()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(_free_port()),
            "AIRFLOW__API__WORKERS": "1",
            # LocalExecutor: a few worker processes, not 32 (the default parallelism).
            "AIRFLOW__CORE__PARALLELISM": "4",
            **(env or {}),
        }
        if "MLFLOW_TRACKING_URI" not in (env or {}):  # never the developer's own server
            self.env.pop("MLFLOW_TRACKING_URI", None)
        if executor == "CeleryExecutor":
            if redis_port is None:
                raise ValueError("CeleryExecutor needs redis_port")
            self.env["AIRFLOW__CELERY__BROKER_URL"] = f"redis://127.0.0.1:{redis_port}/0"
            self.env["AIRFLOW__CELERY__RESULT_BACKEND"] = f"db+{self.db_url}"
            self.env["AIRFLOW__CELERY__WORKER_CONCURRENCY"] = "2"
        self._token: str | None = None

    # -- processes --------------------------------------------------------------------------

    def components(self) -> list[str]:
        """The names of the long-running processes (in `procs`)."""
        extra = ["celery-worker"] if self.executor == "CeleryExecutor" else []
        return [f"{self.name}-{c}" for c in (*COMPONENTS, *extra)]

    def start_migrate(self) -> None:
        """`airflow db migrate` in the background (15-40 s); `wait_migrated()` after."""
        airflow = self.venv / "bin/airflow"
        self.procs.start(f"{self.name}-migrate", [airflow, "db", "migrate"], self.home, self.env)
        migrate = self.procs.procs[f"{self.name}-migrate"]
        self.procs.watch(f"{self.name}-migrate", lambda: migrate.poll() == 0)

    def wait_migrated(self, timeout: float = 300) -> None:
        name = f"{self.name}-migrate"
        try:
            code = self.procs.procs[name].wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            code = f"still running after {timeout:.0f} s"
        if code != 0:
            pytest.fail(f"{self.name}: airflow db migrate: {code}\n{self.procs.log(name, 5000)}")

    def start(self) -> None:
        airflow = self.venv / "bin/airflow"
        commands = {
            "api-server": [airflow, "api-server", "--host", "127.0.0.1", "--port", self.port],
            "scheduler": [airflow, "scheduler", "--skip-serve-logs"],
            "dag-processor": [airflow, "dag-processor"],
            "triggerer": [airflow, "triggerer", "--skip-serve-logs"],
        }
        if self.executor == "CeleryExecutor":
            commands["celery-worker"] = [
                airflow, "celery", "worker", "--skip-serve-logs", "--concurrency", "2",
                "--without-gossip", "--without-mingle",
            ]  # fmt: skip
        # The home folder as cwd, not the project: tasks must find the project on their own.
        for component, cmd in commands.items():
            self.procs.start(f"{self.name}-{component}", cmd, self.home, self.env)
        self.procs.watch(f"{self.name}-api-server", self._all_healthy)

    def task_logs(self, count: int = 3, chars: int = 4000) -> str:
        """The tails of the newest task logs (each task attempt writes one under logs/)."""
        logs = self.home / "logs"
        newest = sorted(logs.rglob("*.log"), key=lambda p: p.stat().st_mtime)[-count:] if (
            logs.is_dir()) else []  # fmt: skip
        return "\n".join(
            f"--- {self.name} task log {path.relative_to(logs)} ---\n"
            f"{path.read_text(errors='replace')[-chars:]}"
            for path in newest
        )

    def context(self) -> str:
        """The processes' log tails and the newest task logs, for failure messages."""
        return f"{self.procs.tails(2000)}\n{self.task_logs()}"

    def _all_healthy(self) -> dict | None:
        health = self._request("GET", "/api/v2/monitor/health", auth=False)
        components = ("metadatabase", "scheduler", "triggerer", "dag_processor")
        healthy = all((health.get(c) or {}).get("status") == "healthy" for c in components)
        return health if healthy else None

    def wait_healthy(self, timeout: float = 240) -> dict:
        def healthy():
            self.procs.check_alive(*self.components())
            return self._all_healthy()

        return wait_until(healthy, timeout, f"{self.name}: every component healthy", every=2,
                          context=self.context)  # fmt: skip

    # -- REST API ---------------------------------------------------------------------------

    def _request(self, method: str, path: str, body=None, auth: bool = True, retry: bool = True):
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if auth:
            headers["Authorization"] = f"Bearer {self.token()}"
        request = urllib.request.Request(
            self.base + path, method=method, headers=headers,
            data=None if body is None else json.dumps(body).encode(),
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            if exc.code == 401 and auth and retry:  # the token expired: a new one, once
                self._token = None
                return self._request(method, path, body, auth, retry=False)
            detail = exc.read().decode(errors="replace")[:2000]
            raise ApiError(exc.code, f"{method} {path}: HTTP {exc.code}: {detail}") from exc
        return json.loads(raw) if raw else None

    def token(self) -> str:
        """`POST /auth/token` with the simple auth manager's user and password."""
        if self._token is None:
            answer = self._request(
                "POST", "/auth/token", {"username": USER, "password": PASSWORD}, auth=False
            )
            self._token = answer["access_token"]
        return self._token

    def api(self, method: str, path: str, body=None):
        return self._request(method, path, body)

    def wait_dag(self, dag_id: str, timeout: float = 180) -> dict:
        """Until the DAG processor has parsed and stored `dag_id` (fails on an import error)."""

        def parsed():
            errors = self.api("GET", "/api/v2/importErrors")["import_errors"]
            if errors:
                pytest.fail(f"{self.name}: DAG import errors: {json.dumps(errors, indent=1)}")
            try:
                return self.api("GET", f"/api/v2/dags/{dag_id}")
            except ApiError as exc:
                if exc.code == 404:
                    return None
                raise

        return wait_until(parsed, timeout, f"{self.name}: DAG {dag_id} parsed", every=2,
                          context=self.context)  # fmt: skip

    def unpause(self, dag_id: str) -> None:
        self.api("PATCH", f"/api/v2/dags/{dag_id}", {"is_paused": False})

    def trigger(self, dag_id: str, conf: dict | None = None) -> str:
        """`POST /api/v2/dags/ID/dagRuns`; the new run's id."""
        run = self.api(
            "POST", f"/api/v2/dags/{dag_id}/dagRuns", {"logical_date": None, "conf": conf or {}}
        )
        return run["dag_run_id"]

    def runs(self, dag_id: str) -> list[dict]:
        return self.api("GET", f"/api/v2/dags/{dag_id}/dagRuns?order_by=start_date")["dag_runs"]

    def run(self, dag_id: str, run_id: str) -> dict:
        return self.api("GET", f"/api/v2/dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id)}")

    def wait_run(
        self, dag_id: str, run_id: str, timeout: float = 300, expect: str = "success"
    ) -> dict:
        """Until the run has finished; fails with the logs unless it ended `expect`."""

        def finished():
            self.procs.check_alive(*self.components())
            run = self.run(dag_id, run_id)
            return run if run["state"] in FINISHED else None

        run = wait_until(finished, timeout, f"{self.name}: run {run_id} of {dag_id} to finish",
                         every=2, context=self.context)  # fmt: skip
        if run["state"] != expect:
            tis = self.task_instances(dag_id, run_id)
            pytest.fail(
                f"{self.name}: {dag_id} run {run_id} ended {run['state']}; tasks: "
                f"{ {t['task_id']: t['state'] for t in tis} }\n{self.context()}"
            )
        return run

    def task_instances(self, dag_id: str, run_id: str) -> list[dict]:
        path = f"/api/v2/dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id)}/taskInstances"
        return self.api("GET", path)["task_instances"]

    def xcom(self, dag_id: str, run_id: str, task_id: str, key: str = "return_value"):
        path = (f"/api/v2/dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id)}/taskInstances/"
                f"{task_id}/xcomEntries/{key}?deserialize=true")  # fmt: skip
        return self.api("GET", path)["value"]

    def asset_events(self, source_dag_id: str | None = None) -> list[dict]:
        query = f"?source_dag_id={source_dag_id}" if source_dag_id else ""
        return self.api("GET", f"/api/v2/assets/events{query}")["asset_events"]


class ApiError(OSError):
    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code = code

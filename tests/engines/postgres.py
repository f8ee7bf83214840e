"""A throwaway PostgreSQL cluster (Debian's server) on a loopback port, for tests of every
distribution in this repository: the session fixture `postgres_server` creates one cluster per
test session; `postgres_server.create_database()` gives each test its own database as a
SQLAlchemy URL (`postgresql+psycopg2://USER:PW@127.0.0.1:PORT/DB`).

The server binaries are installed with apt-get when missing (as root); when the server cannot
be installed or started the test fails, it never skips. The server refuses to run as root, so
as root the cluster is created and run as the `postgres` user (`runuser -u postgres --`)."""

from __future__ import annotations

import glob
import os
import secrets
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

__all__ = ["PostgresServer", "postgres_server"]

PREFERRED_VERSION = "15"
# Durability is worth nothing in a throwaway cluster; these make start-up and DDL (Airflow's
# and MLflow's migrations) several times faster. Connections: Airflow's components, MLflow's
# server and the test's own clients each keep a pool.
SERVER_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "300",
    "shared_buffers": "64MB",
}


def _bin_dir() -> Path | None:
    preferred = Path(f"/usr/lib/postgresql/{PREFERRED_VERSION}/bin")
    if (preferred / "initdb").is_file():
        return preferred
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def ensure_server_binaries() -> Path:
    """The directory of initdb/pg_ctl/psql; installs Debian's `postgresql` when missing."""
    found = _bin_dir()
    if found is None and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for cmd in (
            ["apt-get", "update", "-qq"],
            ["apt-get", "install", "-y", "-q", "--no-install-recommends", "postgresql"],
        ):
            done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                pytest.fail(f"{' '.join(cmd)} exited {done.returncode}:\n{done.stderr[-3000:]}")
        found = _bin_dir()
    if found is None:
        pytest.fail(
            "PostgreSQL's server is needed (Debian package postgresql: "
            "/usr/lib/postgresql/*/bin/initdb) and could not be found or installed"
        )
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    """One cluster in a temporary folder; `start()`, `create_database()`, `stop()`."""

    user = "mlops"

    def __init__(self, bin_dir: Path | None = None):
        self.bin_dir = bin_dir or ensure_server_binaries()
        self.password = secrets.token_hex(16)
        # Not under pytest's tmp dirs: those are 0700 to root, and the server runs as postgres.
        self.root = Path(tempfile.mkdtemp(prefix="mlops-pg-"))
        self.data = self.root / "data"
        self.socket_dir = self.root / "run"
        self.logfile = self.root / "server.log"
        self.port: int | None = None
        self.startup_seconds: float | None = None
        self._counter = 0
        self._as_postgres = os.geteuid() == 0
        self._watchdog: subprocess.Popen | None = None

    # -- processes --------------------------------------------------------------------------

    def _server_cmd(self, *cmd: str | Path) -> list[str]:
        prefix = ["runuser", "-u", "postgres", "--"] if self._as_postgres else []
        return [*prefix, *map(str, cmd)]

    def _run(self, cmd: list[str], what: str, timeout: float = 120) -> str:
        try:
            done = subprocess.run(
                cmd, capture_output=True, text=True, timeout=timeout, check=False, cwd=self.root
            )
        except subprocess.TimeoutExpired:
            pytest.fail(f"PostgreSQL: {what} timed out after {timeout:.0f} s\n{self.log_tail()}")
        if done.returncode != 0:
            pytest.fail(
                f"PostgreSQL: {what} exited {done.returncode}\n{done.stdout[-2000:]}\n"
                f"{done.stderr[-3000:]}\n{self.log_tail()}"
            )
        return done.stdout

    def log_tail(self, chars: int = 4000) -> str:
        if not self.logfile.is_file():
            return "(no server log)"
        return (
            "--- PostgreSQL server log (tail) ---\n"
            + self.logfile.read_text(errors="replace")[-chars:]
        )

    def start(self) -> PostgresServer:
        started = time.monotonic()
        self.socket_dir.mkdir(parents=True)
        pwfile = self.root / "pwfile"
        pwfile.write_text(self.password + "\n")
        if self._as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
            for path in (self.socket_dir, pwfile):
                shutil.chown(path, "postgres", "postgres")
        pwfile.chmod(0o600)
        self._run(
            self._server_cmd(
                self.bin_dir / "initdb", "-D", self.data, "-U", self.user, f"--pwfile={pwfile}",
                "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8",
                "--locale=C", "--no-sync", "--no-instructions",
            ),
            "initdb",
        )  # fmt: skip
        pwfile.unlink()
        # A free port can be taken between our probe and the server's bind: try a few.
        for _attempt in range(3):
            self.port = _free_port()
            options = " ".join(
                [
                    "-c listen_addresses=127.0.0.1",
                    f"-c port={self.port}",
                    f"-c unix_socket_directories={self.socket_dir}",
                    *(f"-c {key}={value}" for key, value in SERVER_SETTINGS.items()),
                ]
            )
            cmd = self._server_cmd(
                self.bin_dir / "pg_ctl", "-D", self.data, "-l", self.logfile, "-o", options,
                "-w", "-t", "60", "start",
            )  # fmt: skip
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=90, check=False)
            if done.returncode == 0:
                break
            if "could not bind" not in self.log_tail():
                pytest.fail(
                    f"PostgreSQL did not start (pg_ctl exited {done.returncode})\n"
                    f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}\n{self.log_tail()}"
                )
        else:
            pytest.fail(f"PostgreSQL could not bind a free loopback port\n{self.log_tail()}")
        self._start_watchdog()
        self.startup_seconds = time.monotonic() - started
        return self

    def _start_watchdog(self) -> None:
        """A killed test session runs no teardown: a small shell loop outside it stops the
        server and removes the cluster once this process is gone."""
        stop = shlex.join(self._server_cmd(
            self.bin_dir / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop"
        ))  # fmt: skip
        script = (
            f"while kill -0 {os.getpid()} 2>/dev/null; do sleep 2; done; "
            f"{stop} >/dev/null 2>&1; rm -rf {shlex.quote(str(self.root))}"
        )
        self._watchdog = subprocess.Popen(
            ["sh", "-c", script], start_new_session=True, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def stop(self) -> None:
        """Stop the server (fast, then immediate) and remove the cluster's folder."""
        if self._watchdog is not None and self._watchdog.poll() is None:
            self._watchdog.kill()
            self._watchdog.wait(timeout=10)
        if (self.data / "postmaster.pid").is_file():
            for mode in ("fast", "immediate"):
                done = subprocess.run(
                    self._server_cmd(self.bin_dir / "pg_ctl", "-D", self.data, "-m", mode,
                                     "-w", "-t", "30", "stop"),
                    capture_output=True, text=True, timeout=60, check=False,
                )  # fmt: skip
                if done.returncode == 0:
                    break
        shutil.rmtree(self.root, ignore_errors=True)

    def memory_mb(self) -> float:
        """The server's memory (postmaster and its backends), summed proportional set sizes."""
        try:
            postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return 0.0
        total_kb = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                pid, ppid = (
                    int(stat.parent.name),
                    int(stat.read_text().rsplit(")", 1)[1].split()[1]),
                )
                if postmaster not in (pid, ppid):
                    continue
                rollup = (stat.parent / "smaps_rollup").read_text()
                total_kb += next(int(x.split()[1]) for x in rollup.splitlines() if x[:4] == "Pss:")
            except (OSError, IndexError, ValueError, StopIteration):
                continue
        return total_kb / 1024

    # -- databases --------------------------------------------------------------------------

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run SQL as the cluster's superuser over the unix socket; its output."""
        return self._run(
            [
                str(self.bin_dir / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At",
                "-h", str(self.socket_dir), "-p", str(self.port), "-U", self.user,
                "-d", database, "-c", sql,
            ],
            f"psql -c {sql!r}",
        )  # fmt: skip

    def url(self, database: str, driver: str = "psycopg2") -> str:
        """The SQLAlchemy URL of `database` (over TCP on loopback, with the password)."""
        scheme = f"postgresql+{driver}" if driver else "postgresql"
        return f"{scheme}://{self.user}:{self.password}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str | None = None) -> str:
        """Create a fresh database (a unique name by default); its SQLAlchemy URL."""
        self._counter += 1
        name = name or f"test_{self._counter}_{secrets.token_hex(3)}"
        if not name.replace("_", "").isalnum():
            raise ValueError(f"database name {name!r}: letters, digits and _ only")
        self.psql(f'CREATE DATABASE "{name}"')
        return self.url(name)


@pytest.fixture(scope="session")
def postgres_server():
    """One PostgreSQL cluster for the whole session on 127.0.0.1; stopped and removed after."""
    server = PostgresServer()
    try:
        server.start()
        print(
            f"\n[postgres] cluster up on 127.0.0.1:{server.port} in {server.startup_seconds:.1f} s"
        )
        yield server
    finally:
        server.stop()

"""Long-running processes a test starts: each in its own process group with its own log file,
polled with bounded waits whose failures name what was awaited and show the logs' tails, and
all stopped (TERM, then KILL) by `stop()`, also when the test fails."""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest


class Processes:
    """Started processes by name; `stop()` ends every one of them."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.logs.mkdir(parents=True, exist_ok=True)
        self.procs: dict[str, subprocess.Popen] = {}
        self.started_at: dict[str, float] = {}
        # Seconds from a process's start until its readiness check first passed (see watch()).
        self.ready_after: dict[str, float] = {}
        # A killed test session runs no teardown: a shell loop outside it kills the groups still
        # listed in this file once the session's process is gone (stop() unlists them).
        self._groups = self.logs / ".process-groups"
        self._watchdog: subprocess.Popen | None = None

    def _ensure_watchdog(self) -> None:
        if self._watchdog is not None and self._watchdog.poll() is None:
            return
        script = (
            f"while kill -0 {os.getpid()} 2>/dev/null; do sleep 2; done; "
            f"for g in $(cat {shlex.quote(str(self._groups))}); do kill -9 -$g; done"
        )
        self._watchdog = subprocess.Popen(
            ["sh", "-c", script], start_new_session=True, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def start(
        self, name: str, cmd: list, cwd: Path, env: dict[str, str] | None = None
    ) -> subprocess.Popen:
        """Start `cmd` in its own session (so its children are stopped with it)."""
        if name in self.procs and self.procs[name].poll() is None:
            raise ValueError(f"{name} is already running")
        with (self.logs / f"{name}.log").open("a") as log:
            proc = subprocess.Popen(
                [str(c) for c in cmd], cwd=cwd, env=env if env is not None else dict(os.environ),
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )  # fmt: skip
        self.procs[name] = proc
        self.started_at[name] = time.monotonic()
        self._list_groups()
        self._ensure_watchdog()
        return proc

    def watch(self, name: str, check: Callable[[], object]) -> None:
        """Time `name`'s start-up in the background: poll `check` (an error counts as "not yet")
        until it passes, then record the seconds since the start in `ready_after[name]`. The
        test's own bounded waits still decide pass or fail; this only measures."""
        started, proc = self.started_at[name], self.procs[name]

        def poll() -> None:
            while time.monotonic() - started < 900:
                try:
                    ready = bool(check())
                except Exception:
                    ready = False
                if ready:
                    self.ready_after[name] = time.monotonic() - started
                    return
                if proc.poll() is not None:
                    return
                time.sleep(0.5)

        threading.Thread(target=poll, name=f"watch-{name}", daemon=True).start()

    def log(self, name: str, chars: int = 3000) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.is_file() else "(no log)"

    def tails(self, chars: int = 2500) -> str:
        """Every process's state and the tail of its log, for a failure message."""
        parts = []
        for name, proc in self.procs.items():
            state = "running" if proc.poll() is None else f"exited {proc.returncode}"
            parts.append(f"--- {name} ({state}), log tail ---\n{self.log(name, chars)}")
        return "\n".join(parts)

    def check_alive(self, *names: str) -> None:
        """Fail, with its log, if one of the named processes has exited."""
        for name in names or tuple(self.procs):
            proc = self.procs[name]
            if proc.poll() is not None:
                pytest.fail(f"{name} exited {proc.returncode}\n{self.log(name, 5000)}")

    def memory_mb(self, *names: str) -> float:
        """Memory of the named processes' groups (every child), in MB: the sum of their
        proportional set sizes, so pages forked workers share are counted once."""
        groups = {self.procs[n].pid for n in (names or tuple(self.procs))}
        total_kb = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                if int(stat.read_text().rsplit(")", 1)[1].split()[2]) not in groups:  # pgrp
                    continue
                rollup = (stat.parent / "smaps_rollup").read_text()
                total_kb += next(
                    int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:")
                )
            except (OSError, IndexError, ValueError, StopIteration):
                continue
        return total_kb / 1024

    def stop(self, *names: str, timeout: float = 20) -> None:
        """TERM the named process groups (all by default, newest first), KILL what lingers."""
        chosen = [n for n in reversed(list(self.procs)) if not names or n in names]
        for name in chosen:
            _signal_group(self.procs[name], signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for name in chosen:
            proc = self.procs[name]
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            # Children of a group leader that exited (forked workers) may linger: KILL the group.
            _signal_group(proc, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
        self._list_groups()
        if all(proc.poll() is not None for proc in self.procs.values()):
            self.close()

    def close(self) -> None:
        """End the watchdog (every process has been stopped)."""
        if self._watchdog is not None and self._watchdog.poll() is None:
            self._watchdog.kill()
            self._watchdog.wait(timeout=10)

    def _list_groups(self) -> None:
        running = [str(p.pid) for p in self.procs.values() if p.poll() is None]
        self._groups.write_text("\n".join(running) + "\n")


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


def wait_until(
    check: Callable[[], object],
    timeout: float,
    what: str,
    every: float = 1.0,
    context: Callable[[], str] | None = None,
):
    """Call `check` until it returns something truthy and return that; after `timeout` fail
    naming `what`, the last error and `context()` (the processes' log tails)."""
    deadline = time.monotonic() + timeout
    last_error: BaseException | None = None
    while True:
        try:
            result = check()
            if result:
                return result
        except (OSError, ValueError, KeyError) as exc:  # URLError is an OSError
            last_error = exc
        if time.monotonic() >= deadline:
            break
        time.sleep(every)
    extra = context() if context else ""
    pytest.fail(
        f"timed out after {timeout:.0f} s waiting for {what} (last error: {last_error!r})\n{extra}"
    )


class Phases:
    """Wall time of each phase of a test, printed as it goes and summed at the end."""

    def __init__(self, test: str):
        self.test = test
        self.started = self.last = time.monotonic()
        self.times: list[tuple[str, float]] = []

    def done(self, phase: str) -> float:
        now = time.monotonic()
        self.times.append((phase, now - self.last))
        print(f"[{self.test}] {phase}: {now - self.last:.1f} s", flush=True)
        self.last = now
        return self.times[-1][1]

    def summary(self) -> str:
        total = time.monotonic() - self.started
        lines = [f"[{self.test}] phases ({total:.0f} s in all):"]
        lines += [f"  {phase:<58} {seconds:6.1f} s" for phase, seconds in self.times]
        return "\n".join(lines)

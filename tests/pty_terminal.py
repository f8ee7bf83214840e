"""Drive `mlops-scaffold` under a pseudo-terminal, as a person at a keyboard would."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import re
import select
import signal
import subprocess
import sys
import termios
import time
from pathlib import Path

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][AB012]|\x1b[=>]|\r")
ENTER, UP, DOWN, CTRL_C, CLEAR_LINE = "\r", "\x1b[A", "\x1b[B", "\x03", "\x15"


def _controlling_terminal() -> None:
    """In the child: a session of its own whose controlling terminal is the pty, so Ctrl-C
    typed at it is a SIGINT, as at a real terminal. SIGINT's default is restored first, as a
    shell does for a foreground job: a test run started in the background by a script (CI)
    inherits SIGINT ignored, and Python keeps an ignored SIGINT ignored, so Ctrl-C did nothing."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Terminal:
    """A child process on a pty: `expect` text on its screen, `send` keys to it."""

    def __init__(self, args: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
        self.master, slave = pty.openpty()
        os.set_blocking(self.master, False)
        full_env = {**os.environ, "TERM": "xterm", "COLUMNS": "100", "LINES": "40",
                    "PROMPT_TOOLKIT_NO_CPR": "1", **(env or {})}  # fmt: skip
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "scaffolder", *args],
            cwd=cwd, stdin=slave, stdout=slave, stderr=slave, env=full_env,
            preexec_fn=_controlling_terminal,
        )  # fmt: skip
        os.close(slave)
        self.raw = ""
        self._seen = 0

    @property
    def text(self) -> str:
        """Everything shown so far, without escape sequences."""
        return ANSI.sub("", self.raw)

    def _read(self, timeout: float) -> None:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if ready:
            with contextlib.suppress(OSError):  # OSError: the child closed the terminal
                self.raw += os.read(self.master, 65536).decode("utf-8", "replace")

    def expect(self, pattern: str, timeout: float = 90) -> str:
        """Wait for `pattern` (a regex) to appear after the last match; return the new text."""
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while time.monotonic() < deadline:
            text = self.text
            match = regex.search(text, self._seen)
            if match:
                new = text[self._seen : match.end()]
                self._seen = match.end()
                return new
            if self.proc.poll() is not None:
                self._read(0.2)
                if not regex.search(self.text, self._seen):
                    break
            self._read(0.1)
        raise AssertionError(f"{pattern!r} did not appear; screen so far:\n{self.text}")

    def send(self, keys: str) -> None:
        time.sleep(0.1)  # let the prompt finish drawing before keys arrive
        os.write(self.master, keys.encode())

    def wait(self, timeout: float = 120) -> int:
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            self._read(0.1)
        if self.proc.poll() is None:
            self.close()
            raise AssertionError(f"still running after {timeout} s; screen:\n{self.text}")
        self._read(0.1)
        return self.proc.returncode

    def close(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        if self.master >= 0:
            os.close(self.master)
            self.master = -1

"""Bounded rendering for templates the tool does not own (an overlay's, from another repository).

Jinja's sandbox and the checks in `scaffolder.jinja_filters` stop the obvious bombs, but a
template can still build memory (`~` in a loop, `center(10**9)`) or burn CPU (nested loops)
through paths no filter sees. So a render with an overlay runs in a forked child process with
an address-space limit, a CPU-time limit and a wall-clock limit; when one is hit, the render
stops with an exception raised inside the template's own code, so the one-line error names the
template file (see `scaffolder.render`). The parent kills a child that does not stop.

The built-in templates are ours: they render in the process, with no fork.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import time
from collections.abc import Callable
from typing import TypeVar

from scaffolder.errors import TemplateError

MEMORY_MIB = 1024  # address space a render may add to what the tool already holds
CPU_SECONDS = 60  # a level-3 render with an overlay takes about one
WALL_SECONDS = 300  # for what does not use CPU; not applied while a person answers prompts
_GRACE = 10  # seconds the parent waits past a limit before it kills the child

T = TypeVar("T")
_in_child = False


class LimitExceeded(BaseException):  # noqa: N818 - a BaseException: no `except Exception` in
    """Raised in the child, inside the template's code, when a limit is hit."""  # copier eats it


def memory_note() -> str:
    """What a MemoryError means here: the limit in a bounded child, plain memory outside."""
    if _in_child:
        return f"it needs over the {MEMORY_MIB} MiB of memory an overlay render may use"
    return "out of memory"


def bounded(fn: Callable[..., T], *args, interactive: bool, what: str, **kwargs) -> T:
    """`fn(*args, **kwargs)` in a child process under the limits; its result or its exception.

    `what` names the render in the parent's own messages (a child killed without a word).
    """
    if not hasattr(os, "fork"):  # no fork (Windows): render in the process, sandbox only
        return fn(*args, **kwargs)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        try:
            os.close(read_end)
            _enter_child(interactive)
            try:
                outcome: tuple = ("result", fn(*args, **kwargs))
            except BaseException as exc:  # noqa: BLE001 - every outcome goes to the parent
                outcome = ("raise", exc)
            _send(write_end, outcome)
        finally:
            _flush()
            os._exit(0)
    os.close(write_end)
    deadline = None if interactive else time.monotonic() + WALL_SECONDS + _GRACE
    try:
        data = _receive(read_end, deadline)
    except BaseException:  # Ctrl-C or the parent's own deadline: the child goes too
        _stop(pid, grace=2.0)
        raise
    finally:
        os.close(read_end)
    if data is None:  # the deadline passed and the child did not stop itself
        _stop(pid, grace=0)
        raise TemplateError(
            f"rendering {what} did not finish in {WALL_SECONDS} s and was stopped; "
            "templates must be bounded"
        )
    _, status = os.waitpid(pid, 0)
    if not data:
        raise TemplateError(f"rendering {what} was stopped: {_death(status)}")
    kind, value = pickle.loads(data)
    if kind == "raise":
        raise value
    if kind == "unpicklable":
        raise RuntimeError(f"rendering {what} failed in its child process:\n{value}")
    return value


def _flush() -> None:
    import sys

    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a closed or odd stream: nothing to keep
            stream.flush()


def _enter_child(interactive: bool) -> None:
    global _in_child
    import resource
    import sys

    _in_child = True
    # Streams with fresh locks: a thread of the parent (a spinner) may have held the old ones
    # at the fork, and no thread of the parent exists here to release them.
    for name, fd, mode in (("stdout", 1, "w"), ("stderr", 2, "w")):
        try:
            old = getattr(sys, name)
            if old is not None and old.fileno() == fd:
                setattr(sys, name, open(os.dup(fd), mode, buffering=1, encoding=old.encoding,  # noqa: SIM115 (the new sys stream)
                                        errors=old.errors, closefd=True))  # fmt: skip
        except (OSError, ValueError, AttributeError):  # not a real stream (tests capture it)
            pass

    def stop(signum, _frame):
        limit = (
            f"it ran over {CPU_SECONDS} s of CPU time"
            if signum == signal.SIGXCPU
            else f"it ran over {WALL_SECONDS} s"
        )
        raise LimitExceeded(f"{limit}, the limit for an overlay render")

    signal.signal(signal.SIGXCPU, stop)
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS + _GRACE))
    if not interactive:
        signal.signal(signal.SIGALRM, stop)
        signal.alarm(WALL_SECONDS)
    size = _address_space()
    if size is not None:
        limit = size + MEMORY_MIB * 1024 * 1024
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        if hard == resource.RLIM_INFINITY or limit < hard:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _address_space() -> int | None:
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None  # not Linux: RLIMIT_AS is not enforced there anyway (macOS)


def _send(fd: int, outcome: tuple) -> None:
    try:
        data = pickle.dumps(outcome)
    except Exception:  # noqa: BLE001 - an exception that cannot be pickled: send its text
        import traceback

        exc = outcome[1]
        text = "".join(traceback.format_exception(exc)) if outcome[0] == "raise" else repr(exc)
        data = pickle.dumps(("unpicklable", text))
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def _receive(fd: int, deadline: float | None) -> bytes | None:
    chunks = []
    while True:
        wait = None if deadline is None else max(0.0, deadline - time.monotonic())
        ready, _, _ = select.select([fd], [], [], wait)
        if not ready:
            return None
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _stop(pid: int, grace: float) -> None:
    end = time.monotonic() + grace
    while time.monotonic() < end:  # let it restore the terminal after Ctrl-C at a prompt
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def _death(status: int) -> str:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig in (signal.SIGKILL, signal.SIGXCPU):
            return (
                f"it went over a limit ({CPU_SECONDS} s of CPU, {MEMORY_MIB} MiB of memory) and "
                "was killed; templates must be bounded"
            )
        return f"its process died of signal {signal.Signals(sig).name}"
    return f"its process exited with code {os.WEXITSTATUS(status)} and no result"

"""Fences: a holder's last look at its lease before it acts on the shared world.

A lease holder whose process stalled past the lease's TTL may wake to find that someone else took
the lease over; what it does next (move the champion alias, say) must not land after the new
holder's. Code that holds a lease runs the acting part inside `fenced(check)`, where `check()`
returns None while the lease is still the caller's and a sentence when it is not; code that acts
(`governance.aliases.move_alias`) asks `fence_problems()` first and refuses with those sentences.
The fence is a context variable, so it follows the call stack of the task that set it, not other
threads or requests of the same process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

Check = Callable[[], "str | None"]
_CHECKS: ContextVar[tuple[Check, ...]] = ContextVar("mlops_runtime_fences", default=())


@contextmanager
def fenced(check: Check) -> Iterator[None]:
    """While the block runs, `fence_problems()` asks `check` too (nested fences all count)."""
    token = _CHECKS.set((*_CHECKS.get(), check))
    try:
        yield
    finally:
        _CHECKS.reset(token)


def fence_problems() -> list[str]:
    """Why the caller may not act now (empty: no fence, or every fence holds)."""
    return [problem for check in _CHECKS.get() if (problem := check())]

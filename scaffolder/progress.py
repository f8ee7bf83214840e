"""Progress of a multi-step command on a terminal: a spinner per step, a line when it is done.

Commands below the CLI take a `Progress` callable and call it with the name of each step as
it starts; they never import rich. Off a terminal nothing is shown.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Progress = Callable[[str], None]


def silent(_step: str) -> None:
    """The default: report nothing."""


@contextmanager
def reporter(console) -> Iterator[Progress]:
    """Yield a Progress that shows each step on `console` (a rich Console on stderr)."""
    if not console.is_terminal:
        yield silent
        return
    current: list[tuple[str, float]] = []
    status = console.status("", spinner="dots")

    def finish() -> None:
        if current:
            step, started = current.pop()
            console.print(
                f"[green]✓[/green] {step} [dim]({time.monotonic() - started:.1f} s)[/dim]"
            )

    def progress(step: str) -> None:
        finish()
        current.append((step, time.monotonic()))
        status.update(f"{step} …")
        status.start()

    try:
        yield progress
        status.stop()
        finish()
    finally:
        status.stop()

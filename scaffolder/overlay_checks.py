"""What an overlay may hold and how its code is called: plain files only, of a sane size;
whatever its migrations raise (or a `sys.exit()`) becomes one OverlayError."""

from __future__ import annotations

import os
from pathlib import Path

from scaffolder.overlay_fetch import OverlayError

_MAX_FILES = 5000  # an overlay is a few dozen files; more is a mistake or an attack
_MAX_TOTAL = 50 * 1024 * 1024


def check_plain_files(root: Path, where: str) -> None:
    """Every entry of the overlay is a plain folder or a regular file inside it: no symlink
    (a layer folder linked to ~/.ssh would copy a private key into every project), no device,
    no FIFO; and the overlay is of a sane size."""
    import stat

    count = total = 0
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            raise OverlayError(
                f"overlay {where}: {folder} cannot be read: {exc.strerror}"
            ) from None
        for entry in entries:
            relative = Path(entry.path).relative_to(root)
            if relative.parts[0] == ".git":
                continue
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISLNK(info.st_mode):
                raise OverlayError(
                    f"overlay {where}: {relative} is a symlink (to {os.readlink(entry.path)}); "
                    "overlays may only hold plain files"
                )
            if stat.S_ISDIR(info.st_mode):
                stack.append(Path(entry.path))
                continue
            if not stat.S_ISREG(info.st_mode):
                raise OverlayError(
                    f"overlay {where}: {relative} is not a regular file; overlays may only hold "
                    "plain files"
                )
            count += 1
            total += info.st_size
            if count > _MAX_FILES or total > _MAX_TOTAL:
                raise OverlayError(
                    f"overlay {where} holds over {_MAX_FILES} files or {_MAX_TOTAL >> 20} MiB; "
                    "an overlay holds templates only"
                )


class guard:
    """An overlay's code: whatever it raises, or a `sys.exit()`, becomes one OverlayError."""

    def __init__(self, where: str, what: str) -> None:
        self.where, self.what = where, what

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, exc, tb) -> bool:
        if exc is None or isinstance(exc, (KeyboardInterrupt, OverlayError)):
            return False
        from scaffolder.errors import ScaffoldError

        if isinstance(exc, ScaffoldError):
            return False
        if isinstance(exc, SystemExit):
            detail = f"called sys.exit({exc.code!r})"
        else:
            detail = f"{type(exc).__name__}: {exc}".splitlines()[0] if str(exc) else type(
                exc).__name__  # fmt: skip
        raise OverlayError(f"{self.where} {self.what}: {detail}") from exc


def guarded(func, where: str, what: str):
    def call(*args, **kwargs):
        with guard(where, what):
            return func(*args, **kwargs)

    return call

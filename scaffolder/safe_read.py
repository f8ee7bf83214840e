"""Reading a user's file: only a regular file, only inside the folder it belongs to, only up
to a size cap. A repository may hold a symlink to /dev/zero, a FIFO, or a symlink out of it
(to a private key); none of these may hang the tool, eat its memory, or leak into a report."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from scaffolder.errors import ScaffoldError

MAX_BYTES = 4 * 1024 * 1024  # a text file a person keeps in a repository; ours are far below


class UnsafeFileError(ScaffoldError):
    """A user's file is not a regular file inside its folder, or is too large to read."""


def _inside(path: Path, root: Path) -> bool:
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a symlink loop
        return False


def read_bytes(
    path: Path | str, *, root: Path | None = None, limit: int = MAX_BYTES, what: str = "file"
) -> bytes:
    """The bytes of a regular file (inside `root` when given) of at most `limit` bytes.

    Raises FileNotFoundError when it does not exist (callers decide what missing means) and
    UnsafeFileError, one line naming it, for anything else that is not a plain small file."""
    path = Path(path)
    if root is not None and not _inside(path, root):
        if not os.path.lexists(path):
            raise FileNotFoundError(str(path))
        raise UnsafeFileError(f"{what} {path} points outside {root}; it was not read")
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise UnsafeFileError(f"{what} {path} cannot be read: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeFileError(f"{what} {path} is not a regular file; it was not read")
        if info.st_size > limit:
            raise UnsafeFileError(
                f"{what} {path} is {info.st_size} bytes, over the {limit}-byte limit; "
                "it was not read"
            )
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(65536, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:  # it grew while being read
            raise UnsafeFileError(f"{what} {path} is over the {limit}-byte limit; it was not read")
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_text(
    path: Path | str, *, root: Path | None = None, limit: int = MAX_BYTES, what: str = "file",
    errors: str = "strict",
) -> str:  # fmt: skip
    """As read_bytes, decoded as UTF-8; undecodable text is one line naming the file."""
    data = read_bytes(path, root=root, limit=limit, what=what)
    try:
        return data.decode("utf-8", errors=errors)
    except UnicodeDecodeError as exc:
        raise UnsafeFileError(
            f"{what} {path} is not UTF-8 text (byte {exc.start}); save it as UTF-8"
        ) from None


def read_optional(
    path: Path | str, *, root: Path | None = None, limit: int = MAX_BYTES, what: str = "file",
) -> str | None:  # fmt: skip
    """As read_text with undecodable bytes replaced, or None when the file is missing or not
    safe to read: for files a scan may skip (an ignore file, a git HEAD)."""
    try:
        return read_text(path, root=root, limit=limit, what=what, errors="replace")
    except (OSError, UnsafeFileError):
        return None

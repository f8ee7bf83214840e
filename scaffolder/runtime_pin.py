"""Which release of mlops-scaffold-runtime a project runs, and the platform's minimum.

A generated project pins the runtime library in `constraints.txt`
(`mlops-scaffold-runtime==X.Y.Z`) and depends on a compatible range in `pyproject.toml`. The
platform's minimum is the release the tool's own templates pin (a runtime-only release moves it),
or what a platform team passes to `check --runtime-min`.
"""

from __future__ import annotations

import re
from pathlib import Path

DISTRIBUTION = "mlops-scaffold-runtime"
PIN = re.compile(r"^mlops-scaffold-runtime==([0-9][0-9A-Za-z.+-]*)", re.M | re.I)
RELEASE = re.compile(r"[0-9]+(\.[0-9]+){0,2}")
MAX_BYTES = 1 << 20  # a constraints file is a few kB; never read a huge or special file


def version_key(version: str) -> tuple[int, ...]:
    """`1.2.3` -> (1, 2, 3); a part that is not a number counts as 0."""
    return tuple(int(p) if p.isdigit() else 0 for p in re.split(r"[.+-]", version)[:3])


def _read_regular(path: Path) -> str | None:
    """A regular file's text (not a symlink, FIFO or device; at most MAX_BYTES), else None."""
    from scaffolder.safe_read import read_optional

    if path.is_symlink():
        return None
    return read_optional(path, limit=MAX_BYTES)  # checks the file it opened, not a name


def pinned(project: Path) -> str | None:
    """The runtime release `constraints.txt` pins (None: not pinned, or no constraints file)."""
    text = _read_regular(project / "constraints.txt")
    match = PIN.search(text) if text else None
    return match.group(1) if match else None


def platform_minimum() -> str | None:
    """The runtime release the built-in templates pin: what a project made or upgraded today
    gets."""
    from scaffolder.catalog import builtin_catalog

    text = _read_regular(builtin_catalog().root / "level0" / "constraints.txt.jinja")
    match = PIN.search(text) if text else None
    return match.group(1) if match else None

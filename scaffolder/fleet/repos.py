"""Which repositories a fleet command runs over: a repos file (paths or clone URLs) or a
folder of checkouts."""

from __future__ import annotations

import re
from pathlib import Path

from scaffolder.errors import ScaffoldError

_URL_RE = re.compile(r"^([a-z][a-z0-9+.-]*://|[^/@:\s]+@[^/:\s]+:)")


class FleetError(ScaffoldError):
    """The list of repositories cannot be read."""


def is_url(entry: str) -> bool:
    return bool(_URL_RE.match(entry))


def read_repos_file(path: Path) -> list[str]:
    """One checkout path or clone URL per line; blank lines and `#` comments skipped;
    relative paths are relative to the file."""
    from scaffolder.safe_read import read_text

    try:
        text = read_text(path, what="repos file")
    except FileNotFoundError:
        raise FleetError(
            f"repos file {path} not found; pass a file with one path or URL a line"
        ) from None
    entries = []
    for number, line in enumerate(text.splitlines(), 1):
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        if entry.startswith("-"):
            raise FleetError(
                f"repos file {path} line {number} starts with '-' ({entry[:40]!r}); a path or "
                "URL never does (write ./-name for such a folder)"
            )
        if is_url(entry):
            entries.append(entry)
        else:
            repo = Path(entry).expanduser()
            entries.append(str(repo if repo.is_absolute() else (path.parent / repo).resolve()))
    return entries


def checkouts_in(folder: Path) -> list[str]:
    """Every folder directly inside `folder` (a folder that is not a git repository gives an
    error row, so nothing is skipped in silence)."""
    if not folder.is_dir():
        raise FleetError(f"{folder} is not a folder; pass a folder of checkouts")
    return [str(p.resolve()) for p in sorted(folder.iterdir()) if p.is_dir() and not p.is_symlink()]


def gather(repos_file: Path | None, folder: Path | None) -> list[str]:
    if (repos_file is None) == (folder is None):
        raise FleetError("pass either --repos-file FILE or --dir FOLDER")
    entries = read_repos_file(repos_file) if repos_file else checkouts_in(folder)  # type: ignore[arg-type]
    if not entries:
        raise FleetError("no repositories to run over; the list is empty")
    return entries

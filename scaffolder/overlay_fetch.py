"""Overlay sources kept in git: a bare clone per source in the tool's cache, fetched once
per command, and a commit's files extracted once (plain files only)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from scaffolder.errors import TemplateError


class OverlayError(TemplateError):
    """An overlay is missing, malformed or does not fit this tool or project."""


def cache_dir() -> Path:
    """Where fetched overlay sources are kept ($MLOPS_SCAFFOLD_CACHE, else the user cache)."""
    explicit = os.environ.get("MLOPS_SCAFFOLD_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mlops-scaffold"


def _lock(path: Path):
    """An exclusive lock on `path` (parallel fleet workers share one clone)."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("w")
    fcntl.flock(handle, fcntl.LOCK_EX)
    return handle


def _mirror_dir(source: str) -> Path:
    return cache_dir() / "overlays" / (hashlib.sha256(source.encode()).hexdigest()[:20] + ".git")


_fetched: set[str] = set()  # sources fetched by this process: once per command is enough


def forget_fetches() -> None:
    _fetched.clear()


def fetch(source: str) -> Path:
    """A bare clone of `source` in the cache, fetched now (once per process)."""
    from scaffolder import git_remote
    from scaffolder.errors import GitError

    mirror = _mirror_dir(source)
    if source in _fetched and (mirror / "HEAD").is_file():
        return mirror
    with _lock(mirror.with_suffix(".lock")):
        try:
            git_remote.mirror(source, mirror)
        except GitError as exc:
            raise OverlayError(f"overlay {source} cannot be fetched: {exc}") from exc
    _fetched.add(source)
    return mirror


def release_tags(mirror: Path) -> list[str]:
    from scaffolder import git_remote
    from scaffolder.releases import is_release_tag

    return [t for t in git_remote.tags(mirror) if is_release_tag(t)]


def newest_release(source: str) -> str | None:
    """The newest release tag of a git source (fetched now), or None when it has none."""
    from scaffolder.releases import newest

    return newest(release_tags(fetch(source)))


def _checkout(mirror: Path, commit: str) -> Path:
    """The files of `commit`, extracted once into the cache (a commit's files never change)."""
    import contextlib
    import io
    import shutil
    import tarfile
    import tempfile

    from scaffolder import git_remote

    tree = cache_dir() / "overlays" / "trees" / commit
    if tree.is_dir():
        return tree
    tree.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{commit[:12]}-", dir=tree.parent))
    try:
        with tarfile.open(fileobj=io.BytesIO(git_remote.archive(mirror, commit))) as tar:
            for member in tar.getmembers():
                if (
                    not (member.isfile() or member.isdir())
                    or member.name.startswith("/")
                    or (".." in Path(member.name).parts)
                ):
                    target = f" (to {member.linkname})" if member.linkname else ""
                    raise OverlayError(
                        f"overlay commit {commit[:12]}: {member.name} is not a plain file"
                        f"{target}; overlays may only hold plain files"
                    )
            tar.extractall(tmp, filter="data")
        with contextlib.suppress(OSError):  # another worker finished first: theirs is identical
            os.rename(tmp, tree)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return tree


def pinned_tag(source: str, commit: str) -> str | None:
    """The newest release tag of `source` at `commit`, if any (a pinned commit's name)."""
    from scaffolder import gitops
    from scaffolder.releases import newest

    mirror = fetch(source)
    return newest([t for t in release_tags(mirror) if gitops.rev_parse(mirror, t) == commit])

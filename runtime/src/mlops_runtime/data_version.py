"""Which version of the data a pipeline run trained on, as DVC and git know it.

A run's data version is the content hash of the file (or folder) it read, in DVC's terms: the
MD5 of the file's bytes (DVC 3's `hash: md5`), or for a folder the hash of DVC's listing of it
(`<md5>.dir`). Where DVC tracks the data (a `<path>.dvc` file, a `.dvc` file of a folder above
it, or an output in `dvc.lock`), the version also names that entry and the git commit that last
changed it, so `git checkout <rev> && dvc checkout` (or `dvc.api.open(path, rev=<rev>)`) gets
the same bytes back. The state says how far to trust that:

- `committed`: the data matches the DVC entry, and the entry is committed in git as it is;
- `uncommitted`: the data matches the entry, but the entry is new or changed since its commit;
- `modified`: the data differs from the entry (`dvc add` it, or `dvc checkout` to go back);
- `untracked`: no DVC entry tracks the data (the hash is still its content's);
- `unchecked`: a folder tracked from a `.dvc` file whose listing is not in the local cache.

Reading the `.dvc` files, `dvc.lock` and the cache needs no DVC installed: the pipeline's
prepare step calls `record()`, which writes `data_version.json` next to the split it made, and
the train step tags the MLflow run from it (`tags()`), so every orchestrator records the same.
An orchestrated ingest step (the Airflow DAG's and the Kubeflow pipeline's `prepare`) reads the
version the repository records instead of the working copy: `open_recorded()` resolves the DVC
entry (at a git revision, or as committed in the working tree) and reads those bytes from DVC's
cache, or through `open_pinned()` (`dvc.api`, extra `dvc`: the cache or the remote), so a run is
reproducible from its run record (`lineage.data_version`, `lineage.data_dvc_rev`).
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import IO, Any

from .project import project_root

FILE_NAME = "data_version.json"
TAG_PREFIX = "lineage.data_"
STATES = ("committed", "uncommitted", "modified", "untracked", "unchecked")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class DataVersion:
    """The version of one data file or folder (see the module's docstring for `state`)."""

    path: str  # relative to the project root when inside it
    md5: str  # the content hash DVC would record for the data as it is now
    state: str  # one of STATES
    dvc_file: str = ""  # the entry tracking it: `data/raw/x.csv.dvc`, `dvc.lock`, or ""
    dvc_md5: str = ""  # the hash that entry records
    rev: str = ""  # the git commit that last changed the entry ("" when never committed)
    read: str = ""  # what the run read: "workspace" (the working copy) or "pinned" (by the entry)

    def tags(self) -> dict[str, str]:
        """MLflow tags for a run or model version: `lineage.data_version` (the hash), and
        `lineage.data_path`, `_state`, `_dvc_file`, `_dvc_rev` (and `_read` when known)."""
        tags = {
            "lineage.data_version": self.md5,
            "lineage.data_path": self.path,
            "lineage.data_state": self.state,
            "lineage.data_dvc_file": self.dvc_file,
            "lineage.data_dvc_rev": self.rev,
        }
        if self.read:
            tags["lineage.data_read"] = self.read
        return tags

    def summary(self) -> str:
        """One line for a log or a model version's description."""
        where = f", {self.dvc_file} at {self.rev[:12] or 'no commit yet'}" if self.dvc_file else ""
        return f"{self.path} md5 {self.md5} ({self.state}{where})"


def file_md5(path: Path) -> str:
    """The MD5 of a file's bytes, as DVC 3 records it."""
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _listing(folder: Path) -> list[dict[str, str]]:
    entries = []
    for item in sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()):
        entries.append({"md5": file_md5(item), "relpath": item.relative_to(folder).as_posix()})
    return sorted(entries, key=lambda e: e["relpath"])


def folder_md5(folder: Path) -> str:
    """DVC's hash of a folder: the MD5 of its sorted listing (relpath and MD5 per file), `.dir`."""
    text = json.dumps(_listing(folder), sort_keys=True, separators=(", ", ": "))
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest() + ".dir"


def _load_yaml(path: Path) -> Any:
    import yaml

    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None


def _outs(entry: Any) -> list[dict[str, Any]]:
    outs = entry.get("outs") if isinstance(entry, dict) else None
    return [o for o in outs or [] if isinstance(o, dict) and isinstance(o.get("path"), str)]


def _find_entry(
    root: Path, relative: Path, load: Callable[[str], Any] | None = None
) -> tuple[str, str, str] | None:
    """(dvc file, recorded md5, path inside a tracked folder or "") of the DVC entry tracking
    `relative`: its own `.dvc` file, a `.dvc` file of a folder above it, or `dvc.lock`. `load`
    reads a file of the repository as YAML (default: the working tree's; None when absent)."""
    load = load or (lambda name: _load_yaml(root / name) if (root / name).is_file() else None)
    for candidate in (relative, *relative.parents):
        if candidate == Path("."):
            break
        entry = load(f"{candidate.as_posix()}.dvc")
        for out in _outs(entry):
            if posixpath.normpath(f"{candidate.parent.as_posix()}/{out['path']}") == str(
                candidate.as_posix()
            ):
                inside = relative.relative_to(candidate).as_posix() if candidate != relative else ""
                return f"{candidate.as_posix()}.dvc", str(out.get("md5", "")), inside
    lock = load("dvc.lock")
    stages = lock.get("stages") if isinstance(lock, dict) else None
    for stage in (stages or {}).values():
        for out in _outs(stage):
            if Path(out["path"]) == relative:
                return "dvc.lock", str(out.get("md5", "")), ""
    return None


def _cache_object(root: Path, md5: str) -> Path:
    """Where DVC 3's local cache keeps the object of hash `md5` (a file, or a `.dir` listing)."""
    return root / ".dvc" / "cache" / "files" / "md5" / md5[:2] / md5[2:]


def _cached_listing(root: Path, dir_md5: str) -> dict[str, str] | None:
    """relpath -> md5 of a tracked folder, from the `.dir` object in the local DVC cache."""
    listing = _cache_object(root, dir_md5)
    try:
        entries = json.loads(listing.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return {e["relpath"]: e["md5"] for e in entries if isinstance(e, dict) and "relpath" in e}


def _git(root: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, check=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip()


def _rev(root: Path, dvc_file: str) -> tuple[str, bool]:
    """The commit that last changed `dvc_file`, and whether the file differs from it."""
    rev = _git(root, "log", "-1", "--format=%H", "--", dvc_file) or ""
    changed = _git(root, "status", "--porcelain", "--", dvc_file)
    return rev, bool(changed) or not rev


def describe(path: str | Path, root: str | Path | None = None) -> DataVersion:
    """The data version of `path` (relative to `root`, default the project root) as it is now.

    Raises FileNotFoundError when the data is not there (`dvc pull` fetches tracked data)."""
    root = Path(root) if root is not None else project_root()
    root = root.resolve()
    full = (root / path).resolve()
    if not full.exists():
        raise FileNotFoundError(
            f"data not found: {full} (`dvc pull` fetches data that DVC tracks, if it does)"
        )
    md5 = folder_md5(full) if full.is_dir() else file_md5(full)
    try:
        relative = full.relative_to(root)
    except ValueError:  # outside the project: DVC cannot track it here
        return DataVersion(str(full), md5, "untracked")
    found = _find_entry(root, relative)
    if found is None:
        return DataVersion(relative.as_posix(), md5, "untracked")
    dvc_file, recorded, inside = found
    rev, changed = _rev(root, dvc_file)
    if inside:  # a file in a tracked folder: compare with the folder's listing
        listing = _cached_listing(root, recorded)
        expected = None if listing is None else listing.get(inside)
        if listing is None:
            state = "unchecked"
        else:
            state = "modified" if expected != md5 else ("uncommitted" if changed else "committed")
        return DataVersion(relative.as_posix(), md5, state, dvc_file, expected or recorded, rev)
    state = "modified" if recorded != md5 else ("uncommitted" if changed else "committed")
    return DataVersion(relative.as_posix(), md5, state, dvc_file, recorded, rev)


def record(path: str | Path, folder: str | Path, root: str | Path | None = None) -> DataVersion:
    """`describe(path)`, written to `folder/data_version.json` (next to what was made from the
    data, so a later task on another worker tags its run with what this one read)."""
    return _write(replace(describe(path, root), read="workspace"), folder)


def _write(version: DataVersion, folder: str | Path) -> DataVersion:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / FILE_NAME).write_text(json.dumps(asdict(version), indent=2), encoding="utf-8")
    return version


def _git_loader(root: Path, commit: str) -> Callable[[str], Any]:
    """Reads a file of the repository as committed in `commit`, as YAML (None when absent)."""

    def load(name: str) -> Any:
        import yaml

        text = _git(root, "show", f"{commit}:{name}")
        try:
            return None if text is None else yaml.safe_load(text)
        except yaml.YAMLError:
            return None

    return load


@contextmanager
def open_recorded(
    path: str | Path, folder: str | Path, rev: str | None = None, root: str | Path | None = None
) -> Iterator[tuple[DataVersion, IO[bytes]]]:
    """Open (binary) the version of `path` that the repository records, never the working copy:
    the DVC entry tracking it as committed at git revision `rev` (a commit, branch or tag), or,
    without `rev`, the entry as it is in the working tree (state `committed` or `uncommitted`).
    The bytes come from DVC's local cache, else through `open_pinned` (`dvc.api`: the cache or
    the DVC remote; needs the extra `dvc` and a commit). Writes the version to
    `folder/data_version.json` as `record()` does, with `read="pinned"`. Data no DVC entry
    tracks (no `rev` given) is the working copy, recorded `untracked` with `read="workspace"`.

    Raises ValueError when `rev` is no commit or does not track `path`, FileNotFoundError when
    neither the cache nor the remote has the bytes."""
    root = (Path(root) if root is not None else project_root()).resolve()
    full = (root / path).resolve()
    try:
        relative = full.relative_to(root)
    except ValueError:
        relative = None
    if rev:
        commit = _git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
        if not commit:
            raise ValueError(f"data revision {rev!r} is not a commit of {root} (see git log)")
        found = _find_entry(root, relative, _git_loader(root, commit)) if relative else None
        if found is None:
            raise ValueError(f"{path} is not tracked by DVC at {rev}: no .dvc or dvc.lock entry")
        entry_rev = _git(root, "log", "-1", "--format=%H", commit, "--", found[0]) or commit
        state = "committed"
    else:
        found = _find_entry(root, relative) if relative else None
        if found is None:  # not under DVC: the working copy is all there is
            version = _write(replace(describe(full, root), read="workspace"), folder)
            with full.open("rb") as handle:
                yield version, handle
            return
        entry_rev, changed = _rev(root, found[0])
        state, commit = ("uncommitted", "") if changed else ("committed", entry_rev)
    dvc_file, recorded, inside = found
    md5 = recorded
    if inside:  # a file in a tracked folder: its hash is in the folder's listing
        md5 = (_cached_listing(root, recorded) or {}).get(inside, "")
    cached = _cache_object(root, md5) if md5 else None
    if cached is not None and cached.is_file():
        version = DataVersion(relative.as_posix(), md5, state, dvc_file, md5, entry_rev, "pinned")
        _write(version, folder)
        with cached.open("rb") as handle:
            yield version, handle
        return
    if not commit:
        raise FileNotFoundError(
            f"{relative} ({dvc_file}, not committed): md5 {md5 or recorded} is not in the DVC "
            "cache; commit the .dvc file and push the data where it was added (make data-push)"
        )
    with tempfile.TemporaryDirectory(prefix="pinned-") as scratch:
        copy = Path(scratch) / relative.name
        digest = hashlib.md5(usedforsecurity=False)
        pinned = open_pinned(relative.as_posix(), rev=commit, repo=str(root), mode="rb")
        with pinned as source, copy.open("wb") as target:
            while chunk := source.read(_CHUNK):
                digest.update(chunk)
                target.write(chunk)
        got = digest.hexdigest()
        if md5 and got != md5:
            raise ValueError(
                f"{relative} at {rev or commit[:12]}: read md5 {got}, {dvc_file} says {md5}"
            )
        version = DataVersion(relative.as_posix(), got, state, dvc_file, got, entry_rev, "pinned")
        _write(version, folder)
        with copy.open("rb") as handle:
            yield version, handle


def load(folder: str | Path) -> DataVersion | None:
    """The version `record()` wrote into `folder`; None when it wrote none (generated data)."""
    try:
        raw = json.loads((Path(folder) / FILE_NAME).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return DataVersion(**{k: str(raw.get(k, "")) for k in DataVersion.__dataclass_fields__})


def open_pinned(
    path: str, rev: str | None = None, repo: str | None = None, mode: str = "r"
) -> IO[Any]:
    """Open `path` as it was at git revision `rev` of `repo` (default: the project), through
    `dvc.api.open` (extra `dvc`): the data comes from the DVC cache or remote, not the working
    copy. A context manager, like `open()`."""
    try:
        import dvc.api
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError(
            "reading a pinned data version needs DVC: pip install 'mlops-scaffold-runtime[dvc]'"
        ) from exc
    os.environ.setdefault("DVC_NO_ANALYTICS", "1")
    return dvc.api.open(path, repo=repo or str(project_root()), rev=rev, mode=mode)

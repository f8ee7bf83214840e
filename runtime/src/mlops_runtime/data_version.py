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
`open_pinned()` reads a path at a git revision through `dvc.api` (extra `dvc`), for an ingest
step that must read a pinned version rather than the working copy.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from dataclasses import asdict, dataclass
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

    def tags(self) -> dict[str, str]:
        """MLflow tags for a run or model version: `lineage.data_version` (the hash), and
        `lineage.data_path`, `_state`, `_dvc_file`, `_dvc_rev`."""
        return {
            "lineage.data_version": self.md5,
            "lineage.data_path": self.path,
            "lineage.data_state": self.state,
            "lineage.data_dvc_file": self.dvc_file,
            "lineage.data_dvc_rev": self.rev,
        }

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


def _find_entry(root: Path, relative: Path) -> tuple[str, str, str] | None:
    """(dvc file, recorded md5, path inside a tracked folder or "") of the DVC entry tracking
    `relative`: its own `.dvc` file, a `.dvc` file of a folder above it, or `dvc.lock`."""
    for candidate in (relative, *relative.parents):
        if candidate == Path("."):
            break
        dvc_file = root / f"{candidate}.dvc"
        if not dvc_file.is_file():
            continue
        for out in _outs(_load_yaml(dvc_file)):
            if (dvc_file.parent / out["path"]).resolve() == (root / candidate).resolve():
                inside = relative.relative_to(candidate).as_posix() if candidate != relative else ""
                return f"{candidate}.dvc", str(out.get("md5", "")), inside
    lock = _load_yaml(root / "dvc.lock")
    stages = lock.get("stages") if isinstance(lock, dict) else None
    for stage in (stages or {}).values():
        for out in _outs(stage):
            if Path(out["path"]) == relative:
                return "dvc.lock", str(out.get("md5", "")), ""
    return None


def _cached_listing(root: Path, dir_md5: str) -> dict[str, str] | None:
    """relpath -> md5 of a tracked folder, from the `.dir` object in the local DVC cache."""
    name = dir_md5.removesuffix(".dir")
    listing = root / ".dvc" / "cache" / "files" / "md5" / name[:2] / f"{name[2:]}.dir"
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
    version = describe(path, root)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / FILE_NAME).write_text(json.dumps(asdict(version), indent=2), encoding="utf-8")
    return version


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

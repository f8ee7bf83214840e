"""What an upgrade that brings DVC (level 0 -> 1, answer `data_versioning: dvc`) says about the
team's data: where it is, and the commands that put it under DVC. The upgrade itself never
moves, rewrites or re-tracks a data file: git keeps what it tracks until the team runs them.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from scaffolder import gitops

DATA_DIR = "data"
MAX_NAMED = 5
# Data files worth a DVC entry; code and notes in data/ stay in git.
DATA_SUFFIXES = (".csv", ".parquet", ".json", ".jsonl", ".tsv", ".feather", ".pkl", ".npz",
                 ".npy", ".xlsx", ".txt", ".zip", ".gz", ".h5", ".arrow", ".avro")  # fmt: skip


def _untracked_data(repo: Path, tracked: set[str]) -> list[str]:
    """Data files under data/ that git does not track (regular files, no links), sorted."""
    found = []
    root = repo / DATA_DIR
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = Path(folder) / name
            relative = path.relative_to(repo).as_posix()
            if name.endswith(DATA_SUFFIXES) and relative not in tracked and not path.is_symlink():
                found.append(relative)
        if len(found) > 200:
            break
    return found


def _named(paths: list[str]) -> str:
    shown = ", ".join(paths[:MAX_NAMED])
    return shown + (f" and {len(paths) - MAX_NAMED} more" if len(paths) > MAX_NAMED else "")


def data_files(repo: Path) -> tuple[list[str], list[str]] | None:
    """(data files under data/ git does not track, those it tracks); None when the team already
    versions data with DVC (a `.dvc` file in git)."""
    tracked = gitops.tracked_files(repo)
    if any(p.endswith(".dvc") for p in tracked):
        return None
    in_git = sorted(
        p for p in tracked if p.startswith(f"{DATA_DIR}/") and p.endswith(DATA_SUFFIXES)
    )
    return _untracked_data(repo, tracked), in_git


def dvc_notes(repo: Path, from_level: int, to_level: int, data_versioning: str | None) -> list[str]:
    """The notes for an upgrade step from `from_level` to `to_level` (none unless it brings DVC
    to a project that has no DVC-tracked data yet)."""
    if not (from_level < 1 <= to_level and data_versioning == "dvc"):
        return []
    found = data_files(repo)
    if found is None:
        return []  # the team already versions data with DVC
    loose, in_git = found
    notes = [
        "data: this level versions the training data with DVC (.dvc/config, dvc.yaml, make data, "
        "make data-push); your data was not moved, rewritten or re-tracked"
    ]
    if loose:
        files = " ".join(shlex.quote(p) for p in loose[:MAX_NAMED])
        notes.append(
            f"data: {_named(loose)} {'is' if len(loose) == 1 else 'are'} not in git; after "
            f"`make setup`, `.venv/bin/dvc add {files}` puts {'it' if len(loose) == 1 else 'them'} "
            "under DVC (`make data` does it for data/raw/sample.csv); commit the .dvc files and "
            "data/raw/.gitignore, then `make data-push`"
        )
    if in_git:
        files = " ".join(shlex.quote(p) for p in in_git[:MAX_NAMED])
        notes.append(
            f"data: git tracks {_named(in_git)}; DVC takes a file over only when you say so: "
            f"`git rm --cached {files} && .venv/bin/dvc add {files}`, then commit the .dvc files "
            "(the data stays in git history; `make data-push` stores it in the DVC remote)"
        )
    if loose or in_git:
        notes.append(
            "data: or, after `make setup`, `mlops-scaffold upgrade --to 1 --track-data` runs "
            "these commands and commits the .dvc files for you"
        )
    if not loose and not in_git:
        notes.append(
            "data: no data files under data/ yet; `make data` (after `make setup`) writes the "
            "sample to data/raw/sample.csv and puts it under DVC"
        )
    return notes

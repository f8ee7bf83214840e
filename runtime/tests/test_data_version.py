"""mlops_runtime.data_version: the data version a run trained on, read from .dvc files,
dvc.lock, DVC's cache and git, with no DVC installed."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest
from mlops_runtime import data_version

GIT = ["git", "-c", "user.name=T", "-c", "user.email=t@example.org"]


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        [*GIT, *args], cwd=root, capture_output=True, text=True, check=True
    ).stdout.strip()


def _md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    _git(tmp_path, "init", "-q")
    (tmp_path / "data" / "raw").mkdir(parents=True)
    return tmp_path


def _track(root: Path, relative: str, md5: str) -> Path:
    """Write the .dvc file `dvc add` would write for `relative`."""
    path = root / f"{relative}.dvc"
    path.write_text(f"outs:\n- md5: {md5}\n  size: 1\n  hash: md5\n  path: {Path(relative).name}\n")
    return path


def test_untracked_data_is_its_content_hash(repo):
    (repo / "data/raw/x.csv").write_bytes(b"a,b\n1,2\n")
    version = data_version.describe("data/raw/x.csv", repo)
    assert version == data_version.DataVersion("data/raw/x.csv", _md5(b"a,b\n1,2\n"), "untracked")


def test_a_dvc_file_gives_state_and_the_commit_that_last_changed_it(repo):
    data = repo / "data/raw/x.csv"
    data.write_bytes(b"a,b\n1,2\n")
    _track(repo, "data/raw/x.csv", _md5(b"a,b\n1,2\n"))
    assert data_version.describe(data, repo).state == "uncommitted"  # never committed
    _git(repo, "add", "data/raw/x.csv.dvc")
    _git(repo, "commit", "-qm", "data")
    rev = _git(repo, "rev-parse", "HEAD")
    _git(repo, "commit", "-q", "--allow-empty", "-m", "later, unrelated")
    version = data_version.describe(data, repo)
    assert (version.state, version.rev, version.dvc_file) == (
        "committed",
        rev,
        "data/raw/x.csv.dvc",
    )
    assert version.md5 == version.dvc_md5 == _md5(b"a,b\n1,2\n")

    data.write_bytes(b"a,b\n1,3\n")  # a changed row, not yet `dvc add`ed
    changed = data_version.describe(data, repo)
    assert (changed.state, changed.md5, changed.dvc_md5) == (
        "modified", _md5(b"a,b\n1,3\n"), _md5(b"a,b\n1,2\n")
    )  # fmt: skip
    _track(repo, "data/raw/x.csv", _md5(b"a,b\n1,3\n"))  # `dvc add`, not committed
    assert data_version.describe(data, repo).state == "uncommitted"


def test_a_file_inside_a_tracked_folder_is_checked_against_the_cached_listing(repo):
    folder = repo / "data" / "raw"
    (folder / "x.csv").write_bytes(b"1\n")
    (folder / "sub").mkdir()
    (folder / "sub" / "y.csv").write_bytes(b"22\n")
    dir_md5 = data_version.folder_md5(folder)
    listing = [
        {"md5": _md5(b"22\n"), "relpath": "sub/y.csv"},
        {"md5": _md5(b"1\n"), "relpath": "x.csv"},
    ]
    # DVC's folder hash is the MD5 of this listing; measured against `dvc add` 3.67.
    assert dir_md5 == _md5(json.dumps(listing, sort_keys=True).encode()) + ".dir"
    _track(repo, "data/raw", dir_md5)
    assert data_version.describe("data/raw/sub/y.csv", repo).state == "unchecked"  # no cache
    cache = repo / ".dvc/cache/files/md5" / dir_md5[:2]
    cache.mkdir(parents=True)
    (cache / dir_md5[2:]).write_text(json.dumps(listing))
    inside = data_version.describe("data/raw/sub/y.csv", repo)
    assert (inside.state, inside.dvc_file, inside.dvc_md5) == (
        "uncommitted", "data/raw.dvc", _md5(b"22\n")
    )  # fmt: skip
    whole = data_version.describe("data/raw", repo)
    assert (whole.md5, whole.state) == (dir_md5, "uncommitted")
    (folder / "sub" / "y.csv").write_bytes(b"23\n")
    assert data_version.describe("data/raw/sub/y.csv", repo).state == "modified"
    assert data_version.describe("data/raw", repo).state == "modified"


def test_a_stage_output_in_dvc_lock(repo):
    (repo / "data/raw/x.csv").write_bytes(b"z\n")
    (repo / "dvc.lock").write_text(
        "schema: '2.0'\nstages:\n  download:\n    cmd: get\n    outs:\n"
        f"    - path: data/raw/x.csv\n      hash: md5\n      md5: {_md5(b'z' + bytes([10]))}\n"
    )
    version = data_version.describe("data/raw/x.csv", repo)
    assert (version.dvc_file, version.state) == ("dvc.lock", "uncommitted")


def test_record_and_load_carry_the_version_between_tasks(repo, tmp_path_factory):
    (repo / "data/raw/x.csv").write_bytes(b"q\n")
    folder = tmp_path_factory.mktemp("split")
    written = data_version.record("data/raw/x.csv", folder, repo)
    assert data_version.load(folder) == written
    assert data_version.load(tmp_path_factory.mktemp("none")) is None
    tags = written.tags()
    assert tags["lineage.data_version"] == _md5(b"q\n")
    assert set(tags) == {
        "lineage.data_version", "lineage.data_path", "lineage.data_state",
        "lineage.data_dvc_file", "lineage.data_dvc_rev",
    }  # fmt: skip
    assert "untracked" in written.summary()


def test_missing_data_names_the_way_out(repo):
    with pytest.raises(FileNotFoundError, match="dvc pull"):
        data_version.describe("data/raw/nope.csv", repo)


def test_lineage_tags_copy_the_data_version_to_the_model_version():
    from types import SimpleNamespace

    from mlops_runtime.records import lineage_tags

    run = SimpleNamespace(
        data=SimpleNamespace(
            tags={"lineage.git_commit": "abc", "lineage.data_version": "f00", "other": "x"}
        ),
        info=SimpleNamespace(run_id="r1"),
    )
    cfg = SimpleNamespace(
        model=SimpleNamespace(type="t", params={}), data=SimpleNamespace(seed=1, test_size=0.2)
    )
    tags = lineage_tags(run, "m1", cfg)
    assert tags["lineage.data_version"] == "f00" and "other" not in tags

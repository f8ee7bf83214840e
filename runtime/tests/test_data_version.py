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
        "lineage.data_dvc_file", "lineage.data_dvc_rev", "lineage.data_read",
    }  # fmt: skip
    assert tags["lineage.data_read"] == "workspace"  # make train reads the working copy
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


def _cache(root: Path, data: bytes) -> str:
    """Put `data` into DVC 3's local cache, as `dvc add` does; its md5."""
    md5 = _md5(data)
    obj = root / ".dvc/cache/files/md5" / md5[:2] / md5[2:]
    obj.parent.mkdir(parents=True, exist_ok=True)
    obj.write_bytes(data)
    return md5


def _read(
    root: Path, folder: Path, rev: str | None = None
) -> tuple[data_version.DataVersion, bytes]:
    with data_version.open_recorded("data/raw/x.csv", folder, rev, root) as (version, handle):
        content = handle.read()
    assert data_version.load(folder) == version  # recorded for the train step, as record() does
    return version, content


def test_an_ingest_reads_the_version_the_repository_records_not_the_working_copy(repo, tmp_path):
    data = repo / "data/raw/x.csv"
    data.write_bytes(b"v1\n")
    _track(repo, "data/raw/x.csv", _cache(repo, b"v1\n"))  # `dvc add`, not committed yet
    version, content = _read(repo, tmp_path / "a")
    assert content == b"v1\n"
    assert (version.state, version.rev, version.read) == ("uncommitted", "", "pinned")
    _git(repo, "add", "data/raw/x.csv.dvc")
    _git(repo, "commit", "-qm", "v1")
    rev1 = _git(repo, "rev-parse", "HEAD")

    data.write_bytes(b"edited in place\n")  # the working copy drifts; the entry does not
    version, content = _read(repo, tmp_path / "b")
    assert content == b"v1\n" and version.md5 == _md5(b"v1\n")
    assert (version.state, version.rev, version.dvc_file) == (
        "committed",
        rev1,
        "data/raw/x.csv.dvc",
    )
    assert version.tags()["lineage.data_read"] == "pinned"

    data.write_bytes(b"v2\n")
    _track(repo, "data/raw/x.csv", _cache(repo, b"v2\n"))
    _git(repo, "commit", "-qam", "v2")
    rev2 = _git(repo, "rev-parse", "HEAD")
    _git(repo, "commit", "-q", "--allow-empty", "-m", "later, unrelated")
    # A run record's revision reads its bytes again; without one, the newest entry.
    old, content = _read(repo, tmp_path / "e", rev1[:10])
    assert (content, old.rev, old.state) == (b"v1\n", rev1, "committed")
    new, content = _read(repo, tmp_path / "f", "HEAD")
    assert (content, new.rev) == (b"v2\n", rev2)
    assert _read(repo, tmp_path / "g")[1] == b"v2\n"


def test_a_pinned_read_fails_in_one_line_when_it_cannot_be_pinned(repo, tmp_path):
    (repo / "data/raw/x.csv").write_bytes(b"v1\n")
    _git(repo, "commit", "-q", "--allow-empty", "-m", "nothing tracked yet")
    with pytest.raises(ValueError, match="'nope' is not a commit"):
        _read(repo, tmp_path, "nope")
    with pytest.raises(ValueError, match="not tracked by DVC at HEAD"):
        _read(repo, tmp_path, "HEAD")
    # Not under DVC and no revision asked for: the working copy, and the record says so.
    version, content = _read(repo, tmp_path)
    assert (content, version.state, version.read) == (b"v1\n", "untracked", "workspace")
    # Tracked but neither cached nor committed: nowhere to read the recorded bytes from.
    _track(repo, "data/raw/x.csv", _md5(b"v1\n"))
    with pytest.raises(FileNotFoundError, match="not in the DVC cache.*make data-push"):
        _read(repo, tmp_path / "x")


def test_a_committed_entry_missing_from_the_cache_is_read_through_dvc_and_checked(
    repo, tmp_path, monkeypatch
):
    _track(repo, "data/raw/x.csv", _md5(b"v1\n"))
    _git(repo, "add", "data/raw/x.csv.dvc")
    _git(repo, "commit", "-qm", "v1")
    rev = _git(repo, "rev-parse", "HEAD")
    calls = []

    def fake_open_pinned(path, rev=None, repo=None, mode="r"):  # dvc.api: cache or remote
        import io
        from contextlib import nullcontext

        calls.append((path, rev, mode))
        return nullcontext(io.BytesIO(served))

    monkeypatch.setattr(data_version, "open_pinned", fake_open_pinned)
    served = b"v1\n"
    version, content = _read(repo, tmp_path / "a")
    assert content == b"v1\n" and calls == [("data/raw/x.csv", rev, "rb")]
    assert (version.md5, version.state, version.rev) == (_md5(b"v1\n"), "committed", rev)
    served = b"tampered\n"
    with pytest.raises(ValueError, match="read md5 .* says"):
        _read(repo, tmp_path / "b")

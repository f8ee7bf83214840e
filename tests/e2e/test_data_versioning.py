"""Data versioning with DVC in a level-1 project, run for real: every training run records the
version of the data it read (the DVC hash, the .dvc file and the commit that last changed it)
on its MLflow run and model version; a changed row is a new version; the same bytes, pushed to
the DVC remote, wiped and pulled back, are the same version; `make repro` (dvc.yaml) is a
third runner of the same steps."""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import REPO, generate, make, run
from tests.e2e.mlflow_records import mlflow_store

pytestmark = pytest.mark.e2e

GIT = ["git", "-c", "user.name=Data Scientist", "-c", "user.email=ds@example.org"]
DATA = Path("data/raw/sample.csv")


def _commit(project: Path, message: str, *paths: str) -> str:
    run(["git", "add", "--", *paths], project)
    run([*GIT, "commit", "-qm", message], project)
    return run(["git", "rev-parse", "HEAD"], project).stdout.strip()


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()


def test_level1_training_records_the_dvc_data_version(tmp_path, venv):
    project = generate(tmp_path, "e2e-dvc", "--level", "1", "--orchestrator", "airflow")
    # The shared venv has every dependency; the package itself is imported from src/ (the
    # other level-1 tests run `make setup`), which keeps this test's time to its DVC steps.
    env = {"PYTHONPATH": str(project / "src"), "DVC_NO_ANALYTICS": "1"}
    dvc = venv / "bin" / "dvc"
    expected = []  # (data version, state, .dvc commit) of each run, in order

    # `make data` writes the sample and puts it under DVC; committed, the first training
    # records its hash and the commit of its .dvc file (the states `uncommitted` and `modified`
    # are the runtime's unit tests: runtime/tests/test_data_version.py).
    first = make(project, "data", venv, **env).stdout
    assert f"DVC tracks {DATA} now" in first, first
    dvc_file = project / f"{DATA}.dvc"
    assert dvc_file.is_file() and (project / "data/raw/.gitignore").is_file()
    v1 = _md5(project / DATA)
    assert v1 in dvc_file.read_text()
    rev1 = _commit(project, "Track the sample with DVC", f"{DATA}.dvc", "data/raw/.gitignore")
    make(project, "train", venv, **env)
    expected.append((v1, "committed", rev1))

    # One row changed, `dvc add`ed and committed: a new version.
    lines = (project / DATA).read_text().splitlines(keepends=True)
    features, _, label = lines[1].rstrip("\n").rpartition(",")  # the label is the last column
    lines[1] = f"{features},{1 - int(label)}\n"
    (project / DATA).write_text("".join(lines))
    v2 = _md5(project / DATA)
    assert v2 != v1
    run([dvc, "add", "-q", DATA], project, env)
    rev2 = _commit(project, "One corrected row", f"{DATA}.dvc")
    make(project, "train", venv, **env)
    expected.append((v2, "committed", rev2))

    # Pushed to the DVC remote, data and cache wiped, pulled back: the same version.
    make(project, "data-push", venv, **env)
    assert any((project / "dvc-storage").rglob("*")), "nothing reached the local remote"
    (project / DATA).unlink()
    shutil.rmtree(project / ".dvc" / "cache")
    make(project, "data-pull", venv, **env)
    assert _md5(project / DATA) == v2
    make(project, "train", venv, **env)
    expected.append((v2, "committed", rev2))

    # dvc.yaml runs the same steps: the run says it came from DVC and read the same version.
    make(project, "repro", venv, **env)
    assert (project / "dvc.lock").is_file() and v2 in (project / "dvc.lock").read_text()
    status = run([dvc, "status"], project, env).stdout
    assert "up to date" in status, status
    expected.append((v2, "committed", rev2))

    store = mlflow_store(project, venv, "e2e_dvc")
    recorded = [
        (t["lineage.data_version"], t["lineage.data_state"], t["lineage.data_dvc_rev"])
        for t in (r["tags"] for r in store["runs"])
    ]
    assert recorded == expected
    assert {r["tags"]["lineage.data_dvc_file"] for r in store["runs"]} == {f"{DATA}.dvc"}
    assert [r["tags"]["lineage.orchestrator"] for r in store["runs"]] == ["local"] * 3 + ["dvc"]
    # Every model version carries its run's data version, and its description names it.
    assert len(store["versions"]) == len(expected)
    for version, (md5, state, rev) in zip(store["versions"], expected, strict=True):
        tags = version["tags"]
        assert (tags["lineage.data_version"], tags["lineage.data_state"]) == (md5, state)
        assert tags["lineage.data_dvc_rev"] == rev and md5 in version["description"]


def test_upgrade_track_data_puts_the_teams_data_under_dvc_with_their_consent(tmp_path, venv):
    """`upgrade --to 1 --track-data` on a level-0 project with data: the upgrade lands, then
    the real DVC takes the data over in one more commit; the bytes stay as they were."""
    project = generate(tmp_path, "e2e-track", "--level", "0")
    (project / "data" / "raw").mkdir(parents=True, exist_ok=True)
    loose, in_git = project / "data/raw/events.csv", project / "data/labels.csv"
    loose.write_text("id,value\n1,0.5\n2,0.7\n")  # git-ignored at level 0
    in_git.write_text("id,label\n1,0\n2,1\n")
    run(["git", "add", "--force", "data/labels.csv"], project)
    run([*GIT, "commit", "-qm", "our labels"], project)
    labels_commit = run(["git", "rev-parse", "HEAD"], project).stdout.strip()
    before = {p: p.read_bytes() for p in (loose, in_git)}
    env = {"PATH": f"{venv / 'bin'}:{os.environ['PATH']}", "DVC_NO_ANALYTICS": "1"}
    cli = [sys.executable, "-m", "scaffolder", "upgrade", project, "--to", "1", "--defaults"]
    out = run([*cli, "--track-data"], REPO, env).stderr
    assert "DVC tracks data/raw/events.csv, data/labels.csv now" in " ".join(out.split()), out
    for path, data in before.items():  # byte for byte
        assert path.read_bytes() == data, path
    assert run(["git", "log", "-1", "--format=%s"], project).stdout.strip() == (
        "mlops-scaffold: data under DVC (upgrade --track-data)"
    )
    # The index as the design says: the .dvc files and DVC's ignore rules committed, the
    # labels out of the index (their history stays in git), nothing left uncommitted.
    files = run(["git", "ls-files", "data"], project).stdout.split()
    assert {"data/raw/events.csv.dvc", "data/labels.csv.dvc", "data/.gitignore"} <= set(files)
    assert "data/labels.csv" not in files and "data/raw/events.csv" not in files
    assert run(["git", "status", "--porcelain"], project).stdout == ""
    assert run(["git", "show", f"{labels_commit}:data/labels.csv"], project).stdout == (
        before[in_git].decode()
    )
    for path, data in before.items():
        assert _md5_bytes(data) in (project / f"{path.relative_to(project)}.dvc").read_text()
    dvc_files = ["data/raw/events.csv.dvc", "data/labels.csv.dvc"]  # (dvc.yaml never ran here)
    status = run([venv / "bin" / "dvc", "status", *dvc_files], project, env).stdout
    assert "up to date" in status, status
    # Nothing more to take over: a second run says so and changes nothing.
    head = run(["git", "rev-parse", "HEAD"], project).stdout.strip()
    again = run([*cli, "--track-data"], REPO, env).stderr
    assert "already tracks data" in again and "Up to date at level 1" in again, again
    assert run(["git", "rev-parse", "HEAD"], project).stdout.strip() == head


def _md5_bytes(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()

"""Data versioning with DVC in a level-1 project, run for real: every training run records the
version of the data it read (the DVC hash, the .dvc file and the commit that last changed it)
on its MLflow run and model version; a changed row is a new version; the same bytes, pushed to
the DVC remote, wiped and pulled back, are the same version; `make repro` (dvc.yaml) is a
third runner of the same steps."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from tests.e2e.conftest import generate, make, run
from tests.e2e.mlflow_records import mlflow_store

pytestmark = pytest.mark.e2e

GIT = ["git", "-c", "user.name=Data Scientist", "-c", "user.email=ds@example.org"]
DATA = Path("data/raw/sample.csv")


def _commit(project: Path, message: str, *paths: str) -> str:
    run(["git", "add", "--", *paths], project)
    run([*GIT, "commit", "-qm", message], project)
    return run(["git", "rev-parse", "HEAD"], project).stdout.strip()


def _latest(project: Path, venv: Path) -> tuple[dict, dict]:
    """The newest run's tags and the newest model version's tags."""
    store = mlflow_store(project, venv, "e2e_dvc")
    return store["runs"][-1]["tags"], store["versions"][-1]


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()


def test_level1_training_records_the_dvc_data_version(tmp_path, venv):
    project = generate(tmp_path, "e2e-dvc", "--level", "1", "--orchestrator", "airflow")
    make(project, "setup", venv)

    # First training: `make data` writes the sample and puts it under DVC; nothing committed.
    first = make(project, "train", venv).stdout
    assert f"DVC tracks {DATA} now" in first, first
    dvc_file = project / f"{DATA}.dvc"
    assert dvc_file.is_file() and (project / "data/raw/.gitignore").is_file()
    tags, _ = _latest(project, venv)
    v1 = _md5(project / DATA)
    assert tags["lineage.data_version"] == v1 and v1 in dvc_file.read_text()
    assert tags["lineage.data_state"] == "uncommitted" and tags["lineage.data_dvc_rev"] == ""

    # Committed: the run and the model version name the commit of the .dvc file.
    rev1 = _commit(project, "Track the sample with DVC", f"{DATA}.dvc", "data/raw/.gitignore")
    make(project, "train", venv)
    tags, version = _latest(project, venv)
    assert (tags["lineage.data_version"], tags["lineage.data_state"]) == (v1, "committed")
    assert tags["lineage.data_dvc_rev"] == rev1 and tags["lineage.data_dvc_file"] == f"{DATA}.dvc"
    for key in ("lineage.data_version", "lineage.data_dvc_rev", "lineage.data_state"):
        assert version["tags"][key] == tags[key], (key, version["tags"])
    assert v1 in version["description"], version["description"]

    # One row changed: uncommitted to DVC it is `modified`; `dvc add` + commit is a new version.
    lines = (project / DATA).read_text().splitlines(keepends=True)
    features, _, label = lines[1].rstrip("\n").rpartition(",")  # the label is the last column
    lines[1] = f"{features},{1 - int(label)}\n"
    (project / DATA).write_text("".join(lines))
    make(project, "train", venv)
    tags, _ = _latest(project, venv)
    v2 = _md5(project / DATA)
    assert v2 != v1 and tags["lineage.data_version"] == v2
    assert tags["lineage.data_state"] == "modified"
    run([venv / "bin/dvc", "add", "-q", DATA], project, {"DVC_NO_ANALYTICS": "1"})
    rev2 = _commit(project, "One corrected row", f"{DATA}.dvc")
    make(project, "train", venv)
    tags, _ = _latest(project, venv)
    assert (tags["lineage.data_version"], tags["lineage.data_state"]) == (v2, "committed")
    assert tags["lineage.data_dvc_rev"] == rev2 != rev1

    # Pushed to the DVC remote, data and cache wiped, pulled back: the same version.
    make(project, "data-push", venv)
    assert any((project / "dvc-storage").rglob("*")), "nothing reached the local remote"
    (project / DATA).unlink()
    shutil.rmtree(project / ".dvc" / "cache")
    make(project, "data-pull", venv)
    assert _md5(project / DATA) == v2
    make(project, "train", venv)
    tags, _ = _latest(project, venv)
    assert (tags["lineage.data_version"], tags["lineage.data_dvc_rev"]) == (v2, rev2)
    assert tags["lineage.data_state"] == "committed"

    # dvc.yaml runs the same steps: the run says it came from DVC and read the same version.
    make(project, "repro", venv)
    tags, _ = _latest(project, venv)
    assert tags["lineage.orchestrator"] == "dvc" and tags["lineage.data_version"] == v2
    assert (project / "dvc.lock").is_file() and v2 in (project / "dvc.lock").read_text()
    status = run([venv / "bin/dvc", "status"], project, {"DVC_NO_ANALYTICS": "1"}).stdout
    assert "up to date" in status, status

"""m0007: a project made by templates 2.1.0 upgrades to 2.2.0; its untouched DVC stage runner
becomes a binding of `mlops_runtime.dvc_stages`, an adopted package's serving app one of
`mlops_runtime.serving.signature`; an edited one is kept as `<file>.team-edit` and reported with
the command that compares it with the runtime."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from scaffolder.catalog import Catalog, builtin_catalog
from scaffolder.new import NewRequest, create_project
from scaffolder.state import load_state
from scaffolder.upgrade.adopt import adopt
from scaffolder.upgrade.apply import UpgradeRequest, upgrade
from scaffolder.upgrade.migrations.m0007_stages_and_adopted_serving_to_runtime import (
    is_applied,
    moved,
)

from ..helpers import commit, git
from ..test_adopt import team_package_repo

REPO = Path(__file__).resolve().parents[3]
# The last commit whose templates held the stage runner's own code (release 2.1.0).
BEFORE_MOVE = "205a9e9"
STAGES = "src/churn/pipeline/stages.py"


@pytest.fixture(scope="module")
def old_catalog(tmp_path_factory) -> Catalog:
    folder = tmp_path_factory.mktemp("templates-2.1.0")
    archive = subprocess.run(
        ["git", "archive", BEFORE_MOVE, "templates"], cwd=REPO, capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return Catalog(root=folder / "templates", version="2.1.0")


def _old_project(tmp_path: Path, catalog: Catalog, level: int) -> Path:
    request = NewRequest(
        name="churn", output_dir=tmp_path, given={"level": level, "orchestrator": "airflow"},
        defaults=True,
    )  # fmt: skip
    return create_project(request, catalog=catalog).path


@pytest.mark.parametrize("edited", [False, True])
def test_the_stage_runner_becomes_a_binding_and_an_edited_one_is_kept(
    tmp_path, old_catalog, edited
):
    repo = _old_project(tmp_path, old_catalog, level=1 if edited else 2)
    state = load_state(repo)
    assert moved(state) == [STAGES] and not is_applied(repo, state)
    runner = repo / STAGES
    old = runner.read_text()
    ours = old.replace('OUT = Path("artifacts") / "dvc"', 'OUT = Path("build") / "dvc"')
    if edited:
        assert ours != old
        runner.write_text(ours)
        commit(repo)

    result = upgrade(UpgradeRequest(path=repo, to=state.level, defaults=True),
                     catalog=builtin_catalog())  # fmt: skip
    assert result.conflicts == [], result.conflicts
    state = load_state(repo)
    assert "m0007" in state.migrations and is_applied(repo, state)
    assert "dvc_stages.main(steps)" in runner.read_text()
    kept = repo / (STAGES + ".team-edit")
    said = "\n".join(result.notes)
    if edited:
        assert kept.read_text() == ours
        assert f"python -m mlops_runtime.compare {STAGES}.team-edit" in said
    else:
        assert not kept.exists() and ".team-edit" not in said
    assert ">=1.2,<2" in (repo / "pyproject.toml").read_text()
    assert git(repo, "status", "--porcelain") == ""


def test_a_project_made_at_2_2_0_records_it_as_done(tmp_path):
    request = NewRequest(name="fresh", output_dir=tmp_path, given={"level": 1}, defaults=True)
    repo = create_project(request).path
    state = load_state(repo)
    assert "m0007" in state.migrations and is_applied(repo, state)


def test_the_compare_command_knows_the_runner():
    from mlops_runtime.compare import runtime_module

    assert runtime_module(STAGES + ".team-edit") == "mlops_runtime.dvc_stages"
    assert runtime_module("bikes/mlops/serving.py.team-edit") == "mlops_runtime.serving.app"


def test_an_adopted_packages_edited_serving_app_is_kept_and_the_binding_arrives(
    tmp_path, old_catalog
):
    repo = team_package_repo(tmp_path)
    adopt(repo, 2, {"orchestrator": "airflow"}, defaults=True, interactive=False,
          catalog=old_catalog)  # fmt: skip
    state = load_state(repo)
    serving, tests = "bikes/mlops/serving.py", "tests/test_mlops_serving.py"
    assert moved(state) == [serving, tests] and not is_applied(repo, state)
    app = repo / serving
    ours = app.read_text().replace("max_length=10_000", "max_length=500")
    assert ours != app.read_text()
    app.write_text(ours)
    commit(repo)

    result = upgrade(UpgradeRequest(path=repo, to=2, defaults=True), catalog=builtin_catalog())
    assert result.conflicts == [], result.conflicts
    assert "m0007" in load_state(repo).migrations and is_applied(repo, load_state(repo))
    assert "signature.create_app(PROJECT)" in app.read_text()
    assert (repo / (serving + ".team-edit")).read_text() == ours
    assert not (repo / (tests + ".team-edit")).exists()
    assert "from mlops_runtime.serving import signature" in (repo / tests).read_text()
    assert "PROJECT = Project(" in (repo / "bikes/mlops/registry.py").read_text()
    said = "\n".join(result.notes)
    assert f"python -m mlops_runtime.compare {serving}.team-edit" in said
    assert git(repo, "status", "--porcelain") == ""

"""m0006: a level-2 project made by templates 2.0.0 upgrades to 2.1.0; its untouched CD scripts
become bindings of `mlops_runtime.cd`, an edited one is kept as `<file>.team-edit` and reported
with the command that compares it with the runtime."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from scaffolder.catalog import Catalog, builtin_catalog
from scaffolder.new import NewRequest, create_project
from scaffolder.state import load_state
from scaffolder.upgrade.adopt import adopt
from scaffolder.upgrade.apply import UpgradeRequest, upgrade
from scaffolder.upgrade.migrations.m0006_cd_scripts_to_runtime import (
    apply_with_base,
    is_applied,
    moved,
)

from ..helpers import commit, git
from ..test_adopt import team_package_repo

REPO = Path(__file__).resolve().parents[3]
# The last commit whose templates held the CD scripts' own code (release 2.0.0).
BEFORE_MOVE = "b970da5"


@pytest.fixture(scope="module")
def old_catalog(tmp_path_factory) -> Catalog:
    folder = tmp_path_factory.mktemp("templates-2.0.0")
    archive = subprocess.run(
        ["git", "archive", BEFORE_MOVE, "templates"], cwd=REPO, capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return Catalog(root=folder / "templates", version="2.0.0")


def _old_project(tmp_path: Path, catalog: Catalog, **given) -> Path:
    request = NewRequest(
        name="churn", output_dir=tmp_path, given={"level": 2, "orchestrator": "airflow", **given},
        defaults=True,
    )  # fmt: skip
    return create_project(request, catalog=catalog).path


def test_untouched_scripts_become_bindings_and_an_edited_one_is_kept(tmp_path, old_catalog):
    repo = _old_project(tmp_path, old_catalog)
    state = load_state(repo)
    assert not is_applied(repo, state)
    deploy = repo / "scripts/deploy.py"
    edited = deploy.read_text().replace('"churn-staging"', '"ml-churn-staging"', 1)
    assert edited != deploy.read_text()
    deploy.write_text(edited)
    readme = repo / "README.md"
    readme.write_text(readme.read_text() + "\nTeam note.\n")
    commit(repo)

    result = upgrade(UpgradeRequest(path=repo, to=2, defaults=True), catalog=builtin_catalog())
    assert result.conflicts == [], result.conflicts
    state = load_state(repo)
    assert "m0006" in state.migrations
    assert state.template_version == builtin_catalog().version
    for path in moved(state):
        if not path.startswith("tests/"):
            assert "mlops_runtime" in (repo / path).read_text(), path
    assert "def load_script" not in (repo / "tests/test_serving_scripts.py").read_text()
    # the edited one: the team's text kept beside it, named with the compare command
    assert (repo / "scripts/deploy.py.team-edit").read_text() == edited
    assert not (repo / "scripts/smoke_test.py.team-edit").exists()
    said = "\n".join(result.notes)
    assert "python -m mlops_runtime.compare scripts/deploy.py.team-edit" in said
    assert "Team note." in readme.read_text()
    pyproject = (repo / "pyproject.toml").read_text()
    pin = re.search(r"mlops-scaffold-runtime\S*>=1\.(\d+),<2", pyproject)
    assert pin and int(pin.group(1)) >= 1  # raised to the runtime with mlops_runtime.cd
    assert git(repo, "status", "--porcelain") == ""


def test_a_project_made_at_2_1_0_records_it_as_done(tmp_path):
    request = NewRequest(
        name="fresh", output_dir=tmp_path, given={"level": 2, "orchestrator": "airflow"},
        defaults=True,
    )  # fmt: skip
    repo = create_project(request).path
    state = load_state(repo)
    assert "m0006" in state.migrations and is_applied(repo, state)


def test_the_compare_command_knows_each_script():
    from mlops_runtime.compare import runtime_module

    from scaffolder.upgrade.migrations.m0006_cd_scripts_to_runtime import (
        EXAMPLE_ONLY,
        KFP_FILES,
        SCRIPTS,
    )

    for path in [*SCRIPTS, *EXAMPLE_ONLY[2], *EXAMPLE_ONLY[3], *KFP_FILES]:
        if not path.startswith("tests/"):
            assert runtime_module(f"{path}.team-edit") is not None, path


def test_level3_a_team_hook_is_kept_and_the_rest_becomes_bindings(tmp_path, old_catalog):
    repo = _old_project(tmp_path, old_catalog, level=3, orchestrator="both")
    hooks = repo / "src/churn/serving/hooks.py"
    edited = hooks.read_text().replace(
        "    hooks: list[Any] = []", "    hooks: list[Any] = [Ours()]"
    )
    assert edited != hooks.read_text()
    hooks.write_text(edited)
    commit(repo)

    result = upgrade(UpgradeRequest(path=repo, to=3, defaults=True), catalog=builtin_catalog())
    assert result.conflicts == [], result.conflicts
    assert (repo / "src/churn/serving/hooks.py.team-edit").read_text() == edited
    assert "prediction_log_hooks(PROJECT)" in hooks.read_text()
    said = "\n".join(result.notes)
    assert "python -m mlops_runtime.compare src/churn/serving/hooks.py.team-edit" in said
    # untouched platform copies became bindings; files the team owns (conftest) are the merge's
    assert (
        "mlops_runtime import kfp_schedule" in (repo / "scripts/kfp_recurring_run.py").read_text()
    )
    assert not (repo / "scripts/kfp_recurring_run.py.team-edit").exists()
    assert "from mlops_runtime.testing import isolate" in (repo / "tests/conftest.py").read_text()
    assert not (repo / "tests/conftest.py.team-edit").exists()
    assert git(repo, "status", "--porcelain") == ""


def test_an_adopted_packages_edited_metrics_writer_is_kept(tmp_path):
    repo = team_package_repo(tmp_path)
    adopt(repo, 1, {"orchestrator": "airflow"}, defaults=True, interactive=False)
    state = load_state(repo)
    assert moved(state) == ["bikes/mlops/metrics.py"] and is_applied(repo, state)
    metrics = repo / "bikes/mlops/metrics.py"
    old = metrics.read_text()
    base = tmp_path / "base"
    (base / "bikes/mlops").mkdir(parents=True)
    (base / "bikes/mlops/metrics.py").write_text(old)
    metrics.write_text(old + "# our own gauge\n")
    notes = apply_with_base(repo, base, state)
    assert (repo / "bikes/mlops/metrics.py.team-edit").read_text().endswith("# our own gauge\n")
    assert metrics.read_text() == old
    assert "python -m mlops_runtime.compare bikes/mlops/metrics.py.team-edit" in notes[0]

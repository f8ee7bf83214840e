"""m0005: a project made before the runtime split upgrades to templates 2.0.0; its unchanged
copies of runtime modules go, an edited one is kept as `<file>.team-edit` and reported."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from scaffolder.catalog import Catalog, builtin_catalog
from scaffolder.new import NewRequest, create_project
from scaffolder.state import load_state
from scaffolder.upgrade.apply import UpgradeRequest, upgrade
from scaffolder.upgrade.migrations.m0005_platform_code_to_runtime import moved

from ..helpers import commit, git

REPO = Path(__file__).resolve().parents[3]
# The last commit whose templates held the copies (release 1.1.0).
BEFORE_SPLIT = "c4a2be5"


@pytest.fixture(scope="module")
def old_catalog(tmp_path_factory) -> Catalog:
    folder = tmp_path_factory.mktemp("templates-1.1.0")
    archive = subprocess.run(
        ["git", "archive", BEFORE_SPLIT, "templates"], cwd=REPO, capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return Catalog(root=folder / "templates", version="1.1.0")


def _old_project(tmp_path: Path, catalog: Catalog) -> Path:
    request = NewRequest(
        name="churn", output_dir=tmp_path, given={"level": 3, "orchestrator": "both"},
        defaults=True,
    )  # fmt: skip
    return create_project(request, catalog=catalog).path


def test_unchanged_copies_go_and_an_edited_one_is_kept(tmp_path, old_catalog):
    repo = _old_project(tmp_path, old_catalog)
    state = load_state(repo)
    copies = moved(state)
    assert all((repo / path).is_file() for path in copies)
    drift = repo / "src/churn/monitoring/drift.py"
    edited = drift.read_text().replace("EPSILON = ", "EPSILON = 1e-9  # team tweak\n_OLD = ", 1)
    drift.write_text(edited)
    checks = repo / "src/churn/model_checks.py"  # a level-2 module, now a thin binding
    checks.write_text(checks.read_text() + "\n# team: our own slice check goes here\n")
    guards_test = repo / "tests/test_guards.py"
    guards_test.write_text(guards_test.read_text() + "\n# our extra case\n")
    readme = repo / "README.md"
    readme.write_text(readme.read_text() + "\nTeam note.\n")
    commit(repo)

    result = upgrade(UpgradeRequest(path=repo, to=3, defaults=True), catalog=builtin_catalog())
    assert result.conflicts == [], result.conflicts
    assert "m0005" in load_state(repo).migrations
    assert load_state(repo).template_version == builtin_catalog().version
    # every untouched copy is gone, or is now a thin binding of the runtime at the same path
    for path in copies:
        if (repo / path).exists():
            assert "mlops_runtime" in (repo / path).read_text(), path
    # the edited ones: the team's text kept beside the old path, named in the notes
    assert not drift.exists() and not guards_test.exists()
    assert (repo / "src/churn/monitoring/drift.py.team-edit").read_text() == edited
    assert (repo / "tests/test_guards.py.team-edit").read_text().endswith("# our extra case\n")
    kept = (repo / "src/churn/model_checks.py.team-edit").read_text()
    assert kept.endswith("# team: our own slice check goes here\n")
    assert "mlops_runtime" in checks.read_text()  # the binding took the old path
    said = "\n".join(result.notes)
    assert "src/churn/monitoring/drift.py.team-edit" in said
    assert "python -m mlops_runtime.compare src/churn/monitoring/drift.py.team-edit" in said
    assert "Team note." in readme.read_text()
    assert "mlops-scaffold-runtime" in (repo / "pyproject.toml").read_text()
    assert git(repo, "status", "--porcelain") == ""


def test_the_compare_command_shows_the_team_edit(tmp_path, old_catalog):
    from mlops_runtime.compare import compare, runtime_module

    kept = tmp_path / "src/churn/monitoring/drift.py.team-edit"
    kept.parent.mkdir(parents=True)
    import mlops_runtime.monitoring.drift as drift

    kept.write_text(Path(drift.__file__).read_text() + "# team line\n")
    assert runtime_module(kept) == "mlops_runtime.monitoring.drift"
    diff = compare(kept)
    added = [line for line in diff.splitlines() if line.startswith("+") and line[:3] != "+++"]
    assert added == ["+# team line"]


def test_the_runtime_knows_every_file_the_migration_removes():
    from mlops_runtime.compare import runtime_module

    from scaffolder.upgrade.migrations.m0005_platform_code_to_runtime import PACKAGE_FILES

    for paths in PACKAGE_FILES.values():
        for path in paths:
            assert runtime_module(f"src/churn/{path}") is not None, path

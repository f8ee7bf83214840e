import shutil

import pytest

from scaffolder.state import load_state
from scaffolder.upgrade.migrations import all_migrations, for_step
from scaffolder.upgrade.migrations.m0001_model_params_to_config import MIGRATION

from ..helpers import new_project


@pytest.fixture
def tree(tmp_path):
    """A level-1 tree (as after the merge) whose model.py carries level-0 tuning."""
    repo = new_project(tmp_path, level=1)
    shutil.rmtree(repo / ".git")
    model = repo / "src/churn/model.py"
    model.write_text(
        model.read_text()
        .replace(
            'DEFAULT_MODEL_TYPE = "logistic_regression"', 'DEFAULT_MODEL_TYPE = "random_forest"'
        )
        .replace('"n_estimators": 200', '"n_estimators": 50, "min_samples_leaf": 3')
    )
    return repo


def test_before_and_after(tree):
    state = load_state(tree)
    config = tree / "config/pipeline.yaml"
    before = config.read_text()
    assert not MIGRATION.is_applied(tree, state)
    MIGRATION.apply(tree, state)
    after = config.read_text()
    assert "type: random_forest" in after
    assert "n_estimators: 50" in after and "min_samples_leaf: 3" in after
    assert "C: 1.0" not in after  # params of the other estimator are gone
    # Comments and the rest of the file survive the rewrite.
    assert [line for line in before.splitlines() if line.startswith("#")] == [
        line for line in after.splitlines() if line.startswith("#")
    ]
    assert "quality_gate:" in after
    assert MIGRATION.is_applied(tree, state)


def test_idempotent(tree):
    state = load_state(tree)
    MIGRATION.apply(tree, state)
    once = (tree / "config/pipeline.yaml").read_text()
    MIGRATION.apply(tree, state)
    assert (tree / "config/pipeline.yaml").read_text() == once


def test_untouched_project_needs_nothing(tmp_path):
    repo = new_project(tmp_path, level=1)
    assert MIGRATION.is_applied(repo, load_state(repo))


def test_unparseable_model_is_left_alone(tree):
    (tree / "src/churn/model.py").write_text("def broken(:\n")
    state = load_state(tree)
    before = (tree / "config/pipeline.yaml").read_text()
    assert MIGRATION.is_applied(tree, state)
    MIGRATION.apply(tree, state)
    assert (tree / "config/pipeline.yaml").read_text() == before


def test_registry():
    ids = [m.id for m in all_migrations()]
    assert ids == sorted(set(ids))
    assert MIGRATION in for_step(0, "post", [])
    assert for_step(0, "post", [MIGRATION.id]) == []

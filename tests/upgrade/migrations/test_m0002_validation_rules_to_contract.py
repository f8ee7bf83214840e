import shutil

import pytest

from scaffolder.state import load_state
from scaffolder.upgrade.migrations.m0002_validation_rules_to_contract import MIGRATION

from ..helpers import new_project

KEPT_SECTION = """
validation:
  min_rows: 500
  max_null_fraction: 0.0
  ranges:
    tenure_months: [0, 240]
    monthly_charges: [0, 500]
    support_calls: [0, 50]
    age: [16, 110]
  allowed_values:
    contract: [month-to-month, one-year, two-year, lifetime]
    churned: [0, 1]
"""


@pytest.fixture
def tree(tmp_path):
    """A level-2 tree (as after the merge) where the team kept its level-1 rules."""
    repo = new_project(tmp_path, level=2)
    shutil.rmtree(repo / ".git")
    config = repo / "config/pipeline.yaml"
    config.write_text(config.read_text() + KEPT_SECTION)
    return repo


def test_before_and_after(tree):
    state = load_state(tree)
    assert not MIGRATION.is_applied(tree, state)
    MIGRATION.apply(tree, state)
    pipeline = (tree / "config/pipeline.yaml").read_text()
    contract = (tree / "config/data_contract.yaml").read_text()
    assert "validation:" not in pipeline and "quality_gate:" in pipeline
    assert "max: 240" in contract and "min: 16" in contract
    assert "lifetime" in contract
    assert "training: {min: 500" in contract or "min: 500" in contract
    assert contract.startswith("# Data contract")  # comments survive
    assert MIGRATION.is_applied(tree, state)


def test_idempotent(tree):
    state = load_state(tree)
    MIGRATION.apply(tree, state)
    once = {p: (tree / p).read_text() for p in MIGRATION.paths(state)}
    MIGRATION.apply(tree, state)
    assert {p: (tree / p).read_text() for p in MIGRATION.paths(state)} == once


def test_fresh_level2_needs_nothing(tmp_path):
    repo = new_project(tmp_path, level=2)
    assert MIGRATION.is_applied(repo, load_state(repo))


def test_a_file_in_conflict_is_left_alone(tree):
    config = tree / "config/pipeline.yaml"
    config.write_text(config.read_text() + "<<<<<<< HEAD\nx: [\n=======\n>>>>>>> theirs\n")
    state = load_state(tree)
    before = config.read_text()
    assert MIGRATION.is_applied(tree, state)
    MIGRATION.apply(tree, state)
    assert config.read_text() == before

import shutil

import pytest
import yaml

from scaffolder.state import load_state
from scaffolder.upgrade.apply import UpgradeRequest, upgrade
from scaffolder.upgrade.migrations.m0003_gate_thresholds_to_monitoring import MIGRATION

from ..helpers import commit, new_project


def _tune_gate(repo, metric="roc_auc", threshold="0.82"):
    config = repo / "config/pipeline.yaml"
    text = config.read_text().replace("primary_metric: roc_auc", f"primary_metric: {metric}")
    config.write_text(text.replace("roc_auc: 0.70", f"roc_auc: {threshold}"))


@pytest.fixture
def tree(tmp_path):
    """A level-3 tree (as after the merge) whose level-2 gate the team had tuned."""
    repo = new_project(tmp_path, level=3)
    shutil.rmtree(repo / ".git")
    _tune_gate(repo)
    return repo


def test_before_and_after(tree):
    state = load_state(tree)
    assert not MIGRATION.is_applied(tree, state)
    MIGRATION.apply(tree, state)
    text = (tree / "config/monitoring.yaml").read_text()
    decay = yaml.safe_load(text)["decay"]
    assert decay["metric"] == "roc_auc" and decay["threshold"] == 0.82
    assert text.startswith("# Monitoring and automatic retraining")  # comments survive
    assert "# a window below it is a violation" in text
    assert MIGRATION.is_applied(tree, state)


def test_follows_an_accuracy_gate(tree):
    config = tree / "config/pipeline.yaml"
    config.write_text(
        config.read_text().replace("primary_metric: roc_auc", "primary_metric: accuracy")
    )
    MIGRATION.apply(tree, load_state(tree))
    decay = yaml.safe_load((tree / "config/monitoring.yaml").read_text())["decay"]
    assert decay == {**decay, "metric": "accuracy", "threshold": 0.65}


def test_idempotent(tree):
    state = load_state(tree)
    MIGRATION.apply(tree, state)
    once = {p: (tree / p).read_text() for p in MIGRATION.paths(state)}
    MIGRATION.apply(tree, state)
    assert {p: (tree / p).read_text() for p in MIGRATION.paths(state)} == once


def test_fresh_level3_needs_nothing(tmp_path):
    repo = new_project(tmp_path, level=3)
    assert MIGRATION.is_applied(repo, load_state(repo))


def test_a_metric_the_decay_check_cannot_compute_is_left_alone(tree):
    config = tree / "config/pipeline.yaml"
    config.write_text(config.read_text().replace("primary_metric: roc_auc", "primary_metric: f1"))
    assert MIGRATION.is_applied(tree, load_state(tree))


def test_a_file_in_conflict_is_left_alone(tree):
    monitoring = tree / "config/monitoring.yaml"
    monitoring.write_text(monitoring.read_text() + "<<<<<<< HEAD\nx: [\n=======\n>>>>>>> t\n")
    before = monitoring.read_text()
    MIGRATION.apply(tree, load_state(tree))
    assert monitoring.read_text() == before


def test_upgrade_2_to_3_keeps_edits_and_carries_the_gate(tmp_path):
    repo = new_project(tmp_path, level=2)
    _tune_gate(repo, threshold="0.77")
    readme = repo / "README.md"
    readme.write_text(readme.read_text() + "\nOur on-call rota is in the wiki.\n")
    steps = repo / "src/churn/pipeline/steps.py"
    steps.write_text(steps.read_text() + "\n\n# team note: keep the seed fixed\n")
    commit(repo, "team edits")
    result = upgrade(UpgradeRequest(path=repo, to=3, defaults=True))
    assert not result.conflicts
    assert "Our on-call rota is in the wiki." in readme.read_text()
    assert "# team note: keep the seed fixed" in steps.read_text()
    assert "save_reference_profile" in steps.read_text()  # the level-3 block merged in
    assert (
        yaml.safe_load((repo / "config/monitoring.yaml").read_text())["decay"]["threshold"] == 0.77
    )
    assert "mlops_runtime.monitoring" in (repo / "src/churn/monitoring/__init__.py").read_text()
    assert "0003-gate-thresholds-to-monitoring" in (repo / ".mlops-scaffold.yml").read_text()

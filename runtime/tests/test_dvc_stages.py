"""The DVC stage runner (`mlops_runtime.dvc_stages`, what `python -m <package>.pipeline.stages`
runs): each stage reads what the one before wrote under artifacts/dvc/, never writes into
another stage's output, and a failed validation is one message and exit code 1."""

from __future__ import annotations

import json
import types
from pathlib import Path

import pytest
from mlops_runtime import dvc_stages
from mlops_runtime.testing import ORIGIN_ENVS


class DataValidationError(ValueError):
    pass


def _steps(*, with_tests: bool, calls: list) -> types.ModuleType:
    """A steps module with the contract of a generated project's `pipeline/steps.py`."""
    steps = types.ModuleType("fake_steps")
    steps.DataValidationError = DataValidationError

    def prepare(data_dir):
        data_dir.mkdir(parents=True)
        (data_dir / "train.csv").write_text("x,y\n1,0\n")
        calls.append(("prepare", data_dir.name))
        return {"rows": 1}

    def validate(data_dir):
        if (data_dir / "broken").exists():
            raise DataValidationError("column x: 1 value out of range")
        return {"passed": True}

    def train(data_dir, model_dir):
        model_dir.mkdir(parents=True)
        (model_dir / "model.pkl").write_text("trained")
        return {"run_id": "r1"}

    def evaluate(data_dir, model_dir, run_id):
        (model_dir / "evaluation.json").write_text("{}")  # next to its copy, not the stage's
        calls.append(("evaluate", run_id, model_dir.parent.name != "dvc"))
        return {"roc_auc": 0.8, "run_id": run_id}

    def test_model(data_dir, model_dir, evaluation, run_id):
        return {**evaluation, "model_tests": "passed"}

    def register(model_dir, evaluation, run_id):
        calls.append(("register", evaluation, run_id))
        return {"version": "3"}

    for step in (prepare, validate, train, evaluate, register):
        setattr(steps, step.__name__, step)
    if with_tests:
        steps.test_model = test_model
    return steps


@pytest.fixture
def root(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("MLOPS_PROJECT_ROOT", str(tmp_path))
    # The stage runner sets these in its own process: set-then-delete so monkeypatch restores
    # them as they were (a bare delenv of an unset variable records nothing to undo, and the
    # runner's values leaked into later tests of the same worker).
    for name in ORIGIN_ENVS:
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    return tmp_path


@pytest.mark.parametrize("with_tests", [True, False])
def test_the_stages_run_in_order_each_reading_the_one_before(root, capsys, with_tests):
    calls: list = []
    steps = _steps(with_tests=with_tests, calls=calls)
    names = dvc_stages.stage_names(steps)
    expected = ["prepare", "validate", "train", "evaluate", "register"]
    assert names == (expected[:4] + ["test_model", "register"] if with_tests else expected)
    for name in names:
        assert dvc_stages.main(steps, [name]) == 0
    out = root / "artifacts" / "dvc"
    assert (out / "data" / "train.csv").is_file() and (out / "model" / "model.pkl").is_file()
    # evaluate wrote next to a copy: the train stage's output is as train left it
    assert sorted(p.name for p in (out / "model").iterdir()) == ["model.pkl"]
    assert ("evaluate", "r1", True) in calls
    registered = calls[-1]
    assert registered[0] == "register" and registered[2] == "r1"
    assert ("model_tests" in registered[1]) is with_tests
    assert json.loads((out / "registered.json").read_text()) == {"version": "3"}
    assert (out / "model_tests.json").exists() is with_tests
    # the MLflow runs say they came from DVC
    import os

    assert os.environ["PIPELINE_ORCHESTRATOR"] == "dvc"
    assert os.environ["PIPELINE_RUN_ID"].startswith("dvc-repro-")
    assert '"version": "3"' in capsys.readouterr().out


def test_a_failed_validation_is_one_message_and_exit_1(root, capsys):
    steps = _steps(with_tests=False, calls=[])
    assert dvc_stages.main(steps, ["prepare"]) == 0
    (root / "artifacts" / "dvc" / "data" / "broken").write_text("")
    capsys.readouterr()
    assert dvc_stages.main(steps, ["validate"]) == 1
    assert capsys.readouterr().err.strip() == "column x: 1 value out of range"
    assert not (root / "artifacts" / "dvc" / "validate.json").exists()


def test_an_unknown_stage_is_refused(root, capsys):
    steps = _steps(with_tests=False, calls=[])
    with pytest.raises(SystemExit) as exit_:
        dvc_stages.main(steps, ["test_model"])  # a level-1 project has no model tests
    assert exit_.value.code == 2 and "invalid choice: 'test_model'" in capsys.readouterr().err
    with pytest.raises(ValueError, match="unknown stage 'deploy'; the stages are prepare, "):
        dvc_stages.run_stage(steps, "deploy")

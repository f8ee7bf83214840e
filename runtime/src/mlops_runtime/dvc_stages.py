"""A project's pipeline steps as DVC stages (`dvc.yaml`, `make repro`): the third runner of the
same step functions that `make train` and the orchestrators run.

    python -m <package>.pipeline.stages prepare|validate|train|evaluate|[test_model|]register

(a binding calling `main(steps)` with the project's `pipeline.steps` module). Each stage reads
what the one before it wrote under `artifacts/dvc/` and writes its own outputs there: the split
data, the model, and small JSON files with what the step returned (the MLflow run id, the
evaluation), which DVC records in dvc.lock. A stage never writes into another stage's output,
so `dvc repro` reruns only what changed (data, code or params). Standard library only.

The steps module's contract (what a generated project's `pipeline/steps.py` has):
`prepare(data_dir)`, `validate(data_dir)`, `train(data_dir, model_dir)`,
`evaluate(data_dir, model_dir, run_id)`, optionally `test_model(data_dir, model_dir, evaluation,
run_id)` (level 2 and up: then `register` takes its result), `register(model_dir, evaluation,
run_id)`, and `DataValidationError` (printed as one message, exit code 1).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

from .project import project_root

OUT = Path("artifacts") / "dvc"
DATA, MODEL = OUT / "data", OUT / "model"
FILES = {
    "validate": OUT / "validate.json",
    "train": OUT / "train.json",
    "evaluate": OUT / "evaluation.json",
    "test_model": OUT / "model_tests.json",
    "register": OUT / "registered.json",
}


def stage_names(steps: ModuleType) -> list[str]:
    """The stages of `steps`, in order: `test_model` only where the module has that step."""
    return ["prepare", *(name for name in FILES if name != "test_model" or _has_tests(steps))]


def _has_tests(steps: ModuleType) -> bool:
    return callable(getattr(steps, "test_model", None))


def _path(relative: Path) -> Path:
    return project_root() / relative


def _read(stage: str) -> dict:
    return json.loads(_path(FILES[stage]).read_text(encoding="utf-8"))


def _write(stage: str, result: dict) -> dict:
    path = _path(FILES[stage])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    return result


def _model_copy(scratch: str) -> Path:
    """A copy of the train stage's model folder: evaluate and test_model write next to the
    model, which must stay as the train stage left it."""
    copy = Path(scratch) / "model"
    shutil.copytree(_path(MODEL), copy)
    return copy


def run_stage(steps: ModuleType, name: str) -> dict:
    """Run one stage of `steps` in the project root; return what its step returned."""
    if name not in stage_names(steps):
        raise ValueError(f"unknown stage {name!r}; the stages are {', '.join(stage_names(steps))}")
    # The MLflow run says it came from DVC (mlops_runtime.records: lineage.orchestrator).
    if not os.environ.get("PIPELINE_RUN_ID"):
        os.environ["PIPELINE_ORCHESTRATOR"] = "dvc"
        os.environ["PIPELINE_RUN_ID"] = time.strftime("dvc-repro-%Y%m%dT%H%M%SZ", time.gmtime())
    if name == "prepare":
        shutil.rmtree(_path(DATA), ignore_errors=True)
        return steps.prepare(_path(DATA))
    if name == "validate":
        return _write(name, steps.validate(_path(DATA)))
    if name == "train":
        shutil.rmtree(_path(MODEL), ignore_errors=True)
        return _write(name, steps.train(_path(DATA), _path(MODEL)))
    run_id = _read("train")["run_id"]
    if name == "evaluate":
        with tempfile.TemporaryDirectory() as scratch:
            return _write(name, steps.evaluate(_path(DATA), _model_copy(scratch), run_id))
    if name == "test_model":
        with tempfile.TemporaryDirectory() as scratch:
            tested = steps.test_model(_path(DATA), _model_copy(scratch), _read("evaluate"), run_id)
        return _write(name, tested)
    evaluation = _read("test_model" if _has_tests(steps) else "evaluate")
    return _write(name, steps.register(_path(MODEL), evaluation, run_id))


def main(steps: ModuleType, argv: list[str] | None = None) -> int:
    """The command line: run the stage named in `argv`; a failed data validation is its message
    on stderr and exit code 1."""
    parser = argparse.ArgumentParser(description="Run one stage of dvc.yaml.")
    parser.add_argument("stage", choices=stage_names(steps))
    args = parser.parse_args(argv)
    try:
        result = run_stage(steps, args.stage)
    except getattr(steps, "DataValidationError", ()) as exc:
        print(exc, file=sys.stderr)
        return 1
    print(json.dumps(result, indent=2, default=str)[:2000])
    return 0

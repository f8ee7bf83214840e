"""Defect class read from a calibration cell (kfp-clv-automl-tables-cloud-build, pipelines
2->0): a KFP pipeline whose training step is a component loaded from its spec
(`component_store.load_component('aml-train-model')`, AutoML Tables training) trains the model
inside the pipeline, with no fit in the project's code. `pipelines.train-entrypoint` read the
project as "pipelines run, but nothing trains a model". A KFP pipeline with a step that trains
(`train_model_op`) is now evidence of training. The test fails on the code before the fix; the
near miss beside it (a pipeline whose steps train nothing) passes on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write


def _pipeline(steps: str) -> str:
    return f"""
    import kfp

    store = kfp.components.ComponentStore(["components"], [])
    import_dataset_op = store.load_component("aml-import-dataset")
    train_model_op = store.load_component("aml-train-model")
    notify_op = store.load_component("notify")
    report_op = store.load_component("report")


    @kfp.dsl.pipeline(name="CLV Training")
    def clv_train(project_id, source_gcs_path):
{steps}
"""


def test_a_kfp_pipeline_with_a_managed_training_step_trains(tmp_path):
    steps = (
        "        dataset = import_dataset_op(project_id, source_gcs_path)\n"
        "        train_model_op(project_id, dataset.output)"
    )
    write(tmp_path, {"pipelines/train_pipeline.py": _pipeline(steps)})
    assert checks(tmp_path)["pipelines.train-entrypoint"].outcome is Outcome.PASS


def test_a_kfp_pipeline_whose_steps_train_nothing_is_no_training(tmp_path):
    steps = (
        "        report = report_op(project_id, source_gcs_path)\n"
        "        notify_op(project_id, report.output)"
    )
    write(tmp_path, {"pipelines/report_pipeline.py": _pipeline(steps)})
    assert checks(tmp_path)["pipelines.train-entrypoint"].outcome is Outcome.FAIL

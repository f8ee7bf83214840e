"""Defect classes read from the fourteenth held-out batch's pipelines misses once it joined the
calibration part: Mage pipelines (a `pipelines/<uuid>/metadata.yaml` of code blocks, its
`triggers.yaml` schedules) read as no orchestrator.
Each test fails on the code before the fix; each reads a shape of a stack, not one repository's
files, and the near misses beside them pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

TRAIN_BLOCK = """
    import mlflow
    from sklearn.linear_model import LogisticRegression

    if 'transformer' not in globals():
        from mage_ai.data_preparation.decorators import transformer


    @transformer
    def train(data, *args, **kwargs):
        with mlflow.start_run():
            model = LogisticRegression().fit(data[["x"]], data["y"])
            mlflow.sklearn.log_model(model, "model")
        return model
"""
MAGE_METADATA = """
    blocks:
    - all_upstream_blocks_executed: true
      language: python
      name: load_data
      type: data_loader
      upstream_blocks: []
      uuid: load_data
    - all_upstream_blocks_executed: true
      language: python
      name: train
      type: transformer
      upstream_blocks:
      - load_data
      uuid: train
    name: training_workflow
    type: python
    uuid: training_workflow
"""
MAGE_TRIGGERS = """
    triggers:
    - name: weekly_training
      pipeline_uuid: training_workflow
      schedule_interval: '@weekly'
      schedule_type: time
      status: active
"""


def test_a_mage_pipeline_of_code_blocks_is_orchestrated(tmp_path):
    write(
        tmp_path,
        {
            "ml/transformers/train.py": TRAIN_BLOCK,
            "ml/pipelines/training_workflow/metadata.yaml": MAGE_METADATA,
            "ml/pipelines/training_workflow/triggers.yaml": MAGE_TRIGGERS,
        },
    )
    found = checks(tmp_path)
    assert found["pipelines.train-entrypoint"].outcome is Outcome.PASS
    assert found["pipelines.orchestrated"].outcome is Outcome.PASS
    assert found["pipelines.scheduled"].outcome is Outcome.PASS


def test_a_metadata_file_of_another_shape_is_no_mage_pipeline(tmp_path):
    # near miss: a metadata.yaml listing only markdown blocks, outside a pipeline's own folder
    # uuid, and a trigger that is inactive: no pipeline, no schedule
    notes = MAGE_METADATA.replace("data_loader", "markdown").replace("transformer", "markdown")
    inactive = MAGE_TRIGGERS.replace("status: active", "status: inactive")
    write(
        tmp_path,
        {
            "ml/transformers/train.py": TRAIN_BLOCK,
            "ml/pipelines/training_workflow/metadata.yaml": notes,
            "ml/pipelines/training_workflow/triggers.yaml": inactive,
            "ml/pipelines/other/metadata.yaml": MAGE_METADATA,
        },
    )
    found = checks(tmp_path)
    assert found["pipelines.orchestrated"].outcome is Outcome.FAIL
    assert found["pipelines.scheduled"].outcome is Outcome.FAIL

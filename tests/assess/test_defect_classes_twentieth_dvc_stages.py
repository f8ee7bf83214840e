"""Defect class read from the calibration part's pipelines over-scores (a credit-risk project
whose `dvc.yaml` chains ingest, processing, features and train stages): the stages were read as
a training pipeline by their number alone, though none of them trains. The train stage runs
`python -m src.modeling.train`, a compatibility module that only re-exports the training code
and has no `__main__` block: run, it imports and exits. A `dvc.yaml` pipeline now counts when one
of its stages' scripts or modules (or the project modules they import) saves, tracks or trains
a model, in a project that trains somewhere; a module that only defines and re-exports runs
nothing. The test fails on the code before the fix; the near miss (the same module with its
`__main__` block) passes on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

DVC = """
    stages:
      ingest:
        cmd: python -m src.ingestion.load_data
        outs:
          - data/raw/data.parquet
      train:
        cmd: python -m src.modeling.train
        deps:
          - data/raw/data.parquet
        outs:
          - models/
"""
LOAD = """
    import pandas as pd


    def main():
        frame = pd.read_csv("data/raw/data.csv")
        frame.to_parquet("data/raw/data.parquet")


    if __name__ == "__main__":
        main()
"""
PIPELINE = """
    import joblib
    import mlflow
    import pandas as pd
    from sklearn.linear_model import LogisticRegression


    def train():
        frame = pd.read_parquet("data/raw/data.parquet")
        with mlflow.start_run():
            model = LogisticRegression().fit(frame.drop(columns="y"), frame["y"])
            joblib.dump(model, "models/model.joblib")


    def log_to_mlflow(metrics):
        mlflow.log_metrics(metrics)
"""
REEXPORT = '''
    """Compatibility: the training moved to src.modeling.pipeline."""

    from src.modeling.pipeline import log_to_mlflow, train

    __all__ = ["log_to_mlflow", "train"]
'''
PROJECT = {
    "dvc.yaml": DVC,
    "src/__init__.py": "",
    "src/ingestion/__init__.py": "",
    "src/ingestion/load_data.py": LOAD,
    "src/modeling/__init__.py": "",
    "src/modeling/pipeline.py": PIPELINE,
}


def test_dvc_stages_whose_train_module_runs_nothing_are_no_training_pipeline(tmp_path):
    write(tmp_path, {**PROJECT, "src/modeling/train.py": REEXPORT})
    assert checks(tmp_path)["pipelines.orchestrated"].outcome is Outcome.FAIL


def test_dvc_stages_whose_train_module_runs_the_training_are_a_pipeline(tmp_path):
    # near miss: the same module runs the training it imports
    main = REEXPORT + '\n    if __name__ == "__main__":\n        train()\n'
    write(tmp_path, {**PROJECT, "src/modeling/train.py": main})
    assert checks(tmp_path)["pipelines.orchestrated"].outcome is Outcome.PASS

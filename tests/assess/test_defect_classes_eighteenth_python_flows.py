"""Defect class read from the calibration part's too-high pipelines cells (eighteenth round): a
Prefect flow or Dagster asset job read as the training pipeline when it only moves data, scores
or monitors while the project trains elsewhere (a train script run by hand, a Celery task). A
Python flow's tasks are the project's own functions, so what it runs is what its file and the
modules it imports do: with no ML work there (no split, seed, metric, fit, save or tracked run)
and training evidence elsewhere, it is no orchestrated training. Each test fails on the code
before the fix; the near misses beside them pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

TRAIN_SCRIPT = """
    import joblib
    from sklearn.linear_model import LinearRegression
    from sklearn.model_selection import train_test_split


    def main():
        x_train, x_test, y_train, y_test = train_test_split([[0], [1], [2], [3]], [0, 1, 2, 3])
        joblib.dump(LinearRegression().fit(x_train, y_train), "model.pkl")


    if __name__ == "__main__":
        main()
"""
ETL_FLOW = """
    import pandas as pd
    from prefect import flow, task


    @task
    def extract():
        return pd.read_csv("https://example.com/prices.csv")


    @task
    def load(frame):
        frame.to_parquet("data/prices.parquet")


    @flow
    def etl_flow():
        load(extract())
"""
ASSETS = """
    import pandas as pd
    from dagster import asset


    @asset
    def raw_data():
        return pd.read_csv("data/raw.csv")


    @asset
    def clean_data(raw_data):
        return raw_data.dropna()
"""


def _orchestrated(tmp_path, files: dict[str, str]) -> Outcome:
    write(tmp_path, files)
    return checks(tmp_path)["pipelines.orchestrated"].outcome


def test_a_prefect_etl_flow_beside_a_train_script_is_no_training_pipeline(tmp_path):
    files = {"train.py": TRAIN_SCRIPT, "flows/etl.py": ETL_FLOW}
    assert _orchestrated(tmp_path, files) is Outcome.FAIL


def test_dagster_data_assets_beside_a_train_script_are_no_training_pipeline(tmp_path):
    files = {"train.py": TRAIN_SCRIPT, "dags/assets.py": ASSETS}
    assert _orchestrated(tmp_path, files) is Outcome.FAIL


# near misses


def test_a_flow_importing_the_training_module_is_the_training_pipeline(tmp_path):
    flow = """
        from prefect import flow

        from churn.train import main


        @flow
        def training_flow():
            main()
    """
    files = {
        "churn/__init__.py": "",
        "churn/train.py": TRAIN_SCRIPT,
        "flows/etl.py": ETL_FLOW,
        "churn/flows.py": flow,
    }
    assert _orchestrated(tmp_path, files) is Outcome.PASS


def test_a_flow_in_a_project_with_no_training_evidence_still_counts(tmp_path):
    # nothing saves, tracks or starts training anywhere: the flow's tasks may train in ways
    # the scan does not read, so it is not judged
    assert _orchestrated(tmp_path, {"dags/assets.py": ASSETS}) is Outcome.PASS

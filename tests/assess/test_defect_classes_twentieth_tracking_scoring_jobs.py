"""Defect class read from the calibration part's too-low tracking cells after the nineteenth
batch joined it (a Databricks bundle's medallion job whose gold step loads the Production-stage
KMeans model through the project's registry helper and predicts anomalous claims): a job
scoring with the version a stage marks counted only when its file was named for inference
(predict, score, serve). An entry script that trains and registers nothing, itself or through
what it imports, and reaches the project's registry helper that looks a stage or alias up and
loads it with MLflow predicts with what the registry holds, whatever its name. Each test fails
on the code before the fix; the near misses beside them pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

REGISTRY = """
    import mlflow
    from mlflow import MlflowClient


    class ModelRegistryManager:
        def __init__(self, name):
            self.name = name
            self.client = MlflowClient()

        def promote(self, version, stage):
            self.client.transition_model_version_stage(self.name, version, stage)

        def load_model(self, stage="Production"):
            versions = self.client.get_latest_versions(self.name, stages=[stage])
            return mlflow.sklearn.load_model(versions[0].source) if versions else None
"""

TRAIN = """
    import mlflow
    from sklearn.cluster import KMeans

    from claims.model_registry import ModelRegistryManager


    def main(X):
        with mlflow.start_run():
            model = KMeans(n_clusters=4).fit(X)
            mlflow.log_metric("inertia", model.inertia_)
            mlflow.sklearn.log_model(model, "model", registered_model_name="claims")
        ModelRegistryManager("claims").promote(1, "Production")


    if __name__ == "__main__":
        main(None)
"""

GOLD = """
    import pandas as pd

    from claims.model_registry import ModelRegistryManager


    def main():
        model = ModelRegistryManager("claims").load_model(stage="Production")
        claims = pd.read_parquet("silver/claims.parquet")
        claims["cluster"] = model.predict(claims)
        claims.to_parquet("gold/claims.parquet")


    if __name__ == "__main__":
        main()
"""


def _project(tmp_path, gold: str):
    write(
        tmp_path,
        {
            "src/claims/__init__.py": "",
            "src/mlops/__init__.py": "",
            "src/claims/model_registry.py": REGISTRY,
            "src/mlops/train_model.py": TRAIN,
            "src/process/gold_aggregation.py": gold,
        },
    )
    return checks(tmp_path)["tracking.serving-from-registry"]


def test_a_job_step_scoring_with_the_production_stage_takes_the_registry_version(tmp_path):
    result = _project(tmp_path, GOLD)
    assert result.outcome is Outcome.PASS
    assert "src/claims/model_registry.py:14" in result.evidence


def test_the_training_script_importing_the_registry_helper_scores_nothing(tmp_path):
    # near miss: only the training entry script imports the helper (to promote)
    assert _project(tmp_path, "print('gold')\n").outcome is Outcome.FAIL


def test_a_job_step_that_also_trains_is_no_scoring_job(tmp_path):
    # near miss: the step imports the training module too, so it may retrain what it loads
    gold = GOLD.replace(
        "from claims.model_registry import ModelRegistryManager",
        "from claims.model_registry import ModelRegistryManager\n    from mlops.train_model import main as train",
    )
    assert _project(tmp_path, gold).outcome is Outcome.FAIL

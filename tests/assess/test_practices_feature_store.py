"""A feature store as `assess` reads it (issue 21): Feast's repository (feature_store.yaml and
its definitions), the managed stores' clients and definitions (Tecton, Hopsworks, Databricks,
SageMaker, Vertex AI), and what is not a feature store. An advice check in the pipelines
dimension that answers the questionnaire's feature-store question (tests/assess/
test_practices.py checks that it is advice and never holds a level down)."""

import pytest

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, notebook, write

CHECK = "pipelines.feature-store"


def test_a_feast_repository_its_config_definitions_and_the_code_reading_it(tmp_path):
    write(
        tmp_path,
        {
            "features/feature_store.yaml": """
                project: churn
                registry: data/registry.db
                provider: local
                offline_store:
                  type: duckdb
                online_store:
                  type: sqlite
                  path: data/online.db
            """,
            "features/definitions.py": """
                from feast import Entity, FeatureService, FeatureView, Field, FileSource

                customer = Entity(name="customer", join_keys=["customer_id"])
                view = FeatureView(name="customer_features", entities=[customer], schema=[])
                service = FeatureService(name="churn_model", features=[view])
            """,
            "src/churn/online.py": """
                from mlops_runtime.serving.entities import FeatureServer

                SERVER = FeatureServer("customer_id", "churn_model")
            """,
        },
    )
    result = checks(tmp_path)[CHECK]
    assert result.outcome is Outcome.PASS, result.message
    assert result.message.startswith("features are defined in a feature store and read by")
    assert "Feast" in result.message
    paths = {e.split(":")[0] for e in result.evidence}
    assert paths == {
        "features/feature_store.yaml", "features/definitions.py", "src/churn/online.py"
    }  # fmt: skip


@pytest.mark.parametrize(
    ("path", "code", "tool"),
    [
        ("features/views.py", """
            from tecton import batch_feature_view, Entity

            @batch_feature_view(sources=[], entities=[], mode="pandas")
            def user_features(txns):
                return txns
        """, "Tecton"),
        ("pipelines/features.py", """
            import hopsworks

            project = hopsworks.login()
            fs = project.get_feature_store()
            fg = fs.get_or_create_feature_group(name="transactions", version=1)
        """, "Hopsworks"),
        ("jobs/features.py", """
            from databricks.feature_engineering import FeatureEngineeringClient

            fe = FeatureEngineeringClient()
            fe.create_table(name="ml.customer_features", primary_keys=["id"], df=None)
        """, "Databricks Feature Store"),
        ("jobs/legacy_features.py", """
            from databricks.feature_store import FeatureStoreClient

            FeatureStoreClient().create_table(name="x", primary_keys=["id"], df=None)
        """, "Databricks Feature Store"),
        ("src/ingest.py", """
            from sagemaker.feature_store.feature_group import FeatureGroup

            group = FeatureGroup(name="customers", sagemaker_session=None)
        """, "SageMaker Feature Store"),
        ("src/vertex_features.py", """
            from google.cloud import aiplatform

            store = aiplatform.Featurestore.create(featurestore_id="customers")
        """, "Vertex AI Feature Store"),
    ],
)  # fmt: skip
def test_managed_feature_stores(tmp_path, path, code, tool):
    write(tmp_path, {path: code})
    result = checks(tmp_path)[CHECK]
    assert result.outcome is Outcome.PASS, result.message
    assert tool in result.message
    assert result.evidence and result.evidence[0].startswith(f"{path}:")


def test_not_a_feature_store(tmp_path):
    write(
        tmp_path,
        {
            # a YAML file of that name that is not Feast's, a "feature store" in a comment and
            # a dict named like one, and Feast only in a notebook
            "config/feature_store.yaml": "columns: [a, b]\n",
            "src/shop/features.py": """
                # our feature store: a dict
                feature_store = {"a": 1}

                def build(df):
                    return df.assign(total=df["a"] + feature_store["a"])
            """,
            "notebooks/try_feast.ipynb": notebook(["from feast import FeatureStore\n"]),
        },
    )
    result = checks(tmp_path)[CHECK]
    assert result.outcome is Outcome.FAIL, result.message
    assert "seen only in notebook" in result.message

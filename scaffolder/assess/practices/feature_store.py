"""Feature store (the MLOps questionnaire's section 5): features are pre-computed and kept in a
feature store, read point in time for training and by entity key for serving.

Evidence of definitions: Feast's `feature_store.yaml` (a `project` with a registry, provider
or online/offline store) and its `FeatureView`/`FeatureService`/`on_demand_feature_view`
definitions; Tecton feature views and services; Hopsworks feature groups and views; Databricks
Feature Store/Feature Engineering tables; SageMaker Feature Store feature groups; Vertex AI
Feature Store resources. Evidence of use: those libraries' clients imported in the project's
code (Feast, Tecton, Hopsworks/hsfs, `databricks.feature_store`,
`databricks.feature_engineering`, `sagemaker.feature_store`, Vertex's feature store), and the
runtime's feature-server client (`mlops_runtime.serving.entities`).
"""

from __future__ import annotations

from typing import Any

from scaffolder.assess.models import Fact, Zone

DEFINITION = "feature_store.definition"
CLIENT = "feature_store.client"
FEAST, TECTON, HOPSWORKS = "Feast", "Tecton", "Hopsworks"
DATABRICKS = "Databricks Feature Store"
SAGEMAKER = "SageMaker Feature Store"
VERTEX = "Vertex AI Feature Store"

IMPORTS = [
    ("feast", CLIENT, FEAST),
    ("tecton", CLIENT, TECTON),
    ("hopsworks", CLIENT, HOPSWORKS),
    ("hsfs", CLIENT, HOPSWORKS),
    ("databricks.feature_store", CLIENT, DATABRICKS),
    ("databricks.feature_engineering", CLIENT, DATABRICKS),
    ("sagemaker.feature_store", CLIENT, SAGEMAKER),
    ("google.cloud.aiplatform.featurestore", CLIENT, VERTEX),
    ("google.cloud.aiplatform_v1.services.featurestore_service", CLIENT, VERTEX),
    ("vertexai.resources.preview.feature_store", CLIENT, VERTEX),
    ("mlops_runtime.serving.entities", CLIENT, "Feast feature server (mlops-scaffold-runtime)"),
]
CALLS = [
    ("feast.FeatureView", DEFINITION, FEAST),
    ("feast.BatchFeatureView", DEFINITION, FEAST),
    ("feast.StreamFeatureView", DEFINITION, FEAST),
    ("feast.FeatureService", DEFINITION, FEAST),
    ("feast.on_demand_feature_view", DEFINITION, FEAST),
    ("tecton.batch_feature_view", DEFINITION, TECTON),
    ("tecton.stream_feature_view", DEFINITION, TECTON),
    ("tecton.on_demand_feature_view", DEFINITION, TECTON),
    ("tecton.FeatureService", DEFINITION, TECTON),
    ("tecton.FeatureView", DEFINITION, TECTON),
    ("get_or_create_feature_group", DEFINITION, HOPSWORKS),
    ("create_feature_group", DEFINITION, HOPSWORKS),
    ("get_or_create_feature_view", DEFINITION, HOPSWORKS),
    ("FeatureEngineeringClient.create_table", DEFINITION, DATABRICKS),
    ("FeatureStoreClient.create_table", DEFINITION, DATABRICKS),
    ("feature_group.FeatureGroup", DEFINITION, SAGEMAKER),
    ("aiplatform.Featurestore.create", DEFINITION, VERTEX),
    ("aiplatform.Featurestore", DEFINITION, VERTEX),
    ("aiplatform.EntityType.create", DEFINITION, VERTEX),
    ("aiplatform.FeatureOnlineStore.create_optimized_store", DEFINITION, VERTEX),
    ("aiplatform.FeatureOnlineStore.create_bigtable_store", DEFINITION, VERTEX),
    ("feature_store.FeatureOnlineStore.create_optimized_store", DEFINITION, VERTEX),
    ("feature_store.FeatureOnlineStore.create_bigtable_store", DEFINITION, VERTEX),
    ("feature_store.FeatureView.create", DEFINITION, VERTEX),
]
# the trigger gate reads bytes: a file naming none of these is not parsed for them
TRIGGER_WORDS = [
    "feast",
    "tecton",
    "hopsworks",
    "hsfs",
    "feature_store",
    "feature_engineering",
    "featurestore",
    "Featurestore",
    "FeatureOnlineStore",
    "feature_group",
]
FEAST_CONFIG_KEYS = ("registry", "provider", "online_store", "offline_store")


def yaml_facts(doc: Any, path: str, zone: Zone) -> list[Fact]:
    """Feast's repository configuration: `feature_store.yaml` naming a project and its stores."""
    from scaffolder.assess.parse_yaml import YMap

    name = path.rsplit("/", 1)[-1].lower()
    if name not in ("feature_store.yaml", "feature_store.yml") or not isinstance(doc, YMap):
        return []
    if "project" not in doc or not any(key in doc for key in FEAST_CONFIG_KEYS):
        return []
    stores = {k: v.get("type") if isinstance(v, dict) else v for k, v in doc.items()
              if k in ("online_store", "offline_store") and v}  # fmt: skip
    return [
        Fact(
            kind=DEFINITION,
            path=path,
            line=doc.line,
            zone=zone,
            detail={"tool": FEAST, "config": True, **{k: str(v) for k, v in stores.items()}},
        )
    ]

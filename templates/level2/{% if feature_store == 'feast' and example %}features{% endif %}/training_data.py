"""Point-in-time training data from the feature store: run in this folder with the Feast
environment (`make feast-training-data`).

For every row of the label table (customer, time, label), Feast's offline store joins the
latest feature row of that customer at or before that time and within the view's TTL, never
a later one, so no value from the future leaks into training. Entity rows with no feature
row in the window are dropped (and counted). Writes ../data/features/training.csv, the
pipeline's `data.source`, and training.json: the feature service, its views and a digest of
these definitions, which the train step records on the MLflow run and model version.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from pathlib import Path

import pandas as pd
from feast import FeatureStore

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "data" / "features"
SERVICE = "churn_model"
ENTITY, TIMESTAMP = "customer_id", "event_timestamp"
INTEGER_TYPES = ("Int32", "Int64")


def definitions_digest() -> str:
    """sha256 of the definitions and Feast's configuration: which version of them was used."""
    digest = hashlib.sha256()
    for path in sorted([*HERE.glob("*.py"), HERE / "feature_store.yaml"]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def main() -> None:
    # Feast's libraries warn about their own deprecations (ibis, DuckDB): not yours to fix.
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    store = FeatureStore(repo_path=str(HERE))
    service = store.get_feature_service(SERVICE)
    labels = pd.read_parquet(DATA / "labels.parquet")
    frame = store.get_historical_features(entity_df=labels, features=service).to_df()
    fields = [f for view in service.feature_view_projections for f in view.features]
    names = [f.name for f in fields]
    joined = frame.dropna(subset=names)
    # A column with a missing value came back as float: integers again, as the schema says.
    for field in fields:
        if str(field.dtype) in INTEGER_TYPES:
            joined = joined.assign(**{field.name: joined[field.name].astype("int64")})
    joined = joined.sort_values([TIMESTAMP, ENTITY]).reset_index(drop=True)
    joined.to_csv(DATA / "training.csv", index=False)
    lineage = {
        "store": "feast",
        "feature_service": SERVICE,
        "feature_views": sorted(view.name for view in service.feature_view_projections),
        "features": names,
        "definitions_digest": definitions_digest(),
        "entity_rows": len(labels),
        "rows": len(joined),
        "dropped_rows": len(frame) - len(joined),
    }
    (DATA / "training.json").write_text(json.dumps(lineage, indent=2) + "\n", encoding="utf-8")
    print(
        f"training data: {len(joined)} rows from {len(labels)} entity rows "
        f"({lineage['dropped_rows']} without features in the window) -> {DATA / 'training.csv'}"
    )


if __name__ == "__main__":
    main()

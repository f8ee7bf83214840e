"""Dump what a generated project's MLflow store holds, as JSON on stdout.

Run with the generated projects' venv (it imports mlflow), not the tool's:

    python tests/e2e/mlflow_dump.py sqlite:///<project>/mlflow.db EXPERIMENT MODEL

The end-to-end tests read the dump and assert on it; nothing here judges the records.
"""

from __future__ import annotations

import json
import sys


def _artifacts(client, run_id: str, path: str | None = None) -> list[str]:
    found = []
    for item in client.list_artifacts(run_id, path):
        found.extend(_artifacts(client, run_id, item.path) if item.is_dir else [item.path])
    return found


def dump(uri: str, experiment: str, model: str) -> dict:
    import mlflow
    from mlflow import MlflowClient

    mlflow.set_tracking_uri(uri)
    client = MlflowClient(tracking_uri=uri)
    exp = client.get_experiment_by_name(experiment)
    runs = client.search_runs([exp.experiment_id], order_by=["attributes.start_time ASC"])
    registered = client.get_registered_model(model)
    versions = client.search_model_versions(f"name='{model}'")
    return {
        "runs": [
            {
                "run_id": run.info.run_id,
                "name": run.info.run_name,
                "tags": dict(run.data.tags),
                "metrics": dict(run.data.metrics),
                "datasets": [
                    {
                        "name": d.dataset.name,
                        "digest": d.dataset.digest,
                        "context": {t.key: t.value for t in d.tags}.get("mlflow.data.context"),
                    }
                    for d in run.inputs.dataset_inputs
                ],
                "artifacts": _artifacts(client, run.info.run_id),
            }
            for run in runs
        ],
        "aliases": {alias: str(v) for alias, v in registered.aliases.items()},
        "versions": [
            {
                "version": str(mv.version),
                "run_id": mv.run_id,
                "description": mv.description or "",
                "tags": dict(mv.tags),
                **_model_info(f"models:/{model}/{mv.version}"),
            }
            for mv in sorted(versions, key=lambda mv: int(mv.version))
        ],
    }


def _model_info(uri: str) -> dict:
    from mlflow.models import get_model_info

    info = get_model_info(uri)
    signature = info.signature
    return {
        "signature_inputs": [c.name for c in signature.inputs.inputs] if signature else [],
        "signature_outputs": bool(signature and signature.outputs),
        "input_example": info.saved_input_example_info or {},
    }


if __name__ == "__main__":
    print(json.dumps(dump(*sys.argv[1:4])))

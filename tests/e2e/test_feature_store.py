"""The feature store of a level-2 project (`feature_store: feast`), run for real with Feast in
its own environment: `make train` builds the tables, applies the definitions and trains on the
store's point-in-time join, the model version records the feature views it used; rows that
arrive later never leak into earlier training rows; the online store, materialised, serves an
entity the same features as its newest offline row, through Feast's Python API and through
its HTTP feature server read by the project's own client. The Kubeflow pipeline (kfp.local)
runs the same feature-store steps, Feast's in Feast's environment, and trains on their data."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from tests.e2e.conftest import generate, make, run
from tests.e2e.mlflow_records import mlflow_store

pytestmark = pytest.mark.e2e

DATA = Path("data/raw/sample.csv")
TRAINING = Path("data/features/training.csv")
FEATURES = ["tenure_months", "monthly_charges", "support_calls", "age",
            "support_calls_per_year", "contract"]  # fmt: skip
# Run in the Feast environment, in features/: the online store's row of each customer given.
ONLINE = """
import json, sys
from feast import FeatureStore
store = FeatureStore(repo_path=".")
rows = [{"customer_id": int(c)} for c in sys.argv[1:]]
print(json.dumps(store.get_online_features(
    features=store.get_feature_service("churn_model"), entity_rows=rows).to_dict()))
"""
# Run in the project's environment, the feature server up: the serving app (in process) asked
# by customer id, and the same model scoring the customer's newest offline row.
BY_ID = """
import json, sys
import pandas as pd
from fastapi.testclient import TestClient
from e2e_feast.predict import predict
from e2e_feast.serving.app import create_app
app = create_app()
with TestClient(app) as client:
    by_id = client.post("/predict", json={"customer_ids": [5]})
    missing = client.post("/predict", json={"customer_ids": [5, 424242]})
    model = app.state.serving.loaded.model
rows = pd.read_csv("data/features/training.csv")
newest = rows[rows["customer_id"] == 5].sort_values("event_timestamp").tail(1)
offline = predict(model, newest).iloc[0]
print(json.dumps({"by_id": [by_id.status_code, by_id.json()],
                  "missing": [missing.status_code, missing.json()],
                  "offline": [float(offline["churn_probability"]), int(offline["prediction"])]}))
"""


def _online(project: Path, feast_venv: Path, *customers: int) -> dict[int, dict]:
    out = run(
        [feast_venv / "bin/python", "-W", "ignore", "-c", ONLINE, *map(str, customers)],
        project / "features",
    ).stdout
    table = json.loads(out.strip().splitlines()[-1])
    return {
        customer: {name: table[name][i] for name in FEATURES}
        for i, customer in enumerate(table["customer_id"])
    }


def _training_row(project: Path, customer: int, when: str) -> dict:
    frame = pd.read_csv(project / TRAINING)
    row = frame[
        (frame["customer_id"] == customer)
        & (pd.to_datetime(frame["event_timestamp"], utc=True) == pd.Timestamp(when, tz="UTC"))
    ]
    assert len(row) == 1, f"customer {customer} at {when}: {len(row)} training rows"
    return {name: row.iloc[0][name] for name in FEATURES}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_ready(url: str, server: subprocess.Popen, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the feature server exited {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(1)
    pytest.fail(f"the feature server was not ready at {url} after {seconds} s")


def _same(online: dict, offline: dict) -> None:
    for name in FEATURES:
        if isinstance(offline[name], str):
            assert online[name] == offline[name], name
        else:
            assert online[name] == pytest.approx(float(offline[name])), name


def test_level2_trains_through_feast_point_in_time_and_serves_online(tmp_path, venv, feast_venv):
    project = generate(
        tmp_path, "e2e-feast", "--level", "2", "--orchestrator", "both",
        "--data", "feature_store=feast",
    )  # fmt: skip
    # The shared venv has every dependency; the package is imported from src/ (the other
    # level-2 tests run `make setup`, whose feast-setup step the fixture ran once).
    env = {"PYTHONPATH": str(project / "src"), "DVC_NO_ANALYTICS": "1",
           "FEAST_VENV": str(feast_venv)}  # fmt: skip
    started = time.perf_counter()

    # make train: the sample under DVC, the store's tables, feast apply, the point-in-time
    # training data, then the pipeline on it.
    out = make(project, "train", venv, **env).stdout
    assert "training data: 2000 rows from 2000 entity rows" in out, out
    lineage = json.loads((project / "data/features/training.json").read_text())
    assert lineage["feature_views"] == ["customer_features"]
    assert sorted(lineage["features"]) == sorted(FEATURES)
    store = mlflow_store(project, venv, "e2e_feast")
    (version,) = store["versions"]
    tags = version["tags"]
    assert tags["lineage.data_feature_service"] == "churn_model"
    assert tags["lineage.data_feature_views"] == "customer_features"
    assert tags["lineage.data_feature_definitions"] == lineage["definitions_digest"]
    # The data version is the raw data's (what DVC versions), which the tables were built
    # from, not the derived training CSV's.
    assert tags["lineage.data_path"] == str(DATA)
    assert tags["lineage.data_dvc_file"] == f"{DATA}.dvc"
    assert tags["lineage.data_version"] == hashlib.md5((project / DATA).read_bytes()).hexdigest()

    # A row arrives later: customer 5 changed on 1 March (a new label row as well). The raw
    # data now says who and when.
    raw = pd.read_csv(project / DATA)
    raw.insert(0, "customer_id", range(1, len(raw) + 1))
    raw.insert(1, "event_timestamp", "2026-01-01T00:00:00Z")
    before = raw[raw["customer_id"] == 5].iloc[0]
    late = raw[raw["customer_id"] == 5].assign(
        event_timestamp="2026-03-01T00:00:00Z", tenure_months=int(before["tenure_months"]) + 2,
        support_calls=int(before["support_calls"]) + 3, contract="two-year",
    )  # fmt: skip
    raw = pd.concat([raw, late], ignore_index=True)
    raw.to_csv(project / DATA, index=False)
    out = make(project, "feast-training-data", venv, **env).stdout
    assert "training data: 2001 rows from 2001 entity rows" in out, out

    # Point in time: the January row keeps January's features, the March row has March's.
    january = _training_row(project, 5, "2026-01-01")
    march = _training_row(project, 5, "2026-03-01")
    assert january["tenure_months"] == before["tenure_months"]
    assert january["contract"] == before["contract"]
    assert march["tenure_months"] == before["tenure_months"] + 2
    assert march["contract"] == "two-year"
    # The same transformation offline: the derived feature from March's raw values.
    assert march["support_calls_per_year"] == pytest.approx(
        (before["support_calls"] + 3) / ((before["tenure_months"] + 2) / 12)
    )

    # Online: materialised up to now, an entity's features are its newest offline row.
    make(project, "feast-materialize", venv, **env)
    online = _online(project, feast_venv, 5, 6)
    _same(online[5], march)
    _same(online[6], _training_row(project, 6, "2026-01-01"))

    # Over HTTP, without Feast in the project's environment: Feast's feature server (make
    # feast-serve) read by the project's own client (python -m <package>.online_features).
    port = _free_port()
    with open(tmp_path / "feast-serve.log", "w") as log:
        server = subprocess.Popen(
            ["make", "feast-serve", f"VENV={venv}", f"FEAST_PORT={port}"], cwd=project,
            env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_ready(f"{url}/health", server)
        client = [venv / "bin/python", "-m", "e2e_feast.online_features", "--url", url]
        rows = json.loads(run([*client, "5", "6"], project, env).stdout.strip().splitlines()[-1])
        assert [row["customer_id"] for row in rows] == [5, 6]
        _same(rows[0], march)
        _same(rows[1], _training_row(project, 6, "2026-01-01"))
        unknown = subprocess.run(
            [*map(str, client), "424242"], cwd=project, env={**os.environ, **env},
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert unknown.returncode == 1, unknown.stderr
        assert unknown.stderr.strip().splitlines() == [
            "error: no online features for customer_id 424242; make feast-materialize loads them"
        ]

        # /predict by customer id: the serving app reads the online features from the feature
        # server and gives the prediction offline scoring gives the same customer's newest row.
        serving_env = {**env, "FEAST_FEATURE_SERVER_URL": url, "SERVING_MODEL_VERSION": "1",
                       "SERVING_RELOAD_SECONDS": "0"}  # fmt: skip
        answers = json.loads(
            run([venv / "bin/python", "-W", "ignore", "-c", BY_ID], project, serving_env)
            .stdout.strip()
            .splitlines()[-1]
        )
        status, body = answers["by_id"]
        assert status == 200, body
        (prediction,) = body["predictions"]
        assert prediction["customer_id"] == 5
        probability, label = answers["offline"]
        assert prediction["probability"] == pytest.approx(probability)
        assert prediction["label"] == label
        assert answers["missing"] == [404, {
            "detail": "no online features for customer_id 424242; make feast-materialize loads them"
        }]  # fmt: skip
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)

    # A row arriving after that materialisation with an older event time: incremental
    # materialisation would skip it (its time is before the last run's end); FEAST_FROM loads it.
    raw = pd.read_csv(project / DATA)
    six = raw[raw["customer_id"] == 6].assign(event_timestamp="2026-02-01T00:00:00Z", age=77)
    pd.concat([raw, six], ignore_index=True).to_csv(project / DATA, index=False)
    make(project, "feast-materialize", venv, FEAST_FROM="2025-12-01T00:00:00", **env)
    assert _online(project, feast_venv, 6)[6]["age"] == 77
    print(f"feature store flow after the environment: {time.perf_counter() - started:.1f} s")

    # The Kubeflow pipeline on this machine (kfp.local): its own steps write the tables, the
    # point-in-time training data (Feast's environment, a process) and the online store, and
    # its training run records the feature views as make train's did. Customer 7 changed a
    # moment ago, after the last materialisation: only the pipeline's materialize step loads it.
    kfp_started = time.perf_counter()
    raw = pd.read_csv(project / DATA)
    now = pd.Timestamp.now(tz="UTC").floor("s").isoformat()
    seven = raw[raw["customer_id"] == 7].head(1).assign(event_timestamp=now, age=55)
    pd.concat([raw, seven], ignore_index=True).to_csv(project / DATA, index=False)
    # The pipeline reads the raw data DVC records, never the working copy: record it.
    run([venv / "bin/dvc", "add", "-q", str(DATA)], project, env)
    (project / TRAINING).unlink()
    out = make(project, "kfp-run", venv, **env).stdout
    for step in ("feature-tables-op", "training-data-op", "materialize-op", "prepare-op"):
        assert step in out, out
    assert len(pd.read_csv(project / TRAINING)) == 2003  # the pipeline's training data step
    store = mlflow_store(project, venv, "e2e_feast")
    (kfp_run,) = [r for r in store["runs"] if r["tags"]["lineage.orchestrator"] == "kubeflow"]
    (kfp_version,) = [v for v in store["versions"] if v["run_id"] == kfp_run["run_id"]]
    raw_version = hashlib.md5((project / DATA).read_bytes()).hexdigest()
    for record in (kfp_run["tags"], kfp_version["tags"]):
        assert record["lineage.data_feature_service"] == "churn_model"
        assert record["lineage.data_feature_views"] == "customer_features"
        assert record["lineage.data_feature_definitions"] == lineage["definitions_digest"]
        assert record["lineage.data_version"] == raw_version
    assert _online(project, feast_venv, 7)[7]["age"] == 55
    print(f"make kfp-run and its checks: {time.perf_counter() - kfp_started:.1f} s")

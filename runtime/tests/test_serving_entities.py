"""`/predict` by entity id: the app reads the entities' online features from a feature server
over HTTP (Feast's `feast serve`; here a real HTTP server answering in its wire format, since
Feast cannot run in the runtime's environment) and scores them like rows sent in the request."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fastapi.testclient import TestClient
from mlops_runtime.contract import ColumnSpec
from mlops_runtime.serving.app import ServingOptions, create_app
from mlops_runtime.serving.entities import EntityNotFound, FeatureServer, FeatureServerDown
from mlops_runtime.serving.hooks import ServingHooks
from serving_project import Recorder

FEATURES = [
    ColumnSpec("x", "number", minimum=0, maximum=10),
    ColumnSpec("kind", "string", allowed_values=["a", "b"]),
]
# The online store: customer -> features (with a derived column the contract does not name).
ONLINE = {
    5: {"x": 2.0, "kind": "a", "x_per_year": 0.5},
    6: {"x": 7.5, "kind": "b", "x_per_year": 1.0},
    9: {"x": 42.0, "kind": "a", "x_per_year": 3.0},  # outside the contract's range
}


def scorer(model, frame):
    probabilities = [float(x) / 10 for x in frame["x"]]
    return probabilities, [int(p >= 0.5) for p in probabilities]


class FeastWire(BaseHTTPRequestHandler):
    """`POST /get-online-features` as Feast's feature server answers it."""

    requests: list[dict] = []
    status = 200

    def do_POST(self):  # noqa: N802 - http.server's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(body)
        if self.path != "/get-online-features" or type(self).status != 200:
            self.send_response(type(self).status if self.path == "/get-online-features" else 404)
            self.end_headers()
            self.wfile.write(b'{"detail": "feature service churn_model\n not found"}')
            return
        ids = body["entities"]["customer_id"]
        names = ["customer_id", "x", "kind", "x_per_year"]
        results = [{"values": ids, "statuses": ["PRESENT"] * len(ids)}]
        for name in names[1:]:
            results.append({
                "values": [ONLINE.get(i, {}).get(name) for i in ids],
                "statuses": ["PRESENT" if i in ONLINE else "NOT_FOUND" for i in ids],
                "event_timestamps": ["2026-01-01T00:00:00Z"] * len(ids),
            })  # fmt: skip
        answer = json.dumps({"metadata": {"feature_names": names}, "results": results}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def feature_server():
    FeastWire.requests, FeastWire.status = [], 200
    server = ThreadingHTTPServer(("127.0.0.1", 0), FeastWire)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _app(project, url, **kwargs):
    server = FeatureServer(
        "customer_id", "churn_model", url=url, hint="make feast-materialize loads them",
        start_hint="start it with make feast-serve",
    )  # fmt: skip
    return create_app(
        project, FEATURES, scorer, options=ServingOptions(reload_seconds=0), entities=server,
        **kwargs,
    )  # fmt: skip


def test_predict_by_customer_id_scores_the_online_features_like_rows(
    serving_project, feature_server
):
    recorder = Recorder()
    with TestClient(_app(serving_project, feature_server, hooks=ServingHooks([recorder]))) as c:
        by_id = c.post("/predict", json={"customer_ids": [6, 5]})
        by_rows = c.post("/predict", json={"rows": [
            {"x": 7.5, "kind": "b"}, {"x": 2.0, "kind": "a"}]})  # fmt: skip
    assert by_id.status_code == 200, by_id.text
    predictions = by_id.json()["predictions"]
    assert [p["customer_id"] for p in predictions] == [6, 5]
    assert [p["probability"] for p in predictions] == [0.75, 0.2]
    assert [{k: v for k, v in p.items() if k != "customer_id"} for p in predictions] == (
        by_rows.json()["predictions"]
    )
    assert by_id.json()["model_version"] == "1"
    assert FeastWire.requests[0] == {
        "feature_service": "churn_model", "entities": {"customer_id": [6, 5]}
    }  # fmt: skip
    # The prediction event (prediction log, monitoring) holds the contract's columns only.
    assert list(recorder.events[0].features.columns) == ["x", "kind"]
    assert recorder.events[0].features["x"].tolist() == [7.5, 2.0]


def test_an_id_without_online_features_is_a_404_naming_it(serving_project, feature_server):
    with TestClient(_app(serving_project, feature_server)) as client:
        answer = client.post("/predict", json={"customer_ids": [5, 424242]})
    assert answer.status_code == 404
    assert answer.json()["detail"] == (
        "no online features for customer_id 424242; make feast-materialize loads them"
    )


def test_feature_server_down_is_a_503_with_one_line(serving_project, closed_port):
    url = f"http://127.0.0.1:{closed_port}"
    with TestClient(_app(serving_project, url)) as client:
        assert client.get("/ready").status_code == 200  # the model is there
        answer = client.post("/predict", json={"customer_ids": [5]})
        rows = client.post("/predict", json={"rows": [{"x": 1.0, "kind": "a"}]})
    assert answer.status_code == 503
    detail = answer.json()["detail"]
    assert detail.startswith(f"no answer from the feature server at {url} (")
    assert detail.endswith("; start it with make feast-serve") and "\n" not in detail
    assert rows.status_code == 200  # rows sent in the request need no feature server


def test_a_feature_server_error_is_a_503_naming_its_status(serving_project, feature_server):
    FeastWire.status = 500
    with TestClient(_app(serving_project, feature_server)) as client:
        answer = client.post("/predict", json={"customer_ids": [5]})
    assert answer.status_code == 503
    assert answer.json()["detail"] == (
        f"the feature server at {feature_server} answered 500: "
        '{"detail": "feature service churn_model not found"}'
    )


def test_an_online_value_the_contract_refuses_is_a_502_never_echoed(
    serving_project, feature_server
):
    with TestClient(_app(serving_project, feature_server)) as client:
        answer = client.post("/predict", json={"customer_ids": [9]})
    assert answer.status_code == 502
    (error,) = answer.json()["detail"]
    assert error["loc"] == ["online_features", "customer_id=9", "x"]
    assert error["type"] == "less_than_equal"
    assert "42" not in answer.text


def test_rows_or_ids_exactly_one_of_them(serving_project, feature_server):
    bodies = [
        {"rows": [{"x": 1.0, "kind": "a"}], "customer_ids": [5]},
        {},
        {"customer_ids": []},
        {"customer_ids": ["five"]},
    ]
    with TestClient(_app(serving_project, feature_server)) as client:
        statuses = [client.post("/predict", json=body).status_code for body in bodies]
    assert statuses == [422] * len(bodies)
    assert FeastWire.requests == []


def test_without_a_feature_store_ids_are_refused(serving_project):
    app = create_app(serving_project, FEATURES, scorer, options=ServingOptions(reload_seconds=0))
    with TestClient(app) as client:
        answer = client.post("/predict", json={"customer_ids": [5]})
    assert answer.status_code == 422
    assert "extra_forbidden" in [error["type"] for error in answer.json()["detail"]]


def test_the_client_alone(feature_server, monkeypatch, closed_port):
    monkeypatch.setenv("FEAST_FEATURE_SERVER_URL", feature_server)
    server = FeatureServer("customer_id", "churn_model")
    assert server.base_url() == feature_server
    assert server.rows([6]) == [{"customer_id": 6, "x": 7.5, "kind": "b", "x_per_year": 1.0}]
    with pytest.raises(EntityNotFound) as missing:
        server.rows([1, 2, 1])
    assert missing.value.ids == [1, 2]
    assert str(missing.value) == "no online features for customer_id 1, 2"
    monkeypatch.setenv("FEAST_FEATURE_SERVER_URL", f"http://127.0.0.1:{closed_port}")
    with pytest.raises(FeatureServerDown, match="^no answer from the feature server at "):
        server.rows([6])

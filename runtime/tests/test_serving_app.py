"""The serving app: loading, readiness, limits, request ids, metrics, and following the alias."""

from __future__ import annotations

import threading
import time

import pytest
from fastapi.testclient import TestClient
from mlops_runtime.contract import ColumnSpec
from mlops_runtime.serving.app import ServingOptions, create_app
from mlops_runtime.serving.hooks import ServingHooks
from mlops_runtime.serving.loader import LoadedModel
from prometheus_client.parser import text_string_to_metric_families
from serving_project import Recorder

FEATURES = [
    ColumnSpec("x", "number", minimum=0, maximum=10),
    ColumnSpec("kind", "string", allowed_values=["a", "b"]),
]
ROW = {"x": 1.5, "kind": "a"}


def scorer(model, frame):
    probabilities = [float(p) for p in model.predict_proba(frame)[:, 1]]
    return probabilities, [int(p >= 0.5) for p in probabilities]


def app(project, **kwargs):
    options = kwargs.pop("options", ServingOptions(reload_seconds=0))
    return create_app(project, FEATURES, scorer, options=options, **kwargs)


def samples(text: str) -> dict[tuple[str, tuple], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_serves_the_alias_version_with_server_request_ids(serving_project):
    recorder = Recorder()
    with TestClient(app(serving_project, hooks=ServingHooks([recorder]))) as client:
        assert client.get("/health").json()["status"] == "ok"
        ready = client.get("/ready").json()
        assert (ready["model_version"], ready["model_alias"]) == ("1", "champion")
        answer = client.post("/predict", json={"rows": [ROW, ROW]}, headers={"X-Request-ID": "x1"})
        assert answer.status_code == 200
        assert answer.json()["model_version"] == "1"
        assert [p["probability"] for p in answer.json()["predictions"]] == [0.1, 0.1]
        server_id = answer.headers["X-Request-ID"]
        assert server_id != "x1" and len(server_id) == 32
        again = client.post("/predict", json={"rows": [ROW]}, headers={"X-Request-ID": "x1"})
        assert again.headers["X-Request-ID"] != server_id  # a caller cannot pick the key
    first = recorder.events[0]
    assert (first.request_id, first.correlation_id) == (server_id, "x1")
    assert (first.model_version, len(first.features)) == ("1", 2)


@pytest.mark.parametrize(
    ("change", "field", "error_type"),
    [
        ({"x": 11}, "x", "less_than_equal"),
        ({"kind": "secret-value-c"}, "kind", "literal_error"),
        ({"x": "secret-many"}, "x", "float_parsing"),
        ({"secret_field": 1}, "secret_field", "extra_forbidden"),
    ],
)
def test_422_names_the_field_and_rule_never_the_value(serving_project, change, field, error_type):
    with TestClient(app(serving_project)) as client:
        response = client.post("/predict", json={"rows": [ROW, {**ROW, **change}]})
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert (error["loc"], error["type"]) == (["body", "rows", 1, field], error_type)
    assert "input" not in error and "secret-" not in response.text


def test_the_body_cap_holds_whatever_the_headers_say(serving_project):
    options = ServingOptions(reload_seconds=0, max_body_bytes=2000)
    big = b'{"rows": [' + b",".join([b'{"x": 1.0, "kind": "a"}'] * 200) + b"]}"
    with TestClient(app(serving_project, options=options)) as client:
        declared = client.post(
            "/predict", content=big, headers={"content-type": "application/json"}
        )
        assert declared.status_code == 413
        chunked = client.post(
            "/predict",
            content=iter([big[i : i + 500] for i in range(0, len(big), 500)]),
            headers={"content-type": "application/json"},
        )
        assert chunked.status_code == 413
        lying = client.post("/predict", content=b"{}", headers={"content-length": "-1"})
        assert lying.status_code == 400
        assert client.post("/predict", json={"rows": [ROW]}).status_code == 200


def test_too_many_rows_are_refused(serving_project):
    options = ServingOptions(reload_seconds=0, max_rows=3)
    with TestClient(app(serving_project, options=options)) as client:
        assert client.post("/predict", json={"rows": [ROW] * 4}).status_code == 422
        assert client.post("/predict", json={"rows": []}).status_code == 422


def test_not_ready_without_a_model_then_ready_when_it_appears(serving_project, serving_registry):
    serving_registry.ALIASES.clear()
    options = ServingOptions(reload_seconds=0, retry_seconds=0.05)
    with TestClient(app(serving_project, options=options)) as client:
        assert client.get("/health").status_code == 200
        ready = client.get("/ready")
        assert ready.status_code == 503 and "champion" in ready.json()["reason"]
        assert client.post("/predict", json={"rows": [ROW]}).status_code == 503
        serving_registry.ALIASES["champion"] = "7"  # the background retry finds it
        deadline = time.monotonic() + 10
        while client.get("/ready").status_code != 200:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert client.get("/ready").json()["model_version"] == "7"


def test_alias_from_the_environment_and_a_pinned_version(
    serving_project, serving_registry, monkeypatch
):
    serving_registry.ALIASES["candidate"] = "2"
    monkeypatch.setenv("SERVING_MODEL_ALIAS", "candidate")
    with TestClient(app(serving_project)) as client:
        assert client.get("/ready").json()["model_version"] == "2"
    monkeypatch.setenv("SERVING_MODEL_VERSION", "5")
    with TestClient(app(serving_project)) as client:
        ready = client.get("/ready").json()
        assert (ready["model_version"], ready["model_alias"]) == ("5", None)


def test_metrics_count_requests_predictions_and_the_model(serving_project):
    with TestClient(app(serving_project)) as client:
        client.post("/predict", json={"rows": [ROW, ROW, ROW]})
        client.post("/predict", json={"rows": [{**ROW, "x": -1}]})
        client.get("/no-such-page")
        text = client.get("/metrics").text
    got = samples(text)

    def value(name, **labels):
        return got.get((name, tuple(sorted({"project": "fake", **labels}.items()))), 0.0)

    on_predict = {"handler": "/predict", "method": "POST"}
    assert value("mlops_serving_requests_total", status="200", **on_predict) == 1
    assert value("mlops_serving_requests_total", status="422", **on_predict) == 1
    assert value("mlops_serving_requests_total", handler="other", method="GET", status="404") == 1
    assert value("mlops_serving_predictions_total", label="0") == 3
    assert value("mlops_serving_model_loaded") == 1
    info = "mlops_serving_model_info"
    assert value(info, model_name="m", model_version="1", alias="champion") == 1


def test_a_hook_not_ready_makes_the_app_not_ready(serving_project):
    recorder = Recorder()
    with TestClient(app(serving_project, hooks=ServingHooks([recorder]))) as client:
        assert client.get("/ready").status_code == 200
        recorder.is_ready = (False, "prediction log sink down for 130 s")
        ready = client.get("/ready")
        assert ready.status_code == 503 and "sink down" in ready.json()["reason"]
        assert client.post("/predict", json={"rows": [ROW]}).status_code == 200


def test_a_failing_hook_never_fails_a_request(serving_project):
    class Broken:
        def start(self):
            raise RuntimeError("no sink")

        after_predict = stop = start

    with TestClient(app(serving_project, hooks=ServingHooks([Broken()]))) as client:
        assert client.post("/predict", json={"rows": [ROW]}).status_code == 200


def test_a_rollback_reaches_traffic_within_the_interval_without_a_failed_request(
    serving_project, serving_registry
):
    """The alias moves 1 -> 2 (a promotion) and back to 1 (a rollback) while requests keep
    coming: every request answers 200, and within the interval the answers come from the
    version the alias names, with no restart."""
    serving_registry.ALIASES["champion"] = "1"
    interval = 0.2
    options = ServingOptions(reload_seconds=interval)
    answers: list[tuple[float, int, str]] = []
    stop = threading.Event()
    with TestClient(app(serving_project, options=options)) as client:

        def traffic():
            while not stop.is_set():
                response = client.post("/predict", json={"rows": [ROW]})
                version = (
                    response.json().get("model_version") if response.status_code == 200 else ""
                )
                answers.append((time.monotonic(), response.status_code, version))

        sender = threading.Thread(target=traffic)
        sender.start()
        try:
            for version in ("2", "1"):
                time.sleep(interval)
                serving_registry.ALIASES["champion"] = version
                moved = time.monotonic()
                # The interval, plus loading, plus a busy machine's stalls: generous, as a
                # reload thread scheduled late is slow, not wrong; a server that does not
                # follow the alias never answers with the new version.
                deadline = moved + interval * 2 + 15.0
                while not answers or answers[-1][0] < moved or answers[-1][2] != version:
                    assert time.monotonic() < deadline, f"still serving {answers[-1][2]}"
                    time.sleep(0.01)
                assert client.get("/ready").json()["model_version"] == version
        finally:
            stop.set()
            sender.join()
        text = client.get("/metrics").text
    assert answers and {status for _, status, _ in answers} == {200}
    served = [version for _, _, version in answers]
    assert served[0] == "1" and "2" in served and served[-1] == "1"
    assert serving_registry.LOADS == ["1", "2", "1"]  # loaded once per move, never per request
    assert samples(text)[("mlops_serving_model_swaps_total", (("project", "fake"),))] == 2


def test_a_registry_outage_keeps_the_current_version(serving_project, serving_registry):
    def broken(alias=None, config=None):
        raise ConnectionError("registry down")

    options = ServingOptions(reload_seconds=0)
    with TestClient(app(serving_project, options=options)) as client:
        state = client.app.state.serving
        serving_registry.champion_info = broken
        assert state.reload_if_moved() is False
        assert client.post("/predict", json={"rows": [ROW]}).json()["model_version"] == "1"
        text = client.get("/metrics").text
    assert samples(text)[("mlops_serving_model_reload_errors_total", (("project", "fake"),))] == 1


def test_a_given_loader_is_used(serving_project):
    from fakeserve.registry import Constant

    def loader(alias):
        return LoadedModel(model=Constant(0.9), name="m", version="9", alias=alias)

    with TestClient(app(serving_project, loader=loader, alias="champion")) as client:
        body = client.post("/predict", json={"rows": [ROW]}).json()
    assert body["model_version"] == "9" and body["predictions"][0]["label"] == 1


def test_load_model_follows_the_alias_unless_a_version_is_pinned(
    serving_project, serving_registry, monkeypatch
):
    from mlops_runtime.serving.loader import load_model

    serving_registry.ALIASES["challenger"] = "2"
    loaded = load_model(serving_project)  # the environment's alias
    assert (loaded.name, loaded.version, loaded.alias) == ("m", "1", "champion")
    assert loaded.model.probability == 0.1
    assert load_model(serving_project, "challenger").version == "2"
    monkeypatch.setenv("SERVING_MODEL_VERSION", "5")
    pinned = load_model(serving_project, "challenger")
    assert (pinned.version, pinned.alias, pinned.model.probability) == ("5", None, 0.5)
    monkeypatch.delenv("SERVING_MODEL_VERSION")
    with pytest.raises(LookupError, match="no version of model 'm' has alias 'staging'"):
        load_model(serving_project, "staging")

"""Champion/challenger routing: sticky assignment, the configured split, shadow mode."""

from __future__ import annotations

import threading
import time

import pandas as pd
from fastapi.testclient import TestClient
from mlops_runtime.contract import ColumnSpec
from mlops_runtime.serving.app import ServingOptions, create_app
from mlops_runtime.serving.hooks import ServingHooks
from mlops_runtime.serving.loader import LoadedModel
from mlops_runtime.serving.variants import (
    CHALLENGER,
    CHAMPION,
    VariantConfig,
    VariantRouter,
    assign,
    bucket,
)
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

FEATURES = [ColumnSpec("x", "number", minimum=0, maximum=10)]
ROW = {"x": 1.0}
SPLIT = VariantConfig(mode="split", challenger_share=0.1, salt="test")


def scorer(model, frame):
    probabilities = [float(p) for p in model.predict_proba(frame)[:, 1]]
    return probabilities, [int(p >= 0.5) for p in probabilities]


def ab_app(project, tmp_path, monkeypatch, mode, challenger=None, hooks=None):
    from fakeserve.registry import Constant

    (tmp_path / "ab.yaml").write_text("mode: off\nchallenger_share: 0.1\nsalt: s\n")
    monkeypatch.setenv("SERVING_AB_MODE", mode)
    models = {CHAMPION: Constant(0.2), CHALLENGER: Constant(0.8)}

    def loader(alias):
        alias = alias or CHAMPION
        if alias == CHALLENGER and challenger is not None:
            return challenger
        return LoadedModel(models[alias], "m", "1" if alias == CHAMPION else "2", alias)

    return create_app(
        project, FEATURES, scorer, loader=loader, hooks=hooks, ab_config="ab.yaml",
        options=ServingOptions(reload_seconds=0),
    )  # fmt: skip


def variant_counts(text: str) -> dict[str, float]:
    return {
        sample.labels["variant"]: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "mlops_serving_variant_requests_total"
        and sample.labels["outcome"] == "ok"
    }


def test_the_same_key_always_gets_the_same_variant():
    keys = [f"customer-{i}" for i in range(500)]
    first = [assign(key, SPLIT) for key in keys]
    assert [assign(key, SPLIT) for key in keys] == first
    assert bucket("customer-1", "test") != bucket("customer-1", "another-experiment")
    assert {assign(key, VariantConfig(mode="shadow")) for key in keys} == {CHAMPION}


def test_the_observed_split_is_the_configured_share_over_10000_requests(serving_project):
    from fakeserve.registry import Constant

    loaded = {
        a: LoadedModel(Constant(0.5), "m", v, a) for a, v in ((CHAMPION, "1"), (CHALLENGER, "2"))
    }
    router = VariantRouter("p", SPLIT, CollectorRegistry(), loader=loaded.get, scorer=scorer)
    router.load_challenger()
    frame = pd.DataFrame([ROW])
    served = [router.score(loaded[CHAMPION], frame, key=f"caller-{i}")[0].alias
              for i in range(10_000)]  # fmt: skip
    router.close()
    share = served.count(CHALLENGER) / len(served)
    assert abs(share - 0.1) < 0.012, share  # 10,000 draws at p=0.1: four standard errors


def test_split_mode_answers_with_the_assigned_sticky_variant(
    serving_project, tmp_path, monkeypatch
):
    with TestClient(ab_app(serving_project, tmp_path, monkeypatch, "split")) as client:
        seen = {}
        for i in range(300):
            key = f"user-{i % 100}"
            body = client.post("/predict", json={"rows": [ROW]}, headers={"X-Request-Key": key})
            alias = body.json()["model_alias"]
            assert seen.setdefault(key, alias) == alias
            assert alias == assign(key, VariantConfig(mode="split", challenger_share=0.1, salt="s"))
        assert set(seen.values()) == {CHAMPION, CHALLENGER}
        assert 'variant="challenger"' in client.get("/metrics").text


def test_shadow_mode_never_changes_a_response_and_logs_the_shadow(
    serving_project, tmp_path, monkeypatch
):
    events = []

    class Recorder:
        def start(self):
            pass

        stop = start

        def after_predict(self, event):
            events.append(event)

    hooks = ServingHooks([Recorder()])
    with TestClient(
        ab_app(serving_project, tmp_path, monkeypatch, "shadow", hooks=hooks)
    ) as client:
        answers = [client.post("/predict", json={"rows": [ROW]}).json() for _ in range(20)]
        deadline = time.monotonic() + 20
        while variant_counts(client.get("/metrics").text).get(CHALLENGER, 0) < 20:
            assert time.monotonic() < deadline, "the challenger did not score in the shadow"
            time.sleep(0.05)
    assert {a["model_alias"] for a in answers} == {CHAMPION}
    assert {a["predictions"][0]["probability"] for a in answers} == {0.2}
    shadow = [e for e in events if e.model_alias == "challenger-shadow"]
    assert len(shadow) == 20 and shadow[0].probabilities == [0.8]


def test_a_failing_or_slow_shadow_challenger_changes_nothing(
    serving_project, tmp_path, monkeypatch
):
    release = threading.Event()

    class Broken:
        def predict_proba(self, frame):
            release.wait(10)
            raise RuntimeError("challenger crashed")

    broken = LoadedModel(model=Broken(), name="m", version="9", alias=CHALLENGER)
    app = ab_app(serving_project, tmp_path, monkeypatch, "shadow", challenger=broken)
    with TestClient(app) as client:
        started = time.monotonic()
        answers = [client.post("/predict", json={"rows": [ROW]}) for _ in range(5)]
        assert time.monotonic() - started < 5  # never waited for the shadow
        release.set()
    assert {a.status_code for a in answers} == {200}

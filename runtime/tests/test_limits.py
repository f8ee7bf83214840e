"""Knowledge limits: the out-of-distribution score against the training ranges, the confidence,
the flags, and what the serving app does with them under each policy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from mlops_runtime.contract import ColumnSpec
from mlops_runtime.limits import (
    LimitsChecker,
    LimitsError,
    LimitsPolicy,
    RowLimits,
    training_ranges,
)
from mlops_runtime.serving.app import ServingOptions, create_app
from mlops_runtime.serving.loader import LoadedModel
from prometheus_client.parser import text_string_to_metric_families

TRAIN = pd.DataFrame({"x": [0.0, 5.0, 10.0], "n": [1, 2, 3], "kind": ["a", "b", "a"]})
FEATURES = [
    ColumnSpec("x", "number", minimum=-100, maximum=100),
    ColumnSpec("n", "integer", minimum=0, maximum=10),
    ColumnSpec("kind", "string", allowed_values=["a", "b", "c"]),
]


def test_ranges_and_scores_from_the_training_data():
    ranges = training_ranges(TRAIN)
    assert ranges == {"x": {"min": 0.0, "max": 10.0}, "n": {"min": 1.0, "max": 3.0},
                      "kind": {"values": ["a", "b"]}}  # fmt: skip
    checker = LimitsChecker(ranges, LimitsPolicy())
    rows = pd.DataFrame({"x": [5.0, 15.0, -2.0, 5.0], "n": [2, 2, 2, 2],
                         "kind": ["a", "a", "a", "c"]})  # fmt: skip
    inside, above, below, unseen = checker.assess(rows, [0.9, 0.9, 0.55, 0.1])
    assert inside == RowLimits(ood_score=0.0, out_of_range=(), confidence=0.9, flags=())
    assert inside.ood_score == 0.0 and inside.flags == () and inside.confidence == 0.9
    assert above.ood_score == pytest.approx(0.5) and above.out_of_range == ("x",)
    assert above.flags == ("out_of_range",)
    assert below.ood_score == pytest.approx(0.2)
    assert below.flags == ("out_of_range", "low_confidence")  # max(0.55, 0.45) < 0.6
    assert unseen.out_of_range == ("kind",) and unseen.ood_score == 1.0
    assert unseen.confidence == pytest.approx(0.9)
    lenient = LimitsChecker(ranges, LimitsPolicy(max_ood_score=0.3))
    assert lenient.assess(rows, [0.9] * 4)[2].flags == ()  # 0.2 range widths is tolerated


def test_a_version_without_ranges_gets_a_confidence_only():
    [row] = LimitsChecker({}, LimitsPolicy()).assess(TRAIN.head(1), [0.52])
    assert row.ood_score == 0.0 and row.flags == ("low_confidence",)


def test_bad_policies_are_refused_in_one_line(monkeypatch):
    with pytest.raises(LimitsError, match="choose one of return, flag, refuse"):
        LimitsPolicy(action="drop")
    monkeypatch.setenv("SERVING_MIN_CONFIDENCE", "0.2")
    with pytest.raises(LimitsError, match=r"min_confidence 0.2: give a value in \[0.5, 1\]"):
        LimitsPolicy.from_env()
    monkeypatch.setenv("SERVING_MIN_CONFIDENCE", "0.7")
    monkeypatch.setenv("SERVING_LIMITS_POLICY", "Refuse")
    assert LimitsPolicy.from_env() == LimitsPolicy("refuse", 0.0, 0.7)


class Linear:
    def predict_proba(self, frame):
        p = np.clip(frame["x"].to_numpy(dtype=float) / 10, 0.01, 0.99)
        return np.column_stack([1 - p, p])


def serve(project, policy: LimitsPolicy):
    def scorer(model, frame):
        p = [float(v) for v in model.predict_proba(frame)[:, 1]]
        return p, [int(v >= 0.5) for v in p]

    return create_app(
        project, FEATURES, scorer, loader=lambda alias: LoadedModel(Linear(), "m", "1", "champion"),
        limits=policy, ranges_loader=lambda loaded: training_ranges(TRAIN),
        options=ServingOptions(reload_seconds=0),
    )  # fmt: skip


def flagged(client) -> dict[str, float]:
    return {
        sample.labels["reason"]: sample.value
        for family in text_string_to_metric_families(client.get("/metrics").text)
        for sample in family.samples
        if sample.name == "mlops_serving_flagged_rows_total"
    }


GOOD = {"x": 9.0, "n": 2, "kind": "a"}
FAR = {"x": 20.0, "n": 2, "kind": "a"}


@pytest.mark.parametrize("action", ["return", "flag", "refuse"])
def test_each_policy_serves_flags_and_counts_them(serving_project, action):
    with TestClient(serve(serving_project, LimitsPolicy(action))) as client:
        answer = client.post("/predict", json={"rows": [GOOD, FAR]})
        assert flagged(client) == {"out_of_range": 1.0, "low_confidence": 0.0}
        if action == "refuse":
            assert answer.status_code == 422
            assert answer.json()["detail"] == [
                {"row": 1, "flags": ["out_of_range"], "features": ["x"]}
            ]
            assert "20.0" not in answer.text  # never the value sent
            assert client.post("/predict", json={"rows": [GOOD]}).status_code == 200
            return
        good, far = answer.json()["predictions"]
        if action == "return":
            assert far["flags"] is None and far["ood_score"] is None
        else:
            assert (good["flags"], far["flags"]) == ([], ["out_of_range"])
            assert far["ood_score"] == pytest.approx(1.0) and good["confidence"] == 0.9


def test_flagged_rows_reach_the_prediction_log_and_the_review(project, tmp_path, monkeypatch):
    import time

    from mlops_runtime.monitoring.cli import main
    from mlops_runtime.monitoring.prediction_log import PredictionBatch, write_partitioned

    monkeypatch.setenv("PREDICTION_LOG_URI", str(tmp_path / "predictions"))
    checker = LimitsChecker(training_ranges(TRAIN), LimitsPolicy())
    rows = pd.DataFrame({"x": [5.0, 40.0, 5.0], "n": [2, 2, 2], "kind": ["a", "a", "b"]})
    now = time.time()
    served = PredictionBatch(
        "req-1",
        rows,
        [0.9, 0.95, 0.52],
        [1, 1, 1],
        "m",
        "3",
        limits=checker.assess(rows, [0.9, 0.95, 0.52]),
        timestamp=now - 60,
    )
    batch = PredictionBatch("batch-1", rows.head(1), [0.9], [1], "m", "3", source="batch",
                            timestamp=now - 60)  # fmt: skip
    frame = served.to_frame()
    assert frame["limit_flags"].tolist() == ["", "out_of_range", "low_confidence"]
    assert frame["ood_score"].tolist() == pytest.approx([0.0, 3.0, 0.0])
    from mlops_runtime.monitoring.prediction_log import batches_to_frame

    mixed = batches_to_frame([served, batch])
    assert mixed["limit_flags"].tolist()[-1] == "" and np.isnan(mixed["confidence"].iloc[-1])
    write_partitioned(mixed, str(tmp_path / "predictions"))

    assert main(project, ["review", "--hours", "1"]) == 0
    report = (tmp_path / "reports" / "limits_review.md").read_text()
    assert "4 rows logged, 3 checked against the training ranges, 2 flagged" in report
    assert "| out_of_range | 1 |" in report and "| low_confidence | 1 |" in report
    lines = [line for line in report.splitlines() if "req-1" in line]
    assert len(lines) == 2 and "out_of_range" in lines[0] and "| 40.0000 |" in lines[0]
    assert main(project, ["review", "--hours", "0"]) == 1
    from mlops_runtime.monitoring.review import write_review

    path, flagged = write_review(project, hours=1, output="reports/direct.md")
    assert (path, flagged) == (project.root / "reports" / "direct.md", 2)
    assert "2 flagged" in path.read_text()
    assert write_review(project, hours=1, now=now - 3 * 3600)[1] == 0  # an empty window
    with pytest.raises(ValueError, match="give a positive number of hours"):
        write_review(project, hours=-1)


def test_the_ranges_are_fetched_when_the_version_loads_not_by_a_request(
    serving_project, monkeypatch
):
    """The registry look-up runs where the version is loaded (before /ready), once."""
    import time

    from mlops_runtime.serving import limits as serving_limits

    calls = []

    def slow_registry(project, name, version):
        time.sleep(0.5)
        calls.append((version, time.perf_counter()))
        return training_ranges(TRAIN)

    monkeypatch.setattr(serving_limits, "load_ranges", slow_registry)
    app = create_app(
        serving_project, FEATURES, lambda m, f: ([0.9] * len(f), [1] * len(f)),
        loader=lambda alias: LoadedModel(Linear(), "m", "1", "champion"),
        limits=LimitsPolicy("flag"), options=ServingOptions(reload_seconds=0),
    )  # fmt: skip
    with TestClient(app) as client:
        assert client.get("/ready").status_code == 200
        sent = time.perf_counter()
        first = client.post("/predict", json={"rows": [FAR]}).json()["predictions"][0]
        client.post("/predict", json={"rows": [FAR]})
    assert first["flags"] == ["out_of_range"]
    assert len(calls) == 1 and calls[0][1] < sent

"""The walkthrough's simulator and its reset (the whole walkthrough runs in the e2e level-3 test,
against a generated project's real serving app)."""

from __future__ import annotations

import time
from contextlib import closing

import pandas as pd
import pytest
from mlops_runtime.governance.audit import AuditLog
from mlops_runtime.monitoring.config import GuardConfig
from mlops_runtime.monitoring.guards import open_guards
from mlops_runtime.monitoring.prediction_log import (
    PredictionBatch,
    read_partitioned,
    write_partitioned,
)
from mlops_runtime.settings import load_settings
from mlops_runtime.state import open_store
from mlops_runtime.walkthrough.driver import WalkthroughError, reset
from mlops_runtime.walkthrough.simulator import Sent, make_traffic, record_labels
from sampleproj.data import TARGET, generate


def test_normal_traffic_is_the_generators_and_shifted_traffic_moves_only_the_named_columns(
    project,
):
    normal = make_traffic(project, 300, seed=5)
    expected = generate(300, seed=5)
    assert TARGET not in normal.features.columns
    assert (normal.labels == expected[TARGET].to_numpy()).all()
    shifted = make_traffic(project, 300, seed=5, shift={"monthly_charges": 45.0})
    moved = shifted.features["monthly_charges"] - normal.features["monthly_charges"]
    assert moved.round(6).eq(45.0).all()
    assert shifted.features.drop(columns="monthly_charges").equals(
        normal.features.drop(columns="monthly_charges")
    )
    flipped = make_traffic(project, 2000, seed=5, flip=0.5)
    share = (flipped.labels != generate(2000, seed=5)[TARGET].to_numpy()).mean()
    assert 0.45 < share < 0.55
    with pytest.raises(ValueError, match="no_such_column"):
        make_traffic(project, 10, seed=5, shift={"no_such_column": 1.0})


def _monitoring_config(project) -> None:
    config = project.root / "config" / "monitoring.yaml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("guards:\n  cooldown_hours: 24\n")


def test_reset_forgets_traffic_labels_reports_and_guards_but_not_the_audit_log(project):
    _monitoring_config(project)
    settings = load_settings(project)
    rows = generate(20, seed=1).drop(columns=TARGET)
    batch = PredictionBatch("req-1", rows, [0.5] * 20, [1] * 20, "m", "1", "champion")
    write_partitioned(batch.to_frame(), settings.prediction_log_uri)
    labels = pd.DataFrame({"request_id": ["req-1"] * 20, "row": range(20), "label": 1})
    record_labels(project, Sent(labels))
    reports = project.root / "artifacts" / "monitoring" / "reports"
    reports.mkdir(parents=True)
    (reports / "latest.json").write_text("{}")
    kept = project.root / "artifacts" / "monitoring" / "state" / "pages.jsonl"
    kept.parent.mkdir(parents=True)
    kept.write_text("{}\n")
    with closing(AuditLog.of(project)) as audit:
        audit.append(action="move", alias="champion", to="1", actor="ci")
    with open_guards(settings.state_uri, GuardConfig(), project.name) as guards:
        guards.begin("drift", ["test"], "digest-1")
    with open_store(settings.state_uri, project.name) as store:
        store.claim("alert-1", "receiver", 60)

    done = reset(project)

    assert any("storm guards reset, 1 idempotency key" in line for line in done), done
    assert len(read_partitioned(settings.prediction_log_uri, 0, time.time() + 1)) == 0
    assert len(read_partitioned(settings.feedback_uri, 0, time.time() + 1)) == 0
    assert not reports.exists() and kept.is_file()
    with closing(AuditLog.of(project)) as audit:
        assert [e["to"] for e in audit.entries()] == ["1"]
    with open_guards(settings.state_uri, GuardConfig(), project.name) as guards:
        status = guards.status()
        assert not status["in_flight"] and status["last"] is None
        assert guards.blockers("drift", "digest-1") == []  # no cool-down, no same-data refusal


@pytest.mark.parametrize(
    "variable, value, named",
    [
        ("MLOPS_ENV", "prod", "MLOPS_ENV"),
        ("PREDICTION_LOG_URI", "s3://bucket/predictions", "PREDICTION_LOG_URI"),
        ("MLOPS_STATE_URI", "postgresql+psycopg2://u:p@db/state", "MLOPS_STATE_URI"),
    ],
)
def test_reset_refuses_anything_but_a_laptops_state(project, monkeypatch, variable, value, named):
    _monitoring_config(project)
    settings = load_settings(project)
    batch = PredictionBatch("req-1", generate(5, seed=1).drop(columns=TARGET), [0.5] * 5,
                            [1] * 5, "m", "1", "champion")  # fmt: skip
    write_partitioned(batch.to_frame(), settings.prediction_log_uri)
    monkeypatch.setenv(variable, value)
    with pytest.raises(WalkthroughError, match=named):
        reset(project)
    monkeypatch.delenv(variable)
    assert len(read_partitioned(settings.prediction_log_uri, 0, time.time() + 1)) == 5


def test_replay_logs_the_served_versions_scores_stamped_at_the_clocks_time(
    serving_project, serving_registry
):
    import dataclasses
    from collections import Counter

    import numpy as np
    from mlops_runtime.walkthrough.driver import Options
    from mlops_runtime.walkthrough.simulator import Scenario, Traffic, replay

    serving_registry.ALIASES["champion"] = "4"
    features = pd.DataFrame({"tenure": [1, 2, 3], "plan": ["a", "b", "a"]})
    traffic = Traffic(features, np.array([1, 0, 1]))
    at = time.time() - 2 * 86400  # two simulated days ago

    def score(model, frame):
        probabilities = model.predict_proba(frame)[:, 1].tolist()
        return probabilities, [int(p >= 0.5) for p in probabilities]

    sent = replay(serving_project, traffic, at, score)
    assert sent.versions == Counter({"4": 3})
    assert sent.labels["label"].tolist() == [1, 0, 1] and sent.labels["row"].tolist() == [0, 1, 2]
    uri = load_settings(serving_project).prediction_log_uri
    assert len(read_partitioned(uri, at + 1, time.time() + 1)) == 0  # not logged as now
    logged = read_partitioned(uri, at - 1, at + 1)
    assert logged["probability"].tolist() == pytest.approx([0.4] * 3)
    assert set(logged["model_version"]) == {"4"} and set(logged["source"]) == {"simulator"}
    assert set(logged["request_id"]) == set(sent.labels["request_id"])

    # The binding's scenario and the run's options: the documented defaults.
    scenario = Scenario(app="pkg.serving.app:app", shift={"monthly_charges": 45.0}, score=score)
    assert (scenario.rows, scenario.decay_flip, scenario.seed) == (400, 0.5, 2026)
    with pytest.raises(dataclasses.FrozenInstanceError):
        scenario.rows = 10
    options = Options(days=0)
    assert (options.port, options.reset, options.days) == (0, True, 0)

"""A retrain that spans orchestrator tasks (the KFP training pipeline, the Airflow training DAG)
keeps its single-flight lease alive while a long task trains, however long that is, and a task
that stops renewing lets it lapse."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pytest
from mlops_runtime.monitoring.config import GuardConfig, MonitoringConfig
from mlops_runtime.monitoring.guards import LEASE, RetrainRefused, open_guards
from mlops_runtime.monitoring.retrain import begin_retrain, finish_retrain, keep_alive
from mlops_runtime.settings import load_settings
from mlops_runtime.state import open_store

# Leases of seconds: a task renews every 0.4 s (a third of 1.2 s); between tasks 3 s.
GUARDS = GuardConfig(cooldown_hours=0, lease_ttl_minutes=0.02, lock_timeout_hours=3 / 3600)


@dataclass(frozen=True)
class Data:
    source: str | None = None
    n_rows: int = 200
    seed: int = 1


@dataclass(frozen=True)
class Config:
    data: Data = field(default_factory=Data)


def _begin(project, config, trigger="drift"):
    return begin_retrain(project, trigger, ["test"], config=config, pipeline_config=Config(),
                         settings=load_settings(project))  # fmt: skip


def _lease(project):
    with open_store(load_settings(project).state_uri, project.name) as store:
        return store.lease(LEASE)


def test_a_task_longer_than_the_lock_timeout_keeps_the_lease_and_leaves_it_for_the_next(project):
    config = MonitoringConfig(guards=GUARDS)
    started = _begin(project, config)
    with keep_alive(project, started, config=config) as beat:
        time.sleep(4.5)  # longer than lock_timeout_hours (3 s): without renewal it would lapse
        lease = _lease(project)
        assert lease is not None and lease.holder == started["ticket"]
        assert not beat.lost.is_set()
        with pytest.raises(RetrainRefused, match="single flight"):
            _begin(project, config, trigger="manual")
    # Between tasks the lease is left lock_timeout_hours again (for the next task or the exit
    # handler), not the few seconds of a heartbeat's TTL.
    left = _lease(project).expires_at - time.time()
    assert 2.0 < left <= 3.0, left
    outcome = finish_retrain(project, started, error="stopped by the test", config=config)
    assert outcome.status == "failed" and _lease(project) is None


def test_a_task_whose_lease_was_taken_over_refuses_to_train(project):
    config = MonitoringConfig(guards=GUARDS)
    started = _begin(project, config)
    time.sleep(3.3)  # the task never started: the lease lapsed ...
    other = _begin(project, config, trigger="manual")  # ... and another retrain took it
    with (
        pytest.raises(RetrainRefused, match="no longer holds the lease"),
        keep_alive(project, json_of(started), config=config),
    ):
        pytest.fail("the task trained without the lease")
    assert _lease(project).holder == other["ticket"]
    with open_guards(load_settings(project).state_uri, GUARDS, project.name) as guards:
        assert guards.store.retrain(started["ticket"]).outcome == "failed"  # abandoned


def test_a_run_that_is_no_guarded_retrain_has_nothing_to_keep_alive(project):
    with keep_alive(project, "") as beat:
        assert beat is None


def json_of(started: dict) -> str:
    import json

    return json.dumps(started)

"""A retrain that spans orchestrator tasks (the KFP training pipeline, the Airflow training DAG)
keeps its single-flight lease alive while a long task trains, however long that is, and a task
that stops renewing lets it lapse."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from lease_clock import StepClock
from mlops_runtime.monitoring import retrain as retrain_module
from mlops_runtime.monitoring.config import GuardConfig, MonitoringConfig
from mlops_runtime.monitoring.guards import (
    LEASE,
    RetrainGuards,
    RetrainRefused,
    Ticket,
    open_guards,
)
from mlops_runtime.monitoring.retrain import begin_retrain, finish_retrain, keep_alive, retrain
from mlops_runtime.settings import load_settings
from mlops_runtime.state import fence_problems, open_store

# Leases of seconds on a clock the test moves (lease_clock): a task renews every 0.1 s of real
# time (a third of 0.3 s), the lease lives 0.3 s of the test's time; between tasks 3 s.
GUARDS = GuardConfig(cooldown_hours=0, lease_ttl_minutes=0.005, lock_timeout_hours=3 / 3600)


@dataclass(frozen=True)
class Data:
    source: str | None = None
    n_rows: int = 200
    seed: int = 1


@dataclass(frozen=True)
class Config:
    data: Data = field(default_factory=Data)


@pytest.fixture
def clock(monkeypatch) -> StepClock:
    """Every guard the retrain functions open reads this clock."""
    clock = StepClock()

    def open_guards(state_uri, cfg, project):
        return RetrainGuards(state_uri, cfg, clock=clock, namespace=project)

    monkeypatch.setattr(retrain_module, "open_guards", open_guards)
    return clock


def _begin(project, config, trigger="drift"):
    return begin_retrain(project, trigger, ["test"], config=config, pipeline_config=Config(),
                         settings=load_settings(project))  # fmt: skip


def _lease(project, clock):
    with open_store(load_settings(project).state_uri, project.name, clock) as store:
        return store.lease(LEASE)


def test_a_task_longer_than_the_lock_timeout_keeps_the_lease_and_leaves_it_for_the_next(
    project, clock
):
    config = MonitoringConfig(guards=GUARDS)
    started = _begin(project, config)
    start = clock.now
    with keep_alive(project, started, config=config) as beat:
        # longer than lock_timeout_hours (3 s): without renewal it would lapse
        lease = clock.run_past(start + 4.5, 0.2, lambda: _lease(project, clock))
        assert lease.holder == started["ticket"] and lease.acquired_at == start
        assert not beat.lost.is_set()
        with pytest.raises(RetrainRefused, match="single flight"):
            _begin(project, config, trigger="manual")
    # Between tasks the lease is left lock_timeout_hours again (for the next task or the exit
    # handler), not the fraction of a second of a heartbeat's TTL.
    assert _lease(project, clock).expires_at == clock.now + 3.0
    outcome = finish_retrain(project, started, error="stopped by the test", config=config)
    assert outcome.status == "failed" and _lease(project, clock) is None


def test_a_task_whose_lease_was_taken_over_refuses_to_train(project, clock):
    config = MonitoringConfig(guards=GUARDS)
    started = _begin(project, config)
    clock.now += 3.3  # the task never started: the lease lapsed ...
    other = _begin(project, config, trigger="manual")  # ... and another retrain took it
    with (
        pytest.raises(RetrainRefused, match="no longer holds the lease"),
        keep_alive(project, json_of(started), config=config),
    ):
        pytest.fail("the task trained without the lease")
    assert _lease(project, clock).holder == other["ticket"]
    with open_guards(load_settings(project).state_uri, GUARDS, project.name, clock) as guards:
        assert guards.store.retrain(started["ticket"]).outcome == "failed"  # abandoned


def test_a_retrain_whose_lease_lapsed_while_it_trained_says_it_was_not_counted(project, clock):
    """Its heartbeat starved past the TTL, another retrain took the lease and recorded it
    abandoned: its late end must not pass for a counted success."""
    config = MonitoringConfig(guards=GUARDS)
    taken = {}

    def runner(_config):
        clock.now += 1.0  # no renewal for longer than the 0.3 s TTL
        taken.update(_begin(project, config, trigger="manual"))
        return {"registered": {"version": "2", "promoted": True}}

    outcome = retrain(project, "drift", ["x"], config=config, pipeline_config=Config(),
                      runner=runner)  # fmt: skip
    assert "already recorded retrain" in outcome.detail and "abandoned" in outcome.detail
    assert _lease(project, clock).holder == taken["ticket"]  # the late beat did not take it back
    with open_guards(load_settings(project).state_uri, GUARDS, project.name, clock) as guards:
        assert guards.status()["totals"] == {"succeeded": 0, "failed": 1, "refused": 0}


def test_a_retrain_whose_lease_lapsed_while_it_trained_is_fenced_from_acting(project, clock):
    """What the late run would do next (move the champion: governance asks `fence_problems`)
    is refused once the lease lapsed and another retrain took it, and allowed before."""
    config = MonitoringConfig(guards=GUARDS)
    seen, taken = {}, {}

    def runner(_config):
        seen["holding"] = fence_problems()
        clock.now += 1.0  # no renewal for longer than the 0.3 s TTL
        taken.update(_begin(project, config, trigger="manual"))
        seen["lapsed"] = fence_problems()
        return {"registered": {"version": "2", "promoted": False}}

    retrain(project, "drift", ["x"], config=config, pipeline_config=Config(), runner=runner)
    assert seen["holding"] == []
    (problem,) = seen["lapsed"]
    assert "no longer holds the lease" in problem and taken["ticket"] in problem
    assert fence_problems() == []  # the fence ends with the run
    assert _lease(project, clock).holder == taken["ticket"]  # the check did not take it back


def test_still_holds_renews_a_held_lease_and_names_who_took_a_lapsed_one(project, clock):
    config = MonitoringConfig(guards=GUARDS)
    started = _begin(project, config)
    ticket = Ticket(started["ticket"], "drift", started["data_digest"])
    with open_guards(load_settings(project).state_uri, GUARDS, project.name, clock) as guards:
        assert guards.still_holds(ticket) is None
        assert _lease(project, clock).expires_at == pytest.approx(clock.now + 0.3)  # renewed
        clock.now += 1.0
        other = _begin(project, config, trigger="manual")
        problem = guards.still_holds(ticket)
    assert f"retrain {ticket.id} no longer holds the lease" in problem
    assert f"retrain {other['ticket']} holds it now" in problem


def test_a_task_is_fenced_once_its_lease_was_taken_over(project, clock):
    config = MonitoringConfig(guards=GUARDS)
    started = _begin(project, config)
    with keep_alive(project, started, config=config) as beat:
        assert fence_problems() == []
        beat.stop()  # the task stalls: no renewal ...
        clock.now += 1.0
        other = _begin(project, config, trigger="manual")  # ... and the lease is taken over
        (problem,) = fence_problems()
        assert f"retrain {started['ticket']} no longer holds the lease" in problem
        assert other["ticket"] in problem


def test_a_retrain_whose_lease_lapsed_before_it_trained_fails_without_training(
    project, clock, monkeypatch
):
    """Between taking the lease and its heartbeat's first renewal the process stalled past the
    TTL: retrain() must not train without the lease, and must not raise (it never does for a
    refusal), but record the retrain failed."""
    config = MonitoringConfig(guards=GUARDS)
    real_begin = retrain_module.begin_retrain

    def begin_then_stall(*args, **kwargs):
        started = real_begin(*args, **kwargs)
        clock.now += 1.0  # longer than the 0.3 s TTL
        return started

    monkeypatch.setattr(retrain_module, "begin_retrain", begin_then_stall)
    trained = []
    outcome = retrain(project, "drift", ["x"], config=config, pipeline_config=Config(),
                      runner=trained.append)  # fmt: skip
    assert trained == [] and outcome.status == "failed"
    assert "no longer holds the lease" in outcome.detail
    with open_guards(load_settings(project).state_uri, GUARDS, project.name, clock) as guards:
        assert guards.status()["totals"] == {"succeeded": 0, "failed": 1, "refused": 0}


def test_a_run_that_is_no_guarded_retrain_has_nothing_to_keep_alive(project):
    with keep_alive(project, "") as beat:
        assert beat is None


def json_of(started: dict) -> str:
    import json

    return json.dumps(started)


def test_the_finished_retrain_tags_its_run_without_pinning_mlflows_global_uri(project):
    """Tagging the run must not leave MLflow's process-wide tracking URI on this project's
    store: later code (a later test in the same worker) would write into it."""
    import mlflow
    from mlflow.tracking import MlflowClient

    config = MonitoringConfig(guards=GuardConfig(cooldown_hours=0))
    settings = load_settings(project)
    client = MlflowClient(settings.tracking_uri)
    run = client.create_run(client.create_experiment("retrain-tags"))
    before = mlflow.get_tracking_uri()
    started = _begin(project, config)
    finish_retrain(project, started, {"version": "3", "promoted": True}, run_id=run.info.run_id,
                   config=config)  # fmt: skip
    tags = client.get_run(run.info.run_id).data.tags
    assert tags["retrain.id"] == started["ticket"] and tags["retrain.trigger"] == "drift"
    assert mlflow.get_tracking_uri() == before

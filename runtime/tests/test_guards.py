"""Storm guards: cool-down, rate limit, single flight, same data, circuit breaker; state persists."""

from __future__ import annotations

import pytest

from mlops_runtime.monitoring.config import GuardConfig
from mlops_runtime.monitoring.guards import RetrainGuards, RetrainRefused

HOUR = 3600.0


class Clock:
    def __init__(self, now: float = 1_700_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def guards(tmp_path, clock, **overrides) -> RetrainGuards:
    return RetrainGuards(tmp_path / "state", GuardConfig(**overrides), clock=clock)


def test_cooldown_refuses_a_second_retrain_and_persists(tmp_path):
    clock = Clock()
    first = guards(tmp_path, clock, cooldown_hours=24)
    ticket = first.begin("drift", ["drift: x"], data_digest="a")
    first.finish(ticket, True)
    clock.now += 2 * HOUR
    again = guards(tmp_path, clock, cooldown_hours=24)  # a new process reads the same state
    with pytest.raises(RetrainRefused, match="cool-down"):
        again.begin("drift", data_digest="b")
    assert again.status()["totals"] == {"succeeded": 1, "failed": 0, "refused": 1}
    clock.now += 23 * HOUR
    again.finish(again.begin("drift", data_digest="b"), True)


def test_at_most_n_per_window(tmp_path):
    clock = Clock()
    g = guards(tmp_path, clock, cooldown_hours=0, max_retrains=2, per_hours=24)
    for digest in "ab":
        g.finish(g.begin("drift", data_digest=digest), True)
        clock.now += HOUR
    with pytest.raises(RetrainRefused, match="rate limit"):
        g.begin("drift", data_digest="c")
    clock.now += 24 * HOUR
    g.begin("drift", data_digest="c")


def test_single_flight(tmp_path):
    clock = Clock()
    g = guards(tmp_path, clock, cooldown_hours=0, lock_timeout_hours=6)
    running = g.begin("drift", data_digest="a")
    assert g.status()["in_flight"]
    with pytest.raises(RetrainRefused, match="single flight"):
        g.begin("schedule", data_digest="b")  # not even the schedule runs beside it
    with pytest.raises(RetrainRefused, match="single flight"):
        g.begin("manual", data_digest="b", force=True)
    g.finish(running, True)
    g.finish(g.begin("drift", data_digest="b"), True)


def test_a_dead_flight_is_taken_over_after_the_timeout(tmp_path):
    clock = Clock()
    g = guards(tmp_path, clock, cooldown_hours=0, lock_timeout_hours=1)
    g.begin("drift", data_digest="a")  # never finished: the process died
    clock.now += 2 * HOUR
    g.finish(g.begin("drift", data_digest="b"), True)


def test_same_data_is_refused_unless_forced(tmp_path):
    clock = Clock()
    g = guards(tmp_path, clock, cooldown_hours=0)
    g.finish(g.begin("drift", data_digest="same"), True)
    with pytest.raises(RetrainRefused, match="same data"):
        g.begin("decay", data_digest="same")
    g.finish(g.begin("manual", data_digest="same", force=True), True)


def test_a_failed_run_does_not_block_the_same_data(tmp_path):
    clock = Clock()
    g = guards(tmp_path, clock, cooldown_hours=0)
    g.finish(g.begin("drift", data_digest="d"), False, "boom")
    g.finish(g.begin("drift", data_digest="d"), True)


def test_circuit_breaker_opens_pages_and_half_opens(tmp_path):
    clock = Clock()
    g = guards(
        tmp_path,
        clock,
        cooldown_hours=0,
        max_retrains=10,
        failure_threshold=3,
        breaker_reset_hours=12,
    )
    for digest in "abc":
        g.finish(g.begin("drift", data_digest=digest), False, "training failed")
    status = g.status()
    assert status["circuit_open"] and status["consecutive_failures"] == 3
    with pytest.raises(RetrainRefused, match="circuit breaker open.*page"):
        g.begin("schedule", data_digest="d")
    with pytest.raises(RetrainRefused, match="circuit breaker"):
        g.begin("manual", data_digest="d", force=True)
    clock.now += 13 * HOUR  # half-open: one attempt; it fails, the breaker opens again
    g.finish(g.begin("drift", data_digest="d"), False, "still failing")
    with pytest.raises(RetrainRefused, match="circuit breaker"):
        g.begin("drift", data_digest="e")
    g.reset()  # a person fixed it
    g.finish(g.begin("drift", data_digest="e"), True)
    assert not g.status()["circuit_open"] and g.status()["consecutive_failures"] == 0


def test_schedule_skips_cooldown_but_is_recorded(tmp_path):
    clock = Clock()
    g = guards(tmp_path, clock, cooldown_hours=24)
    g.finish(g.begin("drift", data_digest="a"), True)
    g.finish(g.begin("schedule", data_digest="a"), True)
    assert g.status()["totals"]["succeeded"] == 2

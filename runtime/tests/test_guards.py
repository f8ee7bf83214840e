"""Storm guards: cool-down, rate limit, single flight, same data, circuit breaker; the state
persists in the shared store (SQLite and a real PostgreSQL), leases expire, every piece of state
has a way out."""

from __future__ import annotations

import pytest
from lease_clock import StepClock
from mlops_runtime.monitoring.config import GuardConfig
from mlops_runtime.monitoring.guards import LEASE, RetrainGuards, RetrainRefused

HOUR = 3600.0


class Clock:
    def __init__(self, now: float = 1_700_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def guards(state_uri, clock, **overrides) -> RetrainGuards:
    return RetrainGuards(state_uri, GuardConfig(**overrides), clock=clock, namespace="sample")


def test_cooldown_refuses_a_second_retrain_and_persists(state_uri):
    clock = Clock()
    first = guards(state_uri, clock, cooldown_hours=24)
    ticket = first.begin("drift", ["drift: x"], data_digest="a")
    first.finish(ticket, True)
    clock.now += 2 * HOUR
    again = guards(state_uri, clock, cooldown_hours=24)  # a new process reads the same state
    with pytest.raises(RetrainRefused, match="cool-down"):
        again.begin("drift", data_digest="b")
    assert again.status()["totals"] == {"succeeded": 1, "failed": 0, "refused": 1}
    clock.now += 23 * HOUR
    again.finish(again.begin("drift", data_digest="b"), True)


def test_at_most_n_per_window(state_uri):
    clock = Clock()
    g = guards(state_uri, clock, cooldown_hours=0, max_retrains=2, per_hours=24)
    for digest in "ab":
        g.finish(g.begin("drift", data_digest=digest), True)
        clock.now += HOUR
    with pytest.raises(RetrainRefused, match="rate limit"):
        g.begin("drift", data_digest="c")
    clock.now += 24 * HOUR
    g.begin("drift", data_digest="c")


def test_single_flight(state_uri):
    clock = Clock()
    g = guards(state_uri, clock, cooldown_hours=0, lock_timeout_hours=6)
    running = g.begin("drift", data_digest="a")
    assert g.status()["in_flight"]
    with pytest.raises(RetrainRefused, match="single flight"):
        g.begin("schedule", data_digest="b")  # not even the schedule runs beside it
    with pytest.raises(RetrainRefused, match="single flight"):
        g.begin("manual", data_digest="b", force=True)
    g.finish(running, True)
    g.finish(g.begin("drift", data_digest="b"), True)


def test_a_dead_flight_is_taken_over_after_the_timeout(state_uri):
    clock = Clock()
    g = guards(state_uri, clock, cooldown_hours=0, lock_timeout_hours=1)
    g.begin("drift", data_digest="a")  # never finished: the process died
    clock.now += 2 * HOUR
    g.finish(g.begin("drift", data_digest="b"), True)


def test_same_data_is_refused_unless_forced(state_uri):
    clock = Clock()
    g = guards(state_uri, clock, cooldown_hours=0)
    g.finish(g.begin("drift", data_digest="same"), True)
    with pytest.raises(RetrainRefused, match="same data"):
        g.begin("decay", data_digest="same")
    g.finish(g.begin("manual", data_digest="same", force=True), True)


def test_a_failed_run_does_not_block_the_same_data(state_uri):
    clock = Clock()
    g = guards(state_uri, clock, cooldown_hours=0)
    g.finish(g.begin("drift", data_digest="d"), False, "boom")
    g.finish(g.begin("drift", data_digest="d"), True)


def test_circuit_breaker_opens_pages_and_half_opens(state_uri):
    clock = Clock()
    g = guards(
        state_uri,
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


def test_schedule_skips_cooldown_but_is_recorded(state_uri):
    clock = Clock()
    g = guards(state_uri, clock, cooldown_hours=24)
    g.finish(g.begin("drift", data_digest="a"), True)
    g.finish(g.begin("schedule", data_digest="a"), True)
    assert g.status()["totals"]["succeeded"] == 2


# -- the shared store: leases, accounting, the operator's ways out ---------------------------------
def test_a_failed_retrain_releases_its_lease_and_counts_toward_the_breaker(state_uri):
    clock = Clock()
    g = guards(state_uri, clock, cooldown_hours=0, failure_threshold=2)
    ticket = g.begin("drift", data_digest="a")
    assert g.status()["lease"]["id"] == ticket.id
    assert g.finish(ticket, False, "training failed")
    assert not g.finish(ticket, False, "reported twice")  # the exit handler after the task
    status = g.status()
    assert not status["in_flight"] and status["consecutive_failures"] == 1
    assert status["totals"]["failed"] == 1
    g.finish(g.begin("drift", data_digest="b"), False, "again")
    assert g.status()["circuit_open"]


def test_a_dead_retrains_lease_expires_and_it_is_recorded_failed(state_uri):
    clock = Clock()
    g = guards(state_uri, clock, cooldown_hours=0, lease_ttl_minutes=10)
    dead = g.begin("drift", data_digest="a", spans_tasks=False)  # then the process was killed
    with pytest.raises(RetrainRefused, match="single flight"):
        g.begin("drift", data_digest="b")
    clock.now += 11 * 60  # no heartbeat for longer than the TTL
    g.finish(g.begin("drift", data_digest="b"), True)
    history = {h["id"]: h for h in [g.store.retrain(dead.id).as_dict()]}
    assert history[dead.id]["outcome"] == "failed" and "abandoned" in history[dead.id]["detail"]
    assert g.status()["totals"] == {"succeeded": 1, "failed": 1, "refused": 1}


def test_a_retrain_starting_while_another_settles_is_not_called_abandoned(state_uri):
    """The interleaving two processes met in CI: B looks for abandoned retrains while A takes
    the lease and records its start. A's retrain must stay running and end succeeded."""
    clock = Clock()
    a = guards(state_uri, clock, cooldown_hours=0)
    b = guards(state_uri, clock, cooldown_hours=0)
    started = []
    real_lease = b.store.lease

    def lease_then_a_starts(*args, **kwargs):
        found = real_lease(*args, **kwargs)
        if not started:  # A begins right after B's first look at the lease
            started.append(a.begin("drift", data_digest="a", spans_tasks=False))
        return found

    b.store.lease = lease_then_a_starts
    with pytest.raises(RetrainRefused, match="single flight"):
        b.begin("drift", data_digest="b")
    assert a.store.retrain(started[0].id).outcome == "running"
    assert a.finish(started[0], True)
    assert a.status()["totals"] == {"succeeded": 1, "failed": 0, "refused": 1}


def test_a_late_heartbeat_does_not_revive_a_retrain_recorded_abandoned(state_uri):
    """A's heartbeat thread is starved past the TTL. B's begin records A abandoned (a failure
    toward the breaker) and is refused by the cool-down; A's late renewal must then find the
    lease lost, not hold it again for a retrain the history calls failed."""
    clock = Clock()
    a = guards(state_uri, clock, cooldown_hours=1, lease_ttl_minutes=1)
    b = guards(state_uri, clock, cooldown_hours=1, lease_ttl_minutes=1)
    ticket = a.begin("drift", data_digest="a", spans_tasks=False)
    clock.now += 61  # no renewal for longer than the 60 s TTL
    with pytest.raises(RetrainRefused, match="cool-down"):
        b.begin("drift", data_digest="b")
    assert a.store.retrain(ticket.id).outcome == "failed"
    assert a.store.renew(LEASE, ticket.id, 60) is None  # the heartbeat's late beat
    with pytest.raises(RetrainRefused, match="no longer holds the lease"):
        a.heartbeat(ticket)
    assert not a.finish(ticket, True)  # recorded once: abandoned
    assert b.status()["totals"] == {"succeeded": 0, "failed": 1, "refused": 1}
    assert not b.status()["in_flight"]


def test_a_heartbeat_keeps_an_in_process_retrain_alive(state_uri):
    """Time moves on only after each renewal (lease_clock), so a late thread cannot fail it."""
    clock = StepClock()
    g = guards(state_uri, clock, cooldown_hours=0, lease_ttl_minutes=0.005)  # 0.3 s, beat 0.1 s
    ticket = g.begin("drift", data_digest="a", spans_tasks=False)
    beat = g.heartbeat(ticket)
    try:
        start = clock.now
        lease = clock.run_past(start + 1.0, 0.2, lambda: g.store.lease(LEASE))  # > 3 TTLs
        assert lease.holder == ticket.id and lease.acquired_at == start
        with pytest.raises(RetrainRefused, match="single flight"):
            g.begin("manual", data_digest="b", force=True)
        assert not beat.lost.is_set()
    finally:
        beat.stop()
    assert g.finish(ticket, True)


def test_release_frees_a_stuck_lease_and_records_the_retrain_failed(state_uri):
    clock = Clock()
    g = guards(state_uri, clock, cooldown_hours=0)
    stuck = g.begin("drift", data_digest="a")  # an orchestrated retrain whose run vanished
    released = g.release()
    assert released["id"] == stuck.id
    assert g.store.retrain(stuck.id).outcome == "failed"
    assert g.status()["consecutive_failures"] == 1
    assert g.release() is None  # nothing held: nothing to do
    g.finish(g.begin("manual", data_digest="a"), True)


def test_reset_everything_forgets_the_history_and_the_lease(state_uri):
    clock = Clock()
    g = guards(state_uri, clock, cooldown_hours=24, failure_threshold=1)
    g.finish(g.begin("drift", data_digest="a"), False)
    g.reset(everything=True)
    status = g.status()
    assert status["totals"] == {"succeeded": 0, "failed": 0, "refused": 0}
    assert not status["circuit_open"] and status["last"] is None
    g.finish(g.begin("drift", data_digest="a"), True)  # no cool-down, no same-data left


def test_the_same_ticket_begins_once(state_uri):
    clock = Clock()
    g = guards(state_uri, clock, cooldown_hours=0)
    first = g.begin("drift", data_digest="a", ticket_id="kfp-run-1")
    assert g.begin("drift", data_digest="a", ticket_id="kfp-run-1") == first  # a retried task
    g.finish(first, True)
    with pytest.raises(RetrainRefused, match="already succeeded"):
        g.begin("drift", data_digest="b", ticket_id="kfp-run-1")


def test_two_projects_share_one_store_without_sharing_guards(state_uri):
    clock = Clock()
    a = RetrainGuards(state_uri, GuardConfig(), clock=clock, namespace="a")
    b = RetrainGuards(state_uri, GuardConfig(), clock=clock, namespace="b")
    a.begin("drift", data_digest="x")
    b.finish(b.begin("drift", data_digest="x"), True)


def test_the_guards_command_shows_releases_and_resets_every_piece_of_state(project, capsys):
    import json

    from mlops_runtime.monitoring import cli
    from mlops_runtime.settings import load_settings

    settings = load_settings(project)
    settings.monitoring_config.parent.mkdir(parents=True)
    settings.monitoring_config.write_text("guards:\n  failure_threshold: 1\n")
    g = RetrainGuards(settings.state_uri, GuardConfig(failure_threshold=1), namespace="sample")
    g.finish(g.begin("drift", data_digest="a"), True)
    stuck = g.begin("manual", data_digest="b")  # its run vanished

    def guards_command(*args: str) -> dict:
        assert cli.main(project, ["guards", *args]) == 0
        return json.loads(capsys.readouterr().out)

    status = guards_command()
    assert status["in_flight"] and status["lease"]["id"] == stuck.id
    released = guards_command("release")
    assert not released["in_flight"] and released["consecutive_failures"] == 1
    assert released["circuit_open"]  # the released retrain counted as a failure
    closed = guards_command("reset")
    assert not closed["circuit_open"] and closed["totals"]["succeeded"] == 1
    cleared = guards_command("reset", "--all")
    assert cleared["totals"] == {"succeeded": 0, "failed": 0, "refused": 0}
    assert cleared["last"] is None and cleared["cooldown_until"] is None
    assert (settings.monitoring_metrics_dir / "retrain.prom").is_file()


def test_write_retrain_metrics_exports_the_guards_state(tmp_path):
    from mlops_runtime.monitoring.metrics import RETRAIN_FILE, write_retrain_metrics

    clock = Clock()
    g = guards(f"sqlite:///{tmp_path / 'state.db'}", clock, failure_threshold=1, cooldown_hours=0)
    ticket = g.begin("drift", ["drift: x"], data_digest="a")
    running = write_retrain_metrics(g.status(), tmp_path / "metrics", "sample").read_text()
    assert 'mlops_retrain_in_progress{project="sample"} 1.0' in running
    assert "mlops_retrain_last_success_timestamp_seconds" not in running  # none yet: not written
    g.finish(ticket, False, "boom")
    path = write_retrain_metrics(g.status(), tmp_path / "metrics", "sample")
    assert path == tmp_path / "metrics" / RETRAIN_FILE
    text = path.read_text()
    assert 'mlops_retrain_in_progress{project="sample"} 0.0' in text
    assert 'mlops_retrain_circuit_open{project="sample"} 1.0' in text
    assert 'mlops_retrain_runs{outcome="failed",project="sample"} 1.0' in text
    assert 'mlops_retrain_last_start_timestamp_seconds{project="sample"} 1.7e+09' in text

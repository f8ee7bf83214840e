"""The shared state store, on SQLite and on a real PostgreSQL server: leases go to exactly one
holder across processes and expire when the holder dies, idempotency claims are retried after a
crash and done only once, guard state moves atomically."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from lease_clock import StepClock
from mlops_runtime.state import (
    Claim,
    GuardState,
    Lease,
    LeaseHeld,
    RetrainRecord,
    StateError,
    StateStore,
    open_store,
)
from mlops_runtime.state import _schema as s


class FakeClock:
    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["sqlite", "postgresql"])
def store_uri(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'artifacts' / 'state.db'}"
    return request.getfixturevalue("postgres_server").create_database()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(store_uri, clock):
    with open_store(store_uri, "churn", clock=clock) as opened:
        yield opened


# -- opening ------------------------------------------------------------------------------------
def test_open_creates_the_tables_once_and_records_the_schema_version(store_uri):
    with open_store(store_uri) as first:
        assert first.schema_version() == 1
    with open_store(store_uri) as again:  # idempotent: nothing to create, nothing lost
        assert again.schema_version() == 1


def test_a_store_newer_than_the_runtime_is_refused(store_uri):
    with open_store(store_uri) as store, store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE mlops_schema_version SET version = 99"))
    with pytest.raises(StateError, match="schema version 99, newer than this"):
        open_store(store_uri)


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    uri = f"sqlite:///{tmp_path / 'new' / 'state.db'}"
    with open_store(uri) as store, store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 10_000
    assert (tmp_path / "new" / "state.db").is_file()


@pytest.mark.parametrize(
    ("uri", "message"),
    [("not a url", "not a database URL"), ("mysql://u@h/db", "names 'mysql'")],
)
def test_an_unusable_uri_is_one_clear_error(uri, message):
    with pytest.raises(StateError, match=message):
        open_store(uri)


def test_an_unreachable_server_is_one_clear_error():
    with pytest.raises(StateError, match="cannot open the state store .*MLOPS_STATE_URI"):
        open_store("postgresql+psycopg2://u:secret@127.0.0.1:9/db?connect_timeout=2")


def test_namespaces_do_not_see_each_other(store_uri, clock):
    with open_store(store_uri, "a", clock) as a, open_store(store_uri, "b", clock) as b:
        assert a.acquire("retrain", "h1", 60)
        assert b.acquire("retrain", "h2", 60)
        a.append_retrain(RetrainRecord("r1", "drift", started_at=clock()))
        assert b.retrains() == []
        assert b.claim("k", "h", 60).owned and a.claim("k", "h", 60).owned


# -- leases ---------------------------------------------------------------------------------------
def test_a_lease_has_one_holder_until_it_expires(store: StateStore, clock):
    first = store.acquire("retrain", "run-1", ttl=60, info={"trigger": "drift"})
    assert first and first.holder == "run-1" and first.info == {"trigger": "drift"}
    assert store.acquire("retrain", "run-2", ttl=60) is None
    assert store.lease("retrain").holder == "run-1"

    clock.now += 61
    assert store.lease("retrain") is None  # expired: nobody holds it
    assert store.lease("retrain", include_expired=True).holder == "run-1"
    second = store.acquire("retrain", "run-2", ttl=60)
    assert second.holder == "run-2" and second.token == first.token + 1  # a fencing token
    assert store.renew("retrain", "run-1", 60) is None  # the dead holder cannot take it back


def test_a_late_renewal_does_not_revive_a_lapsed_lease(store: StateStore, clock):
    store.acquire("retrain", "run-1", ttl=60)
    clock.now += 60  # the heartbeat thread was starved past the TTL; nobody took the lease
    assert store.lease("retrain") is None  # anyone looking now sees it lapsed ...
    assert store.renew("retrain", "run-1", 60) is None  # ... so the late beat cannot undo that


def test_the_holder_renews_and_reacquires_its_own_lease(store: StateStore, clock):
    first = store.acquire("retrain", "run-1", ttl=60)
    clock.now += 50
    renewed = store.renew("retrain", "run-1", ttl=60)
    assert renewed.expires_at == clock.now + 60 and renewed.token == first.token
    clock.now += 50  # past the first expiry, inside the renewed one
    assert store.acquire("retrain", "run-2", ttl=60) is None
    again = store.acquire("retrain", "run-1", ttl=120)  # re-entrant: extends, same token
    assert again.token == first.token and again.acquired_at == first.acquired_at


def test_release_only_by_the_holder_unless_forced(store: StateStore):
    store.acquire("retrain", "run-1", ttl=60)
    assert store.release("retrain", "run-2") is False
    assert store.lease("retrain").holder == "run-1"
    assert store.release("retrain") is True  # the operator's release of a stuck lease
    assert store.leases() == []
    assert store.acquire("retrain", "run-2", ttl=60)


def test_hold_heartbeats_past_the_ttl_and_releases_at_the_end(store_uri):
    clock = StepClock()  # time moves on only after each renewal: a late thread cannot fail it
    with open_store(store_uri, "churn", clock=clock) as store:
        with store.hold("retrain", "run-1", ttl=0.6, interval=0.1) as beat:
            start = clock.now
            lease = clock.run_past(start + 1.5, 0.4, lambda: store.lease("retrain"))
            assert lease.holder == "run-1" and lease.acquired_at == start  # past twice the TTL
            assert store.acquire("retrain", "run-2", ttl=60) is None
            assert not beat.lost.is_set()
            with (
                pytest.raises(LeaseHeld, match="held by run-1"),
                store.hold("retrain", "run-2", ttl=60),
            ):
                pass
        assert store.lease("retrain") is None
        assert store.acquire("retrain", "run-2", ttl=60)


def test_a_heartbeat_notices_a_lost_lease(store_uri):
    with open_store(store_uri, "churn") as store:
        lease = store.acquire("retrain", "run-1", ttl=60)
        beat = store.heartbeat(lease, ttl=60, interval=0.05)
        store.release("retrain")  # an operator released it
        assert beat.lost.wait(60)  # at the next beat; generous, for a busy machine
        beat.stop()


# -- idempotency keys ----------------------------------------------------------------------------
def test_a_key_is_claimed_once_and_done_after_the_action(store: StateStore):
    claim = store.claim("alert:abc", "receiver-1", ttl=60)
    assert isinstance(claim, Claim) and claim.owned and claim.record.attempts == 1
    busy = store.claim("alert:abc", "receiver-2", ttl=60)
    assert busy.status == "busy" and not busy.owned and busy.record.holder == "receiver-1"
    assert store.complete("alert:abc", "receiver-2") is False  # not theirs
    assert store.complete("alert:abc", "receiver-1", result={"version": "7"}) is True
    done = store.claim("alert:abc", "receiver-2", ttl=60)
    assert done.status == "done" and done.record.result == {"version": "7"}
    assert store.complete("alert:abc", "receiver-1") is False  # done only once


def test_a_failed_key_is_retried(store: StateStore):
    store.claim("k", "r1", ttl=60)
    assert store.fail("k", "r1", error="MLflow unreachable")
    assert store.idempotency_key("k").status == "failed"
    retry = store.claim("k", "r2", ttl=60)
    assert retry.owned and retry.record.attempts == 2 and retry.record.error is None


def test_a_crashed_claimers_key_expires_and_is_retried(store: StateStore, clock):
    store.claim("k", "r1", ttl=60)
    clock.now += 61
    retry = store.claim("k", "r2", ttl=60)
    assert retry.owned and retry.record.holder == "r2" and retry.record.attempts == 2
    assert store.complete("k", "r1") is False  # the crashed claimer woke up late: not done twice
    assert store.complete("k", "r2") is True


def test_keys_are_listed_and_forgotten(store: StateStore, clock):
    for key in ("a", "b", "c"):
        store.claim(key, "r", ttl=60)
    store.complete("a", "r")
    store.fail("b", "r")
    assert [r.key for r in store.idempotency_keys(status="claimed")] == ["c"]
    clock.now += 10
    assert store.forget(older_than=clock.now) == 2  # finished ones only
    assert [r.key for r in store.idempotency_keys()] == ["c"]
    assert store.forget("c") == 1 and store.idempotency_keys() == []


# -- storm-guard state ----------------------------------------------------------------------------
def test_a_retrain_is_finished_once_and_moves_the_breaker(store: StateStore, clock):
    for n in range(3):
        store.append_retrain(
            RetrainRecord(f"r{n}", "drift", ("psi age",), f"digest{n}", started_at=clock())
        )
        assert store.finish_retrain(f"r{n}", False, "boom", failure_threshold=3)
        # the task and the pipeline's exit handler both report: the second changes nothing
        assert not store.finish_retrain(f"r{n}", False, "boom", failure_threshold=3)
        clock.now += 10
    state = store.guard_state()
    assert state.consecutive_failures == 3 and state.failed == 3
    assert state.breaker_opened_at == clock.now - 10  # opened by the third failure

    store.append_retrain(RetrainRecord("ok", "manual", started_at=clock()))
    assert store.finish_retrain("ok", True, facts={"version": "4"})
    assert store.guard_state() == GuardState(0, None, succeeded=1, failed=3, refused=0)
    record = store.retrain("ok")
    assert record.outcome == "succeeded" and record.facts == {"version": "4"}
    assert record.finished_at == clock.now
    assert not store.finish_retrain("unknown", True)


def test_history_keeps_order_filters_and_counts_refusals(store: StateStore, clock):
    for n in range(5):
        outcome = "refused" if n % 2 else "running"
        store.append_retrain(
            RetrainRecord(f"r{n}", "drift", started_at=clock.now + n, outcome=outcome), keep=4
        )
    assert [r.id for r in store.retrains()] == ["r1", "r2", "r3", "r4"]  # r0 pruned
    assert [r.id for r in store.retrains(since=clock.now + 3)] == ["r3", "r4"]
    assert [r.id for r in store.retrains(outcomes=["refused"])] == ["r1", "r3"]
    assert store.guard_state().refused == 2
    assert store.retrain("r2").as_dict()["outcome"] == "running"


def test_two_appends_at_once_get_their_own_places_in_the_history(store_uri, clock):
    """The interleaving two processes can meet: B appends while A's transaction has read the
    newest place and not yet written its record. B waits for A (SQLite's write lock, a
    PostgreSQL advisory lock) or, if nothing made it wait, takes the same place as A: two
    records at one place, the history's order and its trimming then undefined."""
    with open_store(store_uri, "churn", clock) as a, open_store(store_uri, "churn", clock) as b:
        b_done = threading.Event()
        replayed = []

        def b_appends():
            b.append_retrain(RetrainRecord("b", "drift", started_at=clock()))
            b_done.set()

        @sa.event.listens_for(a.engine, "before_cursor_execute")
        def between_read_and_write(conn, cursor, statement, *args):
            insert = statement.lstrip().upper().startswith("INSERT INTO MLOPS_RETRAIN_HISTORY")
            if insert and not replayed:
                replayed.append(threading.Thread(target=b_appends))
                replayed[0].start()
                b_done.wait(3)  # B runs now, unless it must wait for A's transaction

        a.append_retrain(RetrainRecord("a", "drift", started_at=clock()))
        replayed[0].join(60)
        assert b_done.is_set()
        history = a.retrains()
        assert sorted(r.id for r in history) == ["a", "b"]
        with a.engine.connect() as conn:
            places = (
                conn.execute(
                    sa.select(s.retrain_history.c.seq).where(
                        s.retrain_history.c.namespace == "churn"
                    )
                )
                .scalars()
                .all()
            )
        assert len(set(places)) == 2, places


def test_the_breaker_is_reset_and_the_guards_cleared(store: StateStore, clock):
    store.append_retrain(RetrainRecord("r", "drift", started_at=clock()))
    store.finish_retrain("r", False, failure_threshold=1)
    assert store.guard_state().breaker_opened_at == clock.now
    store.reset_breaker()
    state = store.guard_state()
    assert state.breaker_opened_at is None and state.consecutive_failures == 0
    assert state.failed == 1  # the totals stay
    store.clear_guards()
    assert store.guard_state() == GuardState() and store.retrains() == []


# -- real processes ------------------------------------------------------------------------------
RUNTIME_SRC = str(Path(__file__).resolve().parents[1] / "src")

RACER = textwrap.dedent(
    """
    import os, sys, time
    sys.path.insert(0, {src!r})
    from mlops_runtime.state import open_store
    store = open_store({uri!r}, "churn")
    go = {go!r}
    print("ready", flush=True)
    while not os.path.exists(go):
        time.sleep(0.005)
    if {what!r} == "lease":
        won = store.acquire("retrain", f"pid-{{os.getpid()}}", ttl=60) is not None
    else:
        won = store.claim("alert:1", f"pid-{{os.getpid()}}", ttl=60).owned
    print("won" if won else "lost", flush=True)
    """
)


@pytest.mark.parametrize("what", ["lease", "claim"])
def test_racing_processes_exactly_one_wins(store_uri, tmp_path, what):
    open_store(store_uri).close()  # tables first, so the race is about the row alone
    go = tmp_path / "go"
    script = RACER.format(src=RUNTIME_SRC, uri=store_uri, go=str(go), what=what)
    racers = [
        subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        for _ in range(6)
    ]
    for racer in racers:  # every process imported and connected: then they race
        assert racer.stdout.readline().strip() == "ready"
    go.touch()
    results = [racer.communicate(timeout=120)[0].strip() for racer in racers]
    assert all(racer.returncode == 0 for racer in racers), results
    assert sorted(results) == ["lost"] * 5 + ["won"]


HOLDER = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, {src!r})
    from mlops_runtime.state import open_store
    store = open_store({uri!r}, "churn")
    with store.hold("retrain", "victim", ttl={ttl}, interval=0.2):
        print("held", flush=True)
        time.sleep(600)
    """
)


def _renewed_past(lease: Lease | None, ttl: float) -> bool:
    assert lease is not None and lease.holder == "victim", lease  # never lapsed, never taken
    return lease.renewed_at > lease.acquired_at + ttl


def test_a_holder_killed_with_sigkill_loses_its_lease_after_the_ttl(store_uri):
    ttl = 2.0
    script = HOLDER.format(src=RUNTIME_SRC, uri=store_uri, ttl=ttl)
    victim = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert victim.stdout.readline().strip() == "held"
        with open_store(store_uri, "churn") as store:
            # Alive and heartbeating: renewed past its TTL. Polled, not slept: on a busy machine
            # the heartbeat is late, and a fixed sleep would test the scheduler.
            deadline = time.monotonic() + 60
            while not _renewed_past(store.lease("retrain"), ttl):
                assert time.monotonic() < deadline, "the holder never renewed past its TTL"
                time.sleep(0.05)
            assert store.acquire("retrain", "next", ttl=60) is None
            os.kill(victim.pid, signal.SIGKILL)
            victim.wait(10)
            killed = time.time()
            while (lease := store.acquire("retrain", "next", ttl=60)) is None:
                assert time.time() - killed < ttl + 5, "the dead holder's lease never expired"
                time.sleep(0.1)
            assert lease.holder == "next"
            assert store.lease("retrain").holder == "next"
    finally:
        if victim.poll() is None:
            victim.kill()
            victim.wait()


def test_the_public_api_is_documented():
    import inspect

    import mlops_runtime.state as state

    docs = (Path(__file__).resolve().parents[2] / "docs" / "runtime.md").read_text()
    for name in state.__all__:
        assert inspect.getdoc(getattr(state, name)), name
        assert re.search(rf"\b{name}\b", docs), name
    for name, member in inspect.getmembers(StateStore, inspect.isfunction):
        if not name.startswith("_"):
            assert member.__doc__, name
            assert f"{name}(" in docs, name

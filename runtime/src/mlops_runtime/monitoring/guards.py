"""Storm guards: retrain when it is due, but never in a storm.

- cool-down: no retrain sooner than `cooldown_hours` after the last one started;
- rate limit: at most `max_retrains` in `per_hours`;
- single flight: one retrain at a time, a lease in the shared state store. A retrain in one
  process renews it on a heartbeat (`lease_ttl_minutes`); a retrain that spans an
  orchestrator's tasks holds it for `lock_timeout_hours` and its pipeline's exit handler or
  failure callback releases it. A holder that dies stops renewing, so its lease expires, and
  the next `begin` records the dead retrain as failed;
- same data: no second retrain on data with the digest of an earlier successful (or running)
  one;
- circuit breaker: after `failure_threshold` failures in a row, retraining stops and a person is
  paged; after `breaker_reset_hours` one attempt may run again (half-open), or `reset()` it.

The state lives in the shared state store (`mlops_runtime.state`, `MLOPS_STATE_URI`: SQLite
under the project on a laptop, PostgreSQL in production), so every worker, pod and machine sees
the same guards. Automatic triggers (drift, decay, alerts) pass every guard. Runs a person or
the schedule asked for (`manual`, `schedule`) skip the cool-down, rate limit and same-data
checks, and so does `force`; nothing skips the single flight or an open circuit breaker.

Every piece of state has a way out: `release()` frees a stuck single-flight lease (its retrain
is recorded as failed), `reset()` closes the breaker, `reset(everything=True)` also forgets the
history (cool-down, rate window, same-data) and the totals.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from ..state import Heartbeat, RetrainRecord, StateStore, new_id, open_store
from .config import GuardConfig

HOUR = 3600.0
LEASE = "retrain"  # the single-flight lease's name in the project's namespace
UNGUARDED_TRIGGERS = ("schedule", "manual")  # chosen by people, not by the monitoring


@dataclass(frozen=True)
class Ticket:
    """Permission to run one retrain; hand it back to `finish`. `id` holds the lease."""

    id: str
    trigger: str
    data_digest: str | None


class RetrainRefused(RuntimeError):
    """A guard said no; `reasons` says which and until when."""

    def __init__(self, reasons: list[str]):
        self.reasons = reasons
        super().__init__("retrain refused: " + "; ".join(reasons))


def open_guards(state_uri: str, cfg: GuardConfig, project: str, clock=time.time) -> RetrainGuards:
    """The guards of `project` (its namespace) in the store at `state_uri`
    (`Settings.state_uri`)."""
    return RetrainGuards(state_uri, cfg, clock=clock, namespace=project)


def _when(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(ts))


class RetrainGuards:
    """The storm guards of one project: whether a retrain may start, and its bookkeeping, in
    the shared state store.

    `store` is an open `StateStore` (its namespace is the project) or a state URI; `namespace`
    applies to a URI only."""

    def __init__(
        self,
        store: StateStore | str,
        cfg: GuardConfig,
        clock=time.time,
        namespace: str = "default",
    ):
        self._owns_store = not isinstance(store, StateStore)
        self.store = store if isinstance(store, StateStore) else open_store(store, namespace, clock)
        self.store.clock = clock
        self.cfg = cfg
        self.clock = clock

    def close(self) -> None:
        """Close the state store (when the guards opened it from a URI)."""
        if self._owns_store:
            self.store.close()

    def __enter__(self) -> RetrainGuards:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- state --------------------------------------------------------------------------------
    def _flight(self) -> dict[str, Any] | None:
        """The retrain holding the single-flight lease, unless its lease expired."""
        lease = self.store.lease(LEASE)
        if lease is None:
            return None
        return {
            "id": lease.holder,
            "started_at": lease.acquired_at,
            "expires_at": lease.expires_at,
            **lease.info,
        }

    def _settle(self) -> list[str]:
        """Record retrains that are still `running` but no longer hold the lease (their process
        died, or an operator released it) as failed; they count toward the breaker.

        The running records are read before the lease: `begin` takes the lease before it
        writes the running record, so a record seen here already held the lease when we look
        at it. Read the other way round, a retrain starting between the two reads is seen
        running without a lease and wrongly recorded as abandoned."""
        running = self.store.retrains(outcomes=["running"])
        lease = self.store.lease(LEASE)
        holder = lease.holder if lease is not None else None
        settled = []
        for record in running:
            if record.id != holder and self.store.finish_retrain(
                record.id,
                False,
                "abandoned: its single-flight lease expired or was released before it finished",
                failure_threshold=self.cfg.failure_threshold,
            ):
                settled.append(record.id)
        return settled

    # -- decisions ----------------------------------------------------------------------------
    def blockers(
        self, trigger: str = "drift", data_digest: str | None = None, force: bool = False
    ) -> list[str]:
        """Why a retrain could not start now (empty: it could)."""
        return self._blockers(trigger, data_digest, force, flight=True)

    def _blockers(
        self, trigger: str, data_digest: str | None, force: bool, flight: bool
    ) -> list[str]:
        now, cfg, reasons = self.clock(), self.cfg, []
        holder = self._flight() if flight else None
        if holder:
            reasons.append(
                f"single flight: retrain {holder['id']} running since {_when(holder['started_at'])}"
                f" (its lease expires {_when(holder['expires_at'])} unless renewed)"
            )
        state = self.store.guard_state()
        opened = state.breaker_opened_at
        if opened is not None and now - opened < cfg.breaker_reset_hours * HOUR:
            reasons.append(
                f"circuit breaker open after {state.consecutive_failures} failed retrains "
                f"(until {_when(opened + cfg.breaker_reset_hours * HOUR)}); page a person"
            )
        if force or trigger in UNGUARDED_TRIGGERS:
            return reasons
        started = self.store.retrains(outcomes=["running", "succeeded", "failed"])
        if started:
            last = max(h.started_at for h in started)
            if now - last < cfg.cooldown_hours * HOUR:
                reasons.append(
                    f"cool-down: last retrain started {_when(last)}, next allowed "
                    f"{_when(last + cfg.cooldown_hours * HOUR)}"
                )
        recent = [h for h in started if now - h.started_at < cfg.per_hours * HOUR]
        if len(recent) >= cfg.max_retrains:
            reasons.append(
                f"rate limit: {len(recent)} retrains in the last {cfg.per_hours:g} h "
                f"(at most {cfg.max_retrains})"
            )
        if data_digest and any(
            h.data_digest == data_digest and h.outcome in ("succeeded", "running") for h in started
        ):
            reasons.append(f"same data: a retrain already used data digest {data_digest[:12]}")
        return reasons

    def lease_ttl(self, spans_tasks: bool) -> float:
        """Seconds a retrain's lease lives without renewal: a heartbeat's TTL for a retrain in
        one process, the whole `lock_timeout_hours` for one that spans an orchestrator's tasks."""
        if spans_tasks:
            return self.cfg.lock_timeout_hours * HOUR
        return self.cfg.lease_ttl_minutes * 60.0

    def begin(
        self,
        trigger: str,
        reasons: list[str] | tuple[str, ...] = (),
        data_digest: str | None = None,
        force: bool = False,
        ticket_id: str | None = None,
        spans_tasks: bool = True,
    ) -> Ticket:
        """Take the single-flight lease and record the start; RetrainRefused if a guard says no
        (the refusal is recorded too). `ticket_id` names the retrain (e.g. after the pipeline
        run, so an exit handler finds it); `spans_tasks=False` for a retrain that renews its
        lease with `heartbeat()` while it runs in this process."""
        if ticket_id is not None and (known := self.store.retrain(ticket_id)) is not None:
            lease = self.store.lease(LEASE)
            if known.outcome == "running" and lease is not None and lease.holder == ticket_id:
                return Ticket(ticket_id, known.trigger, known.data_digest)  # a retried task
            raise RetrainRefused([f"retrain {ticket_id} already {known.outcome}"])
        self._settle()
        ticket = Ticket(ticket_id or new_id(), trigger, data_digest)
        blocked = self._blockers(trigger, data_digest, force, flight=True)
        if not blocked:
            lease = self.store.acquire(
                LEASE,
                ticket.id,
                self.lease_ttl(spans_tasks),
                info={"trigger": trigger},
            )
            if lease is None:  # another retrain took it since we looked
                blocked = self._blockers(trigger, data_digest, force, flight=True) or [
                    "single flight: another retrain took the lease just now"
                ]
            else:
                # Holding the lease, look again: a retrain that started and finished between
                # our first look and the lease would otherwise slip past the cool-down.
                blocked = self._blockers(trigger, data_digest, force, flight=False)
                if blocked:
                    self.store.release(LEASE, ticket.id)
        now = self.clock()
        self.store.append_retrain(
            RetrainRecord(
                id=ticket.id if not blocked else new_id(),
                trigger=trigger,
                reasons=tuple(reasons),
                data_digest=data_digest,
                started_at=now,
                finished_at=now if blocked else None,
                outcome="refused" if blocked else "running",
                detail="; ".join(blocked),
            )
        )
        if blocked:
            raise RetrainRefused(blocked)
        return ticket

    def heartbeat(self, ticket: Ticket) -> Heartbeat:
        """Renew `ticket`'s lease every third of `lease_ttl_minutes` until `stop()`."""
        ttl = self.lease_ttl(spans_tasks=False)
        lease = self.store.renew(LEASE, ticket.id, ttl)
        if lease is None:
            raise RetrainRefused([f"single flight: retrain {ticket.id} no longer holds the lease"])
        return self.store.heartbeat(lease, ttl)

    def still_holds(self, ticket: Ticket) -> str | None:
        """None while `ticket` holds the single-flight lease, which is then renewed for a
        heartbeat's TTL from now, so it stays the retrain's for the act that follows (a fence,
        `mlops_runtime.state.fenced`); else why the retrain may no longer act."""
        if self.store.renew(LEASE, ticket.id, self.lease_ttl(spans_tasks=False)) is not None:
            return None
        holder = self.store.lease(LEASE)
        now = f"; retrain {holder.holder} holds it now" if holder is not None else ""
        return (
            f"single flight: retrain {ticket.id} no longer holds the lease (it lapsed while the "
            f"retrain ran{now}), so it moves no alias"
        )

    def finish(self, ticket: Ticket, succeeded: bool, detail: str = "", **facts: Any) -> bool:
        """Record how the retrain ended (once: a second report changes nothing), move the
        circuit breaker, release the lease. True when this call recorded it."""
        recorded = self.store.finish_retrain(
            ticket.id,
            succeeded,
            detail,
            facts=facts,
            failure_threshold=self.cfg.failure_threshold,
        )
        self.store.release(LEASE, ticket.id)
        return recorded

    # -- the operator's ways out ----------------------------------------------------------------
    def release(self) -> dict[str, Any] | None:
        """Free the single-flight lease whoever holds it (a stuck retrain); its running record is
        recorded as failed. Returns the holder that was released, if any."""
        holder = self._flight()
        lease = self.store.lease(LEASE, include_expired=True)
        self.store.release(LEASE)
        if lease is not None:
            self.store.finish_retrain(
                lease.holder,
                False,
                "released by an operator (guards release)",
                failure_threshold=self.cfg.failure_threshold,
            )
        return holder or (None if lease is None else {"id": lease.holder, "expired": True})

    def reset(self, everything: bool = False) -> None:
        """Close the circuit breaker by hand (after fixing what made retrains fail); with
        `everything`, also release the lease and forget the history and the totals."""
        if everything:
            self.store.release(LEASE)
            self.store.clear_guards()
        else:
            self.store.reset_breaker()

    def status(self) -> dict[str, Any]:
        """The guards' state for the report and the metrics."""
        now = self.clock()
        state = self.store.guard_state()
        history = self.store.retrains()
        started = [h for h in history if h.outcome != "refused"]
        succeeded = [h for h in started if h.outcome == "succeeded"]
        opened = state.breaker_opened_at
        last_start = max((h.started_at for h in started), default=None)
        flight = self._flight()
        return {
            "in_flight": flight is not None,
            "lease": flight,
            "circuit_open": opened is not None
            and now - opened < self.cfg.breaker_reset_hours * HOUR,
            "breaker_opened_at": opened,
            "consecutive_failures": state.consecutive_failures,
            "last_started_at": last_start,
            "last_succeeded_at": max((h.finished_at for h in succeeded), default=None),
            "cooldown_until": None
            if last_start is None
            else last_start + self.cfg.cooldown_hours * HOUR,
            "retrains_in_window": sum(
                1 for h in started if now - h.started_at < self.cfg.per_hours * HOUR
            ),
            "totals": {
                "succeeded": state.succeeded,
                "failed": state.failed,
                "refused": state.refused,
            },
            "running": [h.id for h in history if h.outcome == "running"],
            "last": history[-1].as_dict() if history else None,
            "store": repr(self.store),
        }

"""The records the state store hands out: leases, idempotency keys and claims, the retrain
history and the storm-guard counters, and the errors it raises. Plain frozen dataclasses, so
callers can keep and compare them after the connection is gone."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any


class StateError(RuntimeError):
    """The state store cannot be opened or used (named URI, one sentence, the way out)."""


class LeaseHeld(StateError):
    """A lease is held by someone else; `lease` is theirs."""

    def __init__(self, lease: Lease | None, name: str):
        self.lease = lease
        who = "someone else"
        if lease is not None:
            until = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(lease.expires_at))
            who = f"{lease.holder} until {until} unless renewed"
        super().__init__(f"lease {name!r} is held by {who}")


@dataclass(frozen=True)
class Lease:
    """A lease as the store holds it. `token` grows each time the lease changes hands."""

    name: str
    holder: str
    token: int
    acquired_at: float
    renewed_at: float
    expires_at: float
    info: dict[str, Any] = field(default_factory=dict)

    def alive(self, now: float | None = None) -> bool:
        """Whether the lease has not expired at `now` (default: the wall clock)."""
        return (time.time() if now is None else now) < self.expires_at


@dataclass(frozen=True)
class IdempotencyRecord:
    """One idempotency key: `status` is `claimed`, `done` or `failed`."""

    key: str
    status: str
    holder: str
    attempts: int
    claimed_at: float
    expires_at: float
    finished_at: float | None
    result: Any
    error: str | None


@dataclass(frozen=True)
class Claim:
    """The answer to `claim`: `status` is `claimed` (yours: do the work, then `complete` or
    `fail`), `done` (already done: `record.result`) or `busy` (someone else's live claim)."""

    status: str
    record: IdempotencyRecord

    @property
    def owned(self) -> bool:
        """Whether the caller holds the claim and must do the work."""
        return self.status == "claimed"


@dataclass(frozen=True)
class RetrainRecord:
    """One line of the retrain history: `outcome` is `running`, `succeeded`, `failed` or
    `refused`; `facts` holds anything else the caller records (run ids, versions)."""

    id: str
    trigger: str
    reasons: tuple[str, ...] = ()
    data_digest: str | None = None
    started_at: float = 0.0
    finished_at: float | None = None
    outcome: str = "running"
    detail: str = ""
    facts: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The record as plain JSON-ready values (reports, `guards status --format json`)."""
        return {
            "id": self.id,
            "trigger": self.trigger,
            "reasons": list(self.reasons),
            "data_digest": self.data_digest,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "outcome": self.outcome,
            "detail": self.detail,
            **self.facts,
        }


@dataclass(frozen=True)
class GuardState:
    """The counters of the storm guards: failures in a row, when the breaker opened, totals."""

    consecutive_failures: int = 0
    breaker_opened_at: float | None = None
    succeeded: int = 0
    failed: int = 0
    refused: int = 0


def new_id() -> str:
    """A short random id for a holder, a retrain or a claim."""
    return uuid.uuid4().hex[:12]

"""The shared state store: leases, idempotency keys, storm-guard state and the audit log behind
one URI.

State that several processes, workers or machines share lives here, never in a worker's local
file: `sqlite:///PATH` on a laptop (WAL, a busy timeout), PostgreSQL in production
(`postgresql+psycopg2://...`, the `postgres` extra). A project's URI is `Settings.state_uri`
(`MLOPS_STATE_URI`); every table is keyed by a namespace, so projects can share one database.

- **Leases**: `acquire(name, holder, ttl)` gives a lease to exactly one holder at a time, across
  processes and machines; the holder renews it (`renew`, or `hold(...)` with a heartbeat thread)
  and `release`s it; a holder that dies stops renewing, so its lease expires and the next caller
  takes it over.
- **Idempotency keys**: `claim(key, holder, ttl)` -> `claimed` (do the work, then `complete` or
  `fail`), `done` (it happened: here is the result) or `busy`; a claim whose holder crashed
  expires and is claimed again, so the work is retried, and `done` is only written after it
  succeeded.
- **Storm-guard state**: the retrain history (`append_retrain`, `finish_retrain`, `retrains`),
  the failures in a row and the circuit breaker (`guard_state`, `reset_breaker`, `clear_guards`).
- **Audit log rows**: `append_audit(build)` appends the line `build(last_seq, last_line)` makes,
  one writer at a time; `audit_lines()` reads them in order (`mlops_runtime.governance.audit`
  hashes, chains and signs them).
- **Fences**: `fenced(check)` around the part of a lease holder's work that acts on the shared
  world; `fence_problems()` is what an action asks first (a lapsed lease: do not act).
"""

from __future__ import annotations

from ._fence import fence_problems, fenced
from ._leases import Heartbeat
from ._records import (
    Claim,
    GuardState,
    IdempotencyRecord,
    Lease,
    LeaseHeld,
    RetrainRecord,
    StateError,
    new_id,
)
from ._store import StateStore, open_store

__all__ = [
    "Claim",
    "GuardState",
    "Heartbeat",
    "IdempotencyRecord",
    "Lease",
    "LeaseHeld",
    "RetrainRecord",
    "StateError",
    "StateStore",
    "fence_problems",
    "fenced",
    "new_id",
    "open_store",
]

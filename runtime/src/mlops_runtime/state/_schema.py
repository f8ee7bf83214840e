"""The tables of the shared state store and their schema version.

Every table carries a `namespace` (a project, usually) so one PostgreSQL database serves a fleet.
Times are seconds since the epoch (float) from the caller's clock: TTLs are minutes to hours, so
NTP-synchronised hosts agree well enough, and tests can drive the clock.

No Alembic: the schema is six small tables that the runtime owns alone; a forward migration is a
function keyed by the version it produces (`MIGRATIONS`), run under the same lock that creates the
tables, so a fleet upgrades its store the first time a newer runtime opens it, and a store newer
than the runtime is refused instead of written with the wrong shape.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

SCHEMA_VERSION = 1
COMPONENT = "mlops_runtime.state"

metadata = sa.MetaData()

schema_version = sa.Table(
    "mlops_schema_version",
    metadata,
    sa.Column("component", sa.String(100), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
)

leases = sa.Table(
    "mlops_leases",
    metadata,
    sa.Column("namespace", sa.String(200), primary_key=True),
    sa.Column("name", sa.String(200), primary_key=True),
    sa.Column("holder", sa.String(200), nullable=False),
    # Increases every time the lease changes hands: a fencing token for whoever needs one.
    sa.Column("token", sa.Integer, nullable=False),
    sa.Column("acquired_at", sa.Double, nullable=False),
    sa.Column("renewed_at", sa.Double, nullable=False),
    sa.Column("expires_at", sa.Double, nullable=False),
    sa.Column("info", sa.JSON, nullable=False),
)

idempotency_keys = sa.Table(
    "mlops_idempotency_keys",
    metadata,
    sa.Column("namespace", sa.String(200), primary_key=True),
    sa.Column("key", sa.String(500), primary_key=True),
    sa.Column("status", sa.String(20), nullable=False),  # claimed | done | failed
    sa.Column("holder", sa.String(200), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("claimed_at", sa.Double, nullable=False),
    sa.Column("expires_at", sa.Double, nullable=False),
    sa.Column("finished_at", sa.Double, nullable=True),
    sa.Column("result", sa.JSON, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
)

retrain_history = sa.Table(
    "mlops_retrain_history",
    metadata,
    sa.Column("namespace", sa.String(200), primary_key=True),
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("seq", sa.Integer, nullable=False),  # order of appending, per namespace
    sa.Column("trigger", sa.String(50), nullable=False),
    sa.Column("reasons", sa.JSON, nullable=False),
    sa.Column("data_digest", sa.String(128), nullable=True),
    sa.Column("started_at", sa.Double, nullable=False),
    sa.Column("finished_at", sa.Double, nullable=True),
    sa.Column("outcome", sa.String(20), nullable=False),  # running | succeeded | failed | refused
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("facts", sa.JSON, nullable=False),
    sa.Index("ix_mlops_retrain_history_started", "namespace", "started_at"),
)

guard_state = sa.Table(
    "mlops_guard_state",
    metadata,
    sa.Column("namespace", sa.String(200), primary_key=True),
    sa.Column("consecutive_failures", sa.Integer, nullable=False),
    sa.Column("breaker_opened_at", sa.Double, nullable=True),
    sa.Column("succeeded", sa.Integer, nullable=False),
    sa.Column("failed", sa.Integer, nullable=False),
    sa.Column("refused", sa.Integer, nullable=False),
)

# The audit log of alias moves: each entry exactly as it was hashed and signed
# (`mlops_runtime.governance.audit`), numbered from 1 per namespace; only ever inserted.
# A table added to the schema without changing the others needs no version bump: `create_all`
# adds it to an existing store, and older runtimes, which do not know it, leave it alone.
audit_log = sa.Table(
    "mlops_audit_log",
    metadata,
    sa.Column("namespace", sa.String(200), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("line", sa.Text, nullable=False),
    sa.Column("recorded_at", sa.Double, nullable=False),
)

# version -> function(connection) that brings a store from version - 1 to version.
MIGRATIONS: dict[int, Callable[[sa.Connection], None]] = {}

"""The state store: one SQLAlchemy engine, three kinds of shared state, every change one atomic
statement or one short transaction.

Why this is safe across processes and machines: a lease or a claim changes hands only through an
`INSERT ... ON CONFLICT DO UPDATE ... WHERE <free> RETURNING` statement. PostgreSQL locks the
conflicting row and re-checks the WHERE clause against the newest committed version, SQLite runs
every write transaction under `BEGIN IMMEDIATE` (one writer at a time, the others wait up to the
busy timeout); either way two callers can never both see the row as free, and the one that did
not win gets no row back.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import sqlalchemy as sa

from . import _schema as s
from ._claims import ClaimOps
from ._engine import make_engine
from ._guards import GuardOps
from ._leases import LeaseOps
from ._records import StateError


class StateStore(LeaseOps, ClaimOps, GuardOps):
    """Leases, idempotency keys and storm-guard state in one database, for one namespace.

    Open it with `open_store(uri, namespace)`; close it (or use it as a context manager) when
    done. Safe to share between threads; every process opens its own."""

    # -- plumbing -----------------------------------------------------------------------------
    def __enter__(self) -> StateStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the store's connections."""
        self.engine.dispose()

    def __repr__(self) -> str:
        url = self.engine.url.render_as_string(hide_password=True)
        return f"StateStore({url!r}, namespace={self.namespace!r})"

    def _create(self) -> None:
        with self._tx() as conn:
            if self.dialect == "postgresql":
                # Two processes creating the tables at once collide on PostgreSQL's catalogue;
                # serialise them on an advisory lock held until this transaction ends.
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": 0x6D6C6F7073})
            s.metadata.create_all(conn, checkfirst=True)
            row = conn.execute(
                sa.select(s.schema_version.c.version).where(
                    s.schema_version.c.component == s.COMPONENT
                )
            ).first()
            if row is None:
                conn.execute(
                    s.schema_version.insert().values(
                        component=s.COMPONENT, version=s.SCHEMA_VERSION
                    )
                )
                return
            found = row.version
            if found > s.SCHEMA_VERSION:
                raise StateError(
                    f"the state store {self!r} has schema version {found}, newer than this "
                    f"mlops-scaffold-runtime knows ({s.SCHEMA_VERSION}); upgrade the runtime"
                )
            for version in range(found + 1, s.SCHEMA_VERSION + 1):
                s.MIGRATIONS[version](conn)
            if found < s.SCHEMA_VERSION:
                conn.execute(
                    s.schema_version.update()
                    .where(s.schema_version.c.component == s.COMPONENT)
                    .values(version=s.SCHEMA_VERSION)
                )

    def schema_version(self) -> int:
        """The schema version the store holds."""
        with self._tx() as conn:
            return conn.execute(
                sa.select(s.schema_version.c.version).where(
                    s.schema_version.c.component == s.COMPONENT
                )
            ).scalar_one()

    # -- audit log (the rows; hashing and signing are mlops_runtime.governance.audit's) -------
    def audit_lines(self) -> list[str]:
        """Every line of the namespace's audit log, in the order written."""
        from ._audit import audit_lines

        return audit_lines(self)

    def append_audit(self, build: Callable[[int, str | None], str]) -> str:
        """Append the line `build(last_seq, last_line)` makes, atomically; the line written."""
        from ._audit import append_audit

        return append_audit(self, build)

    def import_audit(self, lines: Sequence[str]) -> int:
        """Copy `lines` verbatim into the namespace's audit log if it is empty; how many."""
        from ._audit import import_audit

        return import_audit(self, lines)


def open_store(
    uri: str, namespace: str = "default", clock: Callable[[], float] = time.time
) -> StateStore:
    """Open the state store at `uri` (a SQLAlchemy URL: `sqlite:///PATH` on a laptop,
    `postgresql+psycopg2://...` in production) for `namespace`, creating its tables if they are
    missing; `clock` gives the time in seconds (tests pass a fake one)."""
    engine = make_engine(uri)
    store = StateStore(engine, namespace, clock)
    try:
        store._create()
    except sa.exc.OperationalError as exc:
        engine.dispose()
        raise StateError(
            f"cannot open the state store {store!r}: {str(exc.orig).strip().splitlines()[0]}; "
            "check MLOPS_STATE_URI and that the database is reachable"
        ) from exc
    return store

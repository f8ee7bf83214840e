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

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from . import _schema as s

SQLITE_BUSY_TIMEOUT_S = 30.0
KEEP_HISTORY = 1000


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


class Heartbeat:
    """Renews a lease every `interval` seconds on a daemon thread until `stop()`; `lost` is set
    when a renewal finds the lease taken by someone else (the holder should stop its work)."""

    def __init__(self, store: StateStore, lease: Lease, ttl: float, interval: float):
        self.store, self.ttl, self.interval = store, ttl, interval
        self.lease = lease
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"lease-heartbeat-{lease.name}", daemon=True
        )
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                renewed = self.store.renew(self.lease.name, self.lease.holder, self.ttl)
            except Exception:  # a database blip: try again at the next beat, the TTL covers it
                continue
            if renewed is None:
                self.lost.set()
                return
            self.lease = renewed

    def stop(self) -> None:
        """Stop renewing (the lease stays until released or expired)."""
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=max(self.interval, 1.0) + SQLITE_BUSY_TIMEOUT_S)


def _engine(uri: str) -> sa.Engine:
    try:
        url = sa.engine.make_url(uri)
    except sa.exc.ArgumentError as exc:
        raise StateError(
            f"MLOPS_STATE_URI {uri!r} is not a database URL; use sqlite:///PATH or "
            "postgresql+psycopg2://USER:PASSWORD@HOST/DB"
        ) from exc
    backend = url.get_backend_name()
    if backend == "sqlite":
        database = url.database or ""
        memory = database in ("", ":memory:") or database.startswith("file::memory:")
        if not memory:
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        kwargs: dict[str, Any] = {
            "connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False}
        }
        if memory:  # one connection, or every checkout would see its own empty database
            kwargs["poolclass"] = sa.pool.StaticPool
        engine = sa.create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # transactions are ours (BEGIN IMMEDIATE)
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
            if not memory:
                cursor.execute("PRAGMA journal_mode = WAL")  # readers never wait for the writer
                cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(connection: sa.Connection) -> None:
            # Take the write lock at the start: a read-then-write transaction can then never
            # fail half-way with "database is locked" (SQLite cannot upgrade a read lock safely).
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    if backend == "postgresql":
        if url.drivername == "postgresql":
            # SQLAlchemy 2.1 reads a bare postgresql:// as psycopg 3; the runtime's `postgres`
            # extra installs psycopg2, so take it unless psycopg 3 is there.
            try:
                import psycopg  # noqa: F401
            except ImportError:
                url = url.set(drivername="postgresql+psycopg2")
        return sa.create_engine(url, pool_pre_ping=True, pool_size=2, max_overflow=4)
    raise StateError(
        f"MLOPS_STATE_URI {url.render_as_string(hide_password=True)!r} names {backend!r}; the "
        "state store runs on sqlite:///PATH (a laptop) or postgresql+psycopg2://... (production)"
    )


class StateStore:
    """Leases, idempotency keys and storm-guard state in one database, for one namespace.

    Open it with `open_store(uri, namespace)`; close it (or use it as a context manager) when
    done. Safe to share between threads; every process opens its own."""

    def __init__(self, engine: sa.Engine, namespace: str, clock: Callable[[], float]):
        self.engine = engine
        self.namespace = namespace
        self.clock = clock
        self.dialect = engine.dialect.name

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

    def _insert(self, table: sa.Table) -> Any:
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        return insert(table)

    @contextmanager
    def _tx(self) -> Iterator[sa.Connection]:
        with self.engine.begin() as conn:
            yield conn

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

    # -- leases -------------------------------------------------------------------------------
    @staticmethod
    def _lease(row: Any) -> Lease:
        return Lease(
            name=row.name,
            holder=row.holder,
            token=row.token,
            acquired_at=row.acquired_at,
            renewed_at=row.renewed_at,
            expires_at=row.expires_at,
            info=dict(row.info or {}),
        )

    def acquire(
        self, name: str, holder: str, ttl: float, info: Mapping[str, Any] | None = None
    ) -> Lease | None:
        """Take lease `name` for `ttl` seconds if it is free, expired or already `holder`'s (then
        it is extended); None when someone else holds it."""
        t, now = s.leases, self.clock()
        stmt = self._insert(t).values(
            namespace=self.namespace,
            name=name,
            holder=holder,
            token=1,
            acquired_at=now,
            renewed_at=now,
            expires_at=now + ttl,
            info=dict(info or {}),
        )
        mine = t.c.holder == holder
        stmt = stmt.on_conflict_do_update(
            index_elements=[t.c.namespace, t.c.name],
            set_={
                "holder": stmt.excluded.holder,
                "token": sa.case((mine, t.c.token), else_=t.c.token + 1),
                "acquired_at": sa.case((mine, t.c.acquired_at), else_=stmt.excluded.acquired_at),
                "renewed_at": stmt.excluded.renewed_at,
                "expires_at": stmt.excluded.expires_at,
                "info": stmt.excluded.info,
            },
            where=sa.or_(t.c.expires_at <= now, mine),
        ).returning(*t.c)
        with self._tx() as conn:
            row = conn.execute(stmt).first()
        return None if row is None else self._lease(row)

    def renew(self, name: str, holder: str, ttl: float) -> Lease | None:
        """Extend `holder`'s lease to `ttl` seconds from now (a heartbeat); None when the lease
        is no longer theirs (released, or expired and taken by someone else)."""
        t, now = s.leases, self.clock()
        stmt = (
            t.update()
            .where(t.c.namespace == self.namespace, t.c.name == name, t.c.holder == holder)
            .values(renewed_at=now, expires_at=now + ttl)
            .returning(*t.c)
        )
        with self._tx() as conn:
            row = conn.execute(stmt).first()
        return None if row is None else self._lease(row)

    def release(self, name: str, holder: str | None = None) -> bool:
        """Give lease `name` up; with `holder`, only if it is theirs (None: whoever holds it, the
        operator's `release` of a stuck lease). True when a lease was removed."""
        t = s.leases
        stmt = t.delete().where(t.c.namespace == self.namespace, t.c.name == name)
        if holder is not None:
            stmt = stmt.where(t.c.holder == holder)
        with self._tx() as conn:
            return conn.execute(stmt).rowcount > 0

    def lease(self, name: str, include_expired: bool = False) -> Lease | None:
        """Who holds lease `name` now (None: nobody, or only an expired holder unless
        `include_expired`)."""
        t = s.leases
        with self._tx() as conn:
            row = conn.execute(
                sa.select(t).where(t.c.namespace == self.namespace, t.c.name == name)
            ).first()
        if row is None:
            return None
        lease = self._lease(row)
        return lease if include_expired or lease.alive(self.clock()) else None

    def leases(self) -> list[Lease]:
        """Every lease row of the namespace, expired ones included, by name."""
        t = s.leases
        with self._tx() as conn:
            rows = conn.execute(
                sa.select(t).where(t.c.namespace == self.namespace).order_by(t.c.name)
            ).all()
        return [self._lease(row) for row in rows]

    def heartbeat(self, lease: Lease, ttl: float, interval: float | None = None) -> Heartbeat:
        """Start renewing `lease` every `interval` seconds (default a third of `ttl`)."""
        return Heartbeat(self, lease, ttl, interval if interval is not None else ttl / 3)

    @contextmanager
    def hold(
        self,
        name: str,
        holder: str | None = None,
        ttl: float = 60.0,
        info: Mapping[str, Any] | None = None,
        interval: float | None = None,
    ) -> Iterator[Heartbeat]:
        """Hold lease `name` with a heartbeat for the duration of the block; `LeaseHeld` if
        someone else holds it. A process killed inside the block stops renewing, so its lease
        expires `ttl` seconds later and the next caller gets it."""
        holder = holder or new_id()
        lease = self.acquire(name, holder, ttl, info)
        if lease is None:
            raise LeaseHeld(self.lease(name), name)
        beat = self.heartbeat(lease, ttl, interval)
        try:
            yield beat
        finally:
            beat.stop()
            self.release(name, holder)

    # -- idempotency keys ---------------------------------------------------------------------
    @staticmethod
    def _record(row: Any) -> IdempotencyRecord:
        return IdempotencyRecord(
            key=row.key,
            status=row.status,
            holder=row.holder,
            attempts=row.attempts,
            claimed_at=row.claimed_at,
            expires_at=row.expires_at,
            finished_at=row.finished_at,
            result=row.result,
            error=row.error,
        )

    def claim(self, key: str, holder: str, ttl: float) -> Claim:
        """Claim `key` for `ttl` seconds: `claimed` when it is new, failed before, or its last
        claim expired (the claimer crashed: the work is retried); `done` when it succeeded
        already; `busy` while someone else's claim is live."""
        t, now = s.idempotency_keys, self.clock()
        stmt = self._insert(t).values(
            namespace=self.namespace,
            key=key,
            status="claimed",
            holder=holder,
            attempts=1,
            claimed_at=now,
            expires_at=now + ttl,
            finished_at=None,
            result=sa.null(),
            error=None,
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[t.c.namespace, t.c.key],
            set_={
                "status": "claimed",
                "holder": stmt.excluded.holder,
                "attempts": t.c.attempts + 1,
                "claimed_at": stmt.excluded.claimed_at,
                "expires_at": stmt.excluded.expires_at,
                "finished_at": sa.null(),
                "result": sa.null(),
                "error": sa.null(),
            },
            where=sa.or_(
                t.c.status == "failed",
                sa.and_(
                    t.c.status == "claimed", sa.or_(t.c.expires_at <= now, t.c.holder == holder)
                ),
            ),
        ).returning(*t.c)
        with self._tx() as conn:
            row = conn.execute(stmt).first()
            if row is not None:
                return Claim("claimed", self._record(row))
            row = conn.execute(
                sa.select(t).where(t.c.namespace == self.namespace, t.c.key == key)
            ).one()
        record = self._record(row)
        return Claim("done" if record.status == "done" else "busy", record)

    def _finish_claim(self, key: str, holder: str, **values: Any) -> bool:
        t = s.idempotency_keys
        stmt = (
            t.update()
            .where(
                t.c.namespace == self.namespace,
                t.c.key == key,
                t.c.holder == holder,
                t.c.status == "claimed",
            )
            .values(finished_at=self.clock(), **values)
        )
        with self._tx() as conn:
            return conn.execute(stmt).rowcount > 0

    def complete(self, key: str, holder: str, result: Any = None) -> bool:
        """Mark `holder`'s claim on `key` done, after the action succeeded, with a JSON-ready
        `result` later callers get back. False when the claim is no longer theirs."""
        return self._finish_claim(key, holder, status="done", result=result, error=None)

    def fail(self, key: str, holder: str, error: str = "") -> bool:
        """Mark `holder`'s claim on `key` failed: the next `claim` retries it. False when the
        claim is no longer theirs."""
        return self._finish_claim(key, holder, status="failed", error=error)

    def idempotency_key(self, key: str) -> IdempotencyRecord | None:
        """The record of `key`, if any."""
        t = s.idempotency_keys
        with self._tx() as conn:
            row = conn.execute(
                sa.select(t).where(t.c.namespace == self.namespace, t.c.key == key)
            ).first()
        return None if row is None else self._record(row)

    def idempotency_keys(self, status: str | None = None) -> list[IdempotencyRecord]:
        """Every key of the namespace (or those with `status`), newest claim first."""
        t = s.idempotency_keys
        query = sa.select(t).where(t.c.namespace == self.namespace)
        if status is not None:
            query = query.where(t.c.status == status)
        with self._tx() as conn:
            rows = conn.execute(query.order_by(t.c.claimed_at.desc())).all()
        return [self._record(row) for row in rows]

    def forget(self, key: str | None = None, older_than: float | None = None) -> int:
        """Delete key `key`, or every finished key that finished before `older_than` (a time),
        or with neither every key of the namespace. Returns how many went."""
        t = s.idempotency_keys
        stmt = t.delete().where(t.c.namespace == self.namespace)
        if key is not None:
            stmt = stmt.where(t.c.key == key)
        if older_than is not None:
            stmt = stmt.where(t.c.status != "claimed", t.c.finished_at < older_than)
        with self._tx() as conn:
            return conn.execute(stmt).rowcount

    # -- storm-guard state --------------------------------------------------------------------
    @staticmethod
    def _retrain(row: Any) -> RetrainRecord:
        return RetrainRecord(
            id=row.id,
            trigger=row.trigger,
            reasons=tuple(row.reasons or ()),
            data_digest=row.data_digest,
            started_at=row.started_at,
            finished_at=row.finished_at,
            outcome=row.outcome,
            detail=row.detail,
            facts=dict(row.facts or {}),
        )

    def _ensure_guard_row(self, conn: sa.Connection) -> None:
        conn.execute(
            self._insert(s.guard_state)
            .values(
                namespace=self.namespace,
                consecutive_failures=0,
                breaker_opened_at=None,
                succeeded=0,
                failed=0,
                refused=0,
            )
            .on_conflict_do_nothing(index_elements=[s.guard_state.c.namespace])
        )

    def append_retrain(self, record: RetrainRecord, keep: int = KEEP_HISTORY) -> RetrainRecord:
        """Add `record` to the history (a `refused` one also counts in the totals); only the
        newest `keep` records stay."""
        h = s.retrain_history
        with self._tx() as conn:
            seq = (
                conn.execute(
                    sa.select(sa.func.max(h.c.seq)).where(h.c.namespace == self.namespace)
                ).scalar()
                or 0
            ) + 1
            conn.execute(
                h.insert().values(
                    namespace=self.namespace,
                    id=record.id,
                    seq=seq,
                    trigger=record.trigger,
                    reasons=list(record.reasons),
                    data_digest=record.data_digest,
                    started_at=record.started_at,
                    finished_at=record.finished_at,
                    outcome=record.outcome,
                    detail=record.detail,
                    facts=_jsonable(record.facts),
                )
            )
            if record.outcome == "refused":
                self._ensure_guard_row(conn)
                g = s.guard_state
                conn.execute(
                    g.update()
                    .where(g.c.namespace == self.namespace)
                    .values(refused=g.c.refused + 1)
                )
            conn.execute(
                h.delete().where(h.c.namespace == self.namespace, h.c.seq <= seq - keep)
            )
        return record

    def finish_retrain(
        self,
        id: str,
        succeeded: bool,
        detail: str = "",
        facts: Mapping[str, Any] | None = None,
        failure_threshold: int | None = None,
    ) -> bool:
        """Record how running retrain `id` ended, once: the outcome, the failure count in a row,
        the circuit breaker (opened at now when the count reaches `failure_threshold`) and the
        totals move in one transaction. False when `id` is unknown or already finished (a second
        report, e.g. the task and the pipeline's exit handler, changes nothing)."""
        h, g, now = s.retrain_history, s.guard_state, self.clock()
        with self._tx() as conn:
            row = conn.execute(
                sa.select(h.c.facts).where(
                    h.c.namespace == self.namespace, h.c.id == id, h.c.outcome == "running"
                )
            ).first()
            if row is None:
                return False
            changed = conn.execute(
                h.update()
                .where(h.c.namespace == self.namespace, h.c.id == id, h.c.outcome == "running")
                .values(
                    outcome="succeeded" if succeeded else "failed",
                    finished_at=now,
                    detail=detail,
                    facts={**(row.facts or {}), **_jsonable(facts or {})},
                )
            ).rowcount
            if not changed:
                return False
            self._ensure_guard_row(conn)
            if succeeded:
                values: dict[str, Any] = {
                    "consecutive_failures": 0,
                    "breaker_opened_at": None,
                    "succeeded": g.c.succeeded + 1,
                }
            else:
                failures = g.c.consecutive_failures + 1
                values = {"consecutive_failures": failures, "failed": g.c.failed + 1}
                if failure_threshold is not None:
                    values["breaker_opened_at"] = sa.case(
                        (failures >= failure_threshold, now), else_=g.c.breaker_opened_at
                    )
            conn.execute(g.update().where(g.c.namespace == self.namespace).values(**values))
        return True

    def retrain(self, id: str) -> RetrainRecord | None:
        """One history record by id."""
        h = s.retrain_history
        with self._tx() as conn:
            row = conn.execute(
                sa.select(h).where(h.c.namespace == self.namespace, h.c.id == id)
            ).first()
        return None if row is None else self._retrain(row)

    def retrains(
        self, since: float | None = None, outcomes: Sequence[str] | None = None
    ) -> list[RetrainRecord]:
        """The history, oldest first; only records started at or after `since`, or with one of
        `outcomes`, when given."""
        h = s.retrain_history
        query = sa.select(h).where(h.c.namespace == self.namespace)
        if since is not None:
            query = query.where(h.c.started_at >= since)
        if outcomes is not None:
            query = query.where(h.c.outcome.in_(list(outcomes)))
        with self._tx() as conn:
            rows = conn.execute(query.order_by(h.c.seq)).all()
        return [self._retrain(row) for row in rows]

    def guard_state(self) -> GuardState:
        """The failure count in a row, the breaker and the totals."""
        g = s.guard_state
        with self._tx() as conn:
            row = conn.execute(sa.select(g).where(g.c.namespace == self.namespace)).first()
        if row is None:
            return GuardState()
        return GuardState(
            consecutive_failures=row.consecutive_failures,
            breaker_opened_at=row.breaker_opened_at,
            succeeded=row.succeeded,
            failed=row.failed,
            refused=row.refused,
        )

    def reset_breaker(self) -> None:
        """Close the circuit breaker and zero the failures in a row (the totals stay)."""
        g = s.guard_state
        with self._tx() as conn:
            conn.execute(
                g.update()
                .where(g.c.namespace == self.namespace)
                .values(consecutive_failures=0, breaker_opened_at=None)
            )

    def clear_guards(self) -> None:
        """Forget the retrain history and the guard counters of the namespace."""
        with self._tx() as conn:
            for table in (s.retrain_history, s.guard_state):
                conn.execute(table.delete().where(table.c.namespace == self.namespace))


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


def _jsonable(facts: Mapping[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(dict(facts), default=str))


def open_store(uri: str, namespace: str = "default", clock: Callable[[], float] = time.time) -> (
    StateStore
):
    """Open the state store at `uri` (a SQLAlchemy URL: `sqlite:///PATH` on a laptop,
    `postgresql+psycopg2://...` in production) for `namespace`, creating its tables if they are
    missing; `clock` gives the time in seconds (tests pass a fake one)."""
    engine = _engine(uri)
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

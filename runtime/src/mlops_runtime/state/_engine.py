"""The state store's SQLAlchemy engine for a URI: SQLite with WAL, a busy timeout and
`BEGIN IMMEDIATE` write transactions, or PostgreSQL with a small pre-pinged pool."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from ._records import StateError

SQLITE_BUSY_TIMEOUT_S = 30.0


def make_engine(uri: str) -> sa.Engine:
    """The engine for `uri`; `StateError` for a URI that is not SQLite or PostgreSQL."""
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

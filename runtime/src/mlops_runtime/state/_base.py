"""What every part of the state store stands on: the engine, the namespace, the clock, one
short transaction at a time and the dialect's upsert."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa


class StoreBase:
    """The engine, namespace and clock the leases, keys and guard parts share."""

    def __init__(self, engine: sa.Engine, namespace: str, clock: Callable[[], float]):
        self.engine = engine
        self.namespace = namespace
        self.clock = clock
        self.dialect = engine.dialect.name

    def _insert(self, table: sa.Table) -> Any:
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        return insert(table)

    def _one_at_a_time(self, conn: sa.Connection, what: str) -> None:
        """Let one transaction of the namespace at a time past here for `what`, until it ends:
        SQLite's `BEGIN IMMEDIATE` already does; PostgreSQL takes a transaction-scoped advisory
        lock (its READ COMMITTED would let two transactions read the same newest row)."""
        if self.dialect == "postgresql":
            digest = hashlib.sha256(f"mlops-{what}:{self.namespace}".encode()).digest()
            key = int.from_bytes(digest[:8], "big", signed=True)
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})

    @contextmanager
    def _tx(self) -> Iterator[sa.Connection]:
        with self.engine.begin() as conn:
            yield conn


def jsonable(facts: Mapping[str, Any]) -> dict[str, Any]:
    """`facts` as JSON-ready values (anything else as its string), for a JSON column."""
    return json.loads(json.dumps(dict(facts), default=str))

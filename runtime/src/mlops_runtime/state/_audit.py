"""The audit log's rows in the state store: read in order, append one under a lock.

The caller (`mlops_runtime.governance.audit`) builds each line from the one before it (hash
chain, sequence number, signature), so the append runs as one transaction that sees the newest
line and writes the next: SQLite's `BEGIN IMMEDIATE` lets one writer in at a time, PostgreSQL
takes a transaction-scoped advisory lock per namespace; the (namespace, seq) primary key refuses
a second line with the same number whatever happens.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import sqlalchemy as sa

from . import _schema as s

if TYPE_CHECKING:
    from ._store import StateStore

# build(count, last_line) -> the next line: count is the last sequence number (0 when empty).
LineBuilder = Callable[[int, "str | None"], str]


def _lock_key(namespace: str) -> int:
    digest = hashlib.sha256(f"mlops-audit:{namespace}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def audit_lines(store: StateStore) -> list[str]:
    """Every line of the namespace's audit log, in the order written."""
    t = s.audit_log
    with store._tx() as conn:
        rows = conn.execute(
            sa.select(t.c.line).where(t.c.namespace == store.namespace).order_by(t.c.seq)
        ).all()
    return [row.line for row in rows]


def append_audit(store: StateStore, build: LineBuilder) -> str:
    """Append the line `build(count, last_line)` makes from the newest one; the line written."""
    t = s.audit_log
    with store._tx() as conn:
        if store.dialect == "postgresql":
            conn.execute(
                sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _lock_key(store.namespace)}
            )
        last = conn.execute(
            sa.select(t.c.seq, t.c.line)
            .where(t.c.namespace == store.namespace)
            .order_by(t.c.seq.desc())
            .limit(1)
        ).first()
        count = last.seq if last is not None else 0
        line = build(count, last.line if last is not None else None)
        conn.execute(
            t.insert().values(
                namespace=store.namespace, seq=count + 1, line=line, recorded_at=store.clock()
            )
        )
    return line


def import_audit(store: StateStore, lines: Iterable[str]) -> int:
    """Copy `lines` (a log written elsewhere, e.g. the old file) verbatim into an empty log, so
    their chain and signatures still verify; 0 when the log already has entries."""
    t = s.audit_log
    lines = [line for line in lines if line.strip()]
    with store._tx() as conn:
        if store.dialect == "postgresql":
            conn.execute(
                sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _lock_key(store.namespace)}
            )
        present = conn.execute(
            sa.select(sa.func.count()).select_from(t).where(t.c.namespace == store.namespace)
        ).scalar_one()
        if present or not lines:
            return 0
        now = store.clock()
        conn.execute(
            t.insert(),
            [
                {"namespace": store.namespace, "seq": n, "line": line, "recorded_at": now}
                for n, line in enumerate(lines, start=1)
            ],
        )
    return len(lines)

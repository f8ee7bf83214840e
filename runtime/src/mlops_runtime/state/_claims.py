"""Idempotency keys: an action claimed by one caller, marked done only after it succeeded,
and claimed again when its claimer crashed or failed."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from . import _schema as s
from ._base import StoreBase
from ._records import Claim, IdempotencyRecord


class ClaimOps(StoreBase):
    """The idempotency-key half of `StateStore`."""

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

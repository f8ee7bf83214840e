"""Leases: one holder at a time for a name, across processes and machines, renewed by a
heartbeat thread and taken over once the holder stops renewing."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from . import _schema as s
from ._base import StoreBase
from ._engine import SQLITE_BUSY_TIMEOUT_S
from ._records import Lease, LeaseHeld, new_id


class Heartbeat:
    """Renews a lease every `interval` seconds on a daemon thread until `stop()`; `lost` is set
    when a renewal finds the lease gone: taken by someone else, released, or lapsed because a
    renewal came later than the TTL (the holder should stop its work)."""

    def __init__(self, store: LeaseOps, lease: Lease, ttl: float, interval: float):
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


class LeaseOps(StoreBase):
    """The lease half of `StateStore`."""

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
        is no longer theirs: released, taken by someone else, or expired. A late heartbeat (its
        thread starved past the TTL) does not revive a lapsed lease: meanwhile anyone may have
        seen it lapse and acted on that (the storm guards record its retrain abandoned)."""
        t, now = s.leases, self.clock()
        stmt = (
            t.update()
            .where(
                t.c.namespace == self.namespace,
                t.c.name == name,
                t.c.holder == holder,
                t.c.expires_at > now,
            )
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

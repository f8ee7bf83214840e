"""Storm-guard state: the retrain history, the failures in a row, the circuit breaker and
the totals, each change in one transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from . import _schema as s
from ._base import StoreBase, jsonable
from ._records import GuardState, RetrainRecord

KEEP_HISTORY = 1000


class GuardOps(StoreBase):
    """The retrain-history and guard-counter part of `StateStore`."""

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
        newest `keep` records stay. One append at a time per namespace, so each gets its own
        place (`seq`) after the newest."""
        h = s.retrain_history
        with self._tx() as conn:
            self._one_at_a_time(conn, "retrain-history")
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
                    facts=jsonable(record.facts),
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
            conn.execute(h.delete().where(h.c.namespace == self.namespace, h.c.seq <= seq - keep))
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
                    facts={**(row.facts or {}), **jsonable(facts or {})},
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

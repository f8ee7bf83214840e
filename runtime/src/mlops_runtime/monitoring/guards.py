"""Storm guards: retrain when it is due, but never in a storm.

- cool-down: no retrain sooner than `cooldown_hours` after the last one started;
- rate limit: at most `max_retrains` in `per_hours`;
- single flight: one retrain at a time (a lock file; one older than `lock_timeout_hours` is
  considered dead and taken over);
- same data: no second retrain on data with the digest of an earlier successful one;
- circuit breaker: after `failure_threshold` failures in a row, retraining stops and a person is
  paged; after `breaker_reset_hours` one attempt may run again (half-open), or `reset()` it.

The state is a JSON file in the state folder (MONITORING_STATE_DIR), changed under a file lock,
so it holds across runs and processes; on several machines, put the folder on a shared volume.
Automatic triggers (drift, decay, alerts) pass every guard. Runs a person or the schedule asked
for (`manual`, `schedule`) skip the cool-down, rate limit and same-data checks, and so does
`force`; nothing skips the single flight or an open circuit breaker.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import GuardConfig

STATE_FILE = "retrain_state.json"
LOCK_FILE = "retrain.lock"
HOUR = 3600.0
UNGUARDED_TRIGGERS = ("schedule", "manual")  # chosen by people, not by the monitoring
MAX_HISTORY = 200


@dataclass(frozen=True)
class Ticket:
    """Permission to run one retrain; hand it back to `finish`."""

    id: str
    trigger: str
    data_digest: str | None


class RetrainRefused(RuntimeError):
    """A guard said no; `reasons` says which and until when."""

    def __init__(self, reasons: list[str]):
        self.reasons = reasons
        super().__init__("retrain refused: " + "; ".join(reasons))


def _when(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(ts))


class RetrainGuards:
    """The storm guards of one project: whether a retrain may start, and its bookkeeping."""

    def __init__(self, state_dir: str | Path, cfg: GuardConfig, clock=time.time):
        self.dir = Path(state_dir)
        self.cfg = cfg
        self.clock = clock

    # -- state --------------------------------------------------------------------------------
    @contextmanager
    def _locked(self) -> Iterator[dict[str, Any]]:
        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self.dir / ".state.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            state = self._read()
            yield state
            tmp = self.dir / f".{STATE_FILE}.{os.getpid()}.tmp"
            tmp.write_text(json.dumps(state, indent=1), encoding="utf-8")
            tmp.replace(self.dir / STATE_FILE)

    def _read(self) -> dict[str, Any]:
        path = self.dir / STATE_FILE
        state = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        state.setdefault("history", [])
        state.setdefault("consecutive_failures", 0)
        state.setdefault("breaker_opened_at", None)
        state.setdefault("totals", {"succeeded": 0, "failed": 0, "refused": 0})
        return state

    def _flight(self) -> dict[str, Any] | None:
        """The retrain holding the single-flight lock, unless it is older than the timeout."""
        path = self.dir / LOCK_FILE
        try:
            holder = json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None
        if self.clock() - float(holder.get("started_at", 0)) > self.cfg.lock_timeout_hours * HOUR:
            return None
        return holder

    # -- decisions ----------------------------------------------------------------------------
    def blockers(
        self, trigger: str = "drift", data_digest: str | None = None, force: bool = False
    ) -> list[str]:
        """Why a retrain could not start now (empty: it could)."""
        return self._blockers(self._read(), trigger, data_digest, force)

    def _blockers(
        self, state: dict[str, Any], trigger: str, data_digest: str | None, force: bool
    ) -> list[str]:
        now, cfg, reasons = self.clock(), self.cfg, []
        holder = self._flight()
        if holder:
            reasons.append(
                f"single flight: retrain {holder['id']} running since {_when(holder['started_at'])}"
            )
        opened = state["breaker_opened_at"]
        if opened is not None and now - opened < cfg.breaker_reset_hours * HOUR:
            reasons.append(
                f"circuit breaker open after {state['consecutive_failures']} failed retrains "
                f"(until {_when(opened + cfg.breaker_reset_hours * HOUR)}); page a person"
            )
        if force or trigger in UNGUARDED_TRIGGERS:
            return reasons
        started = [h for h in state["history"] if h["outcome"] != "refused"]
        if started:
            last = max(h["started_at"] for h in started)
            if now - last < cfg.cooldown_hours * HOUR:
                reasons.append(
                    f"cool-down: last retrain started {_when(last)}, next allowed "
                    f"{_when(last + cfg.cooldown_hours * HOUR)}"
                )
        recent = [h for h in started if now - h["started_at"] < cfg.per_hours * HOUR]
        if len(recent) >= cfg.max_retrains:
            reasons.append(
                f"rate limit: {len(recent)} retrains in the last {cfg.per_hours:g} h "
                f"(at most {cfg.max_retrains})"
            )
        if data_digest and any(
            h["data_digest"] == data_digest and h["outcome"] in ("succeeded", "running")
            for h in started
        ):
            reasons.append(f"same data: a retrain already used data digest {data_digest[:12]}")
        return reasons

    def begin(
        self,
        trigger: str,
        reasons: list[str] | tuple[str, ...] = (),
        data_digest: str | None = None,
        force: bool = False,
    ) -> Ticket:
        """Take the single-flight lock and record the start; RetrainRefused if a guard says no
        (the refusal is recorded too)."""
        with self._locked() as state:
            now = self.clock()
            blocked = self._blockers(state, trigger, data_digest, force)
            entry = {
                "id": uuid.uuid4().hex[:12],
                "trigger": trigger,
                "reasons": list(reasons),
                "data_digest": data_digest,
                "started_at": now,
                "finished_at": None,
                "outcome": "running",
                "detail": "",
            }
            if not blocked:
                try:
                    fd = os.open(self.dir / LOCK_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
                except FileExistsError:  # a dead holder's lock (older than the timeout)
                    (self.dir / LOCK_FILE).unlink(missing_ok=True)
                    fd = os.open(self.dir / LOCK_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
                with os.fdopen(fd, "w") as handle:
                    json.dump({"id": entry["id"], "started_at": now, "pid": os.getpid()}, handle)
            else:
                entry.update(outcome="refused", finished_at=now, detail="; ".join(blocked))
                state["totals"]["refused"] += 1
            state["history"] = (state["history"] + [entry])[-MAX_HISTORY:]
        if blocked:
            raise RetrainRefused(blocked)
        return Ticket(entry["id"], trigger, data_digest)

    def finish(self, ticket: Ticket, succeeded: bool, detail: str = "", **facts: Any) -> None:
        """Record how the retrain ended, move the circuit breaker, release the lock."""
        with self._locked() as state:
            now = self.clock()
            for entry in state["history"]:
                if entry["id"] == ticket.id:
                    entry.update(
                        outcome="succeeded" if succeeded else "failed",
                        finished_at=now,
                        detail=detail,
                        **facts,
                    )
            if succeeded:
                state["totals"]["succeeded"] += 1
                state["consecutive_failures"] = 0
                state["breaker_opened_at"] = None
            else:
                state["totals"]["failed"] += 1
                state["consecutive_failures"] += 1
                if state["consecutive_failures"] >= self.cfg.failure_threshold:
                    state["breaker_opened_at"] = now
            holder = self._flight()
            if holder is None or holder.get("id") == ticket.id:
                (self.dir / LOCK_FILE).unlink(missing_ok=True)

    def reset(self) -> None:
        """Close the circuit breaker by hand (after fixing what made retrains fail)."""
        with self._locked() as state:
            state["consecutive_failures"] = 0
            state["breaker_opened_at"] = None

    def status(self) -> dict[str, Any]:
        """The guards' state for the report and the metrics."""
        state, now = self._read(), self.clock()
        started = [h for h in state["history"] if h["outcome"] != "refused"]
        succeeded = [h for h in started if h["outcome"] == "succeeded"]
        opened = state["breaker_opened_at"]
        last_start = max((h["started_at"] for h in started), default=None)
        return {
            "in_flight": self._flight() is not None,
            "circuit_open": opened is not None
            and now - opened < self.cfg.breaker_reset_hours * HOUR,
            "consecutive_failures": state["consecutive_failures"],
            "last_started_at": last_start,
            "last_succeeded_at": max((h["finished_at"] for h in succeeded), default=None),
            "cooldown_until": None
            if last_start is None
            else last_start + self.cfg.cooldown_hours * HOUR,
            "retrains_in_window": sum(
                1 for h in started if now - h["started_at"] < self.cfg.per_hours * HOUR
            ),
            "totals": dict(state["totals"]),
            "last": state["history"][-1] if state["history"] else None,
        }

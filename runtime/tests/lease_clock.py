"""A fake clock for lease tests that must not depend on how busy the machine is.

A heartbeat thread renews on real time (every `interval` seconds), but the lease's expiry is
read from the store's clock. With this clock the test moves time forward only after it saw the
heartbeat renew at the current time, by less than the TTL each step: the lease can then lapse
only if the heartbeat stops renewing, never because the thread was scheduled late."""

from __future__ import annotations

import time
from collections.abc import Callable

from mlops_runtime.state import Lease

WAIT_FOR_A_BEAT_S = 60.0  # generous: a starved thread is slow, not wrong


class StepClock:
    def __init__(self, now: float | None = None):
        self.now = time.time() if now is None else now

    def __call__(self) -> float:
        return self.now

    def wait_for_renewal(self, read: Callable[[], Lease | None]) -> Lease:
        """Poll `read` until the lease shows a renewal at the current time; that lease."""
        deadline = time.monotonic() + WAIT_FOR_A_BEAT_S
        while True:
            lease = read()
            assert lease is not None, "the lease lapsed while its heartbeat should renew it"
            if lease.renewed_at >= self.now:
                return lease
            assert time.monotonic() < deadline, f"no renewal at {self.now} within the deadline"
            time.sleep(0.01)

    def run_past(self, until: float, step: float, read: Callable[[], Lease | None]) -> Lease:
        """Move time forward by `step` (less than the lease's TTL) until past `until`, waiting
        for a renewal after each step; the last renewed lease."""
        lease = self.wait_for_renewal(read)
        while self.now <= until:
            assert lease.expires_at > self.now + step, "step at least as long as the TTL"
            self.now += step
            lease = self.wait_for_renewal(read)
        return lease

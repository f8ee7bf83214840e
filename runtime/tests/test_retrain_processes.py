"""Guarded retrains in real processes sharing one state store (SQLite and a real PostgreSQL):
two at once start exactly one training run; a retrain killed with SIGKILL stops renewing its
lease, the next retrain runs, and the dead one is recorded as failed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from mlops_runtime.monitoring.config import GuardConfig
from mlops_runtime.monitoring.guards import LEASE, open_guards

TESTS = Path(__file__).resolve().parent

RETRAIN = textwrap.dedent(
    """
    import json, os, sys, time
    from dataclasses import dataclass, field

    from mlops_runtime import Project
    from mlops_runtime.monitoring.config import GuardConfig, MonitoringConfig
    from mlops_runtime.monitoring.retrain import retrain

    @dataclass(frozen=True)
    class Data:
        source: str | None = None
        n_rows: int = 300
        seed: int = 1

    @dataclass(frozen=True)
    class Config:
        data: Data = field(default_factory=Data)

    go, hold, ttl_minutes = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    cfg = MonitoringConfig(guards=GuardConfig(cooldown_hours=0, lease_ttl_minutes=ttl_minutes))
    project = Project(name="sample", package="sampleproj")

    def runner(config):
        print("training", flush=True)
        time.sleep(hold)
        return {"registered": {"version": "1", "promoted": True}}

    print("ready", flush=True)
    while not os.path.exists(go):
        time.sleep(0.005)
    out = retrain(project, "drift", ["drift: x"], config=cfg, pipeline_config=Config(),
                  runner=runner)
    print(json.dumps({"status": out.status, "detail": out.detail}), flush=True)
    """
)


def _start(
    project_root: Path, state_uri: str, go: Path, hold: float, ttl_minutes: float = 1.0
) -> subprocess.Popen:
    """A retrain in its own process, once `go` exists; its runner trains `hold` seconds and
    its lease lives `ttl_minutes` without a heartbeat (long: only a killed holder lapses)."""
    env = {
        **os.environ,
        "MLOPS_PROJECT_ROOT": str(project_root),
        "MLOPS_STATE_URI": state_uri,
        "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.Popen(
        [sys.executable, "-c", RETRAIN, str(go), str(hold), str(ttl_minutes)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _outcome(stdout: str) -> dict:
    return json.loads(stdout.strip().splitlines()[-1])


def test_two_retrains_at_once_start_exactly_one_training_run(project, state_uri, tmp_path):
    go = tmp_path / "go"
    racers = [_start(tmp_path, state_uri, go, hold=3.0) for _ in range(2)]
    for racer in racers:  # both imported and waiting
        assert racer.stdout.readline().strip() == "ready"
    go.touch()
    outputs = [racer.communicate(timeout=300) for racer in racers]
    assert all(r.returncode == 0 for r in racers), [err[-2000:] for _, err in outputs]
    outcomes = sorted((_outcome(out) for out, _ in outputs), key=lambda o: o["status"])
    assert [o["status"] for o in outcomes] == ["refused", "succeeded"], outcomes
    assert sum(out.count("training") for out, _ in outputs) == 1
    with open_guards(state_uri, GuardConfig(), "sample") as guards:
        status = guards.status()
    assert status["totals"] == {"succeeded": 1, "failed": 0, "refused": 1}
    assert not status["in_flight"]


TTL_S = 3.0


def _renewed_past_its_ttl(lease) -> bool:
    assert lease is not None, "the lease lapsed while the retrain was alive"
    return lease.renewed_at > lease.acquired_at + TTL_S


def test_a_killed_retrains_lease_lapses_and_the_next_one_runs(project, state_uri, tmp_path):
    go = tmp_path / "go"
    go.touch()
    victim = _start(tmp_path, state_uri, go, hold=600, ttl_minutes=TTL_S / 60)
    try:
        assert [victim.stdout.readline().strip() for _ in "12"] == ["ready", "training"]
        # The heartbeat keeps it past its 3 s lease: polled until a renewal shows it (a fixed
        # sleep would test how soon a busy machine schedules the heartbeat thread).
        with open_guards(state_uri, GuardConfig(), "sample") as guards:
            deadline = time.monotonic() + 120
            while not _renewed_past_its_ttl(guards.store.lease(LEASE)):
                assert time.monotonic() < deadline, "the retrain never renewed its lease"
                time.sleep(0.1)
            held = guards.status()
        assert held["in_flight"], held
        dead = held["lease"]["id"]
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(10)
    finally:
        if victim.poll() is None:
            victim.kill()
            victim.wait()
    time.sleep(TTL_S + 0.5)  # the lease's TTL after its last renewal, before the kill
    following = _start(tmp_path, state_uri, go, hold=0)
    out, err = following.communicate(timeout=300)
    assert following.returncode == 0, err[-2000:]
    assert _outcome(out)["status"] == "succeeded", out
    with open_guards(state_uri, GuardConfig(), "sample") as guards:
        record = guards.store.retrain(dead)
        status = guards.status()
    assert record.outcome == "failed" and "abandoned" in record.detail
    assert status["totals"] == {"succeeded": 1, "failed": 1, "refused": 0}
    assert status["consecutive_failures"] == 0  # the success after it closed the count

"""Operations per second of the shared state store (`mlops_runtime.state`) on SQLite and
PostgreSQL.

Each operation is one round trip the storm guards, the receiver or the exit handlers make:
lease acquire, lease release, idempotency claim, claim complete, retrain history append, retrain
finish, and an audit-log append (hash-chained and signed, as every alias move writes). One
client in a loop, then `--procs` processes at once (each on its own names, so they contend for
the database, not for a row), which is how several workers share a store.

PostgreSQL: `--postgres-uri postgresql+psycopg2://...`, or nothing to start a throwaway cluster
with the test suite's fixture (`tests/engines/postgres.py`, Debian's server); `--no-postgres`
skips it.

Run: `python benchmarks/bench_state.py [--seconds S] [--procs N] [--postgres-uri URI]`.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "runtime" / "src"))

OPS = ("lease acquire", "lease release", "claim", "complete", "history append", "retrain finish",
       "audit append")  # fmt: skip


def _run(uri: str, seconds: float, tag: str) -> dict[str, float]:
    """Each operation in turn for `seconds`, on names of this worker alone; ops per second."""
    from mlops_runtime.governance.audit import AuditLog
    from mlops_runtime.state import RetrainRecord, open_store
    from mlops_runtime.state import _schema as schema

    rates: dict[str, float] = {}
    with open_store(uri, f"bench-{tag}") as store:
        pending: dict[str, list[str]] = {"lease": [], "claim": [], "retrain": []}

        def timed(name: str, op) -> None:
            n, start = 0, time.perf_counter()
            while time.perf_counter() - start < seconds:
                op(n)
                n += 1
            rates[name] = n / (time.perf_counter() - start)

        def acquire(n: int) -> None:
            pending["lease"].append(f"lease-{n}")
            assert store.acquire(f"lease-{n}", tag, ttl=60)

        def release(n: int) -> None:
            if pending["lease"]:
                assert store.release(pending["lease"].pop(), tag)
            else:  # more releases than acquired names: release-what-is-not-there costs the same
                store.release(f"none-{n}", tag)

        def claim(n: int) -> None:
            pending["claim"].append(f"key-{n}")
            assert store.claim(f"key-{n}", tag, ttl=60).owned

        def complete(n: int) -> None:
            key = pending["claim"].pop() if pending["claim"] else f"none-{n}"
            store.complete(key, tag, result={"ok": True})

        def append(n: int) -> None:
            record = RetrainRecord(f"{tag}-{n}", "drift", ("psi",), "d" * 64, time.time())
            store.append_retrain(record)
            pending["retrain"].append(record.id)

        def finish(n: int) -> None:
            rid = pending["retrain"].pop() if pending["retrain"] else f"none-{n}"
            store.finish_retrain(rid, n % 2 == 0, "bench", failure_threshold=3)

        audit = AuditLog(store=store, key=b"bench-key")

        def audit_append(n: int) -> None:  # hash-chained and signed, as every alias move
            audit.append(action="move", alias="champion", to=str(n), actor=tag, reason="bench")

        for name, op in zip(OPS, (acquire, release, claim, complete, append, finish,
                                  audit_append), strict=True):  # fmt: skip
            timed(name, op)
        store.clear_guards()
        store.forget()
        with store.engine.begin() as conn:
            table = schema.audit_log
            conn.execute(table.delete().where(table.c.namespace == store.namespace))
    return rates


def _worker(args: tuple[str, float, str]) -> dict[str, float]:
    return _run(*args)


def measure(uri: str, seconds: float, procs: int) -> tuple[dict[str, float], dict[str, float]]:
    """(one client's ops/s, all `procs` clients' summed ops/s) per operation."""
    from mlops_runtime.state import open_store

    open_store(uri).close()  # tables first
    single = _run(uri, seconds, "single")
    with multiprocessing.get_context("spawn").Pool(procs) as pool:
        results = pool.map(_worker, [(uri, seconds, f"p{i}") for i in range(procs)])
    summed = {op: sum(r[op] for r in results) for op in OPS}
    return single, summed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="per operation and client")
    parser.add_argument("--procs", type=int, default=4)
    parser.add_argument("--postgres-uri", default=None)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv)

    targets: list[tuple[str, str]] = []
    tmp = tempfile.TemporaryDirectory()
    targets.append(("SQLite (WAL)", f"sqlite:///{tmp.name}/state.db"))
    server = None
    if args.postgres_uri:
        targets.append(("PostgreSQL", args.postgres_uri))
    elif not args.no_postgres:
        sys.path.insert(0, str(ROOT))
        from tests.engines.postgres import PostgresServer

        server = PostgresServer()
        server.start()
        targets.append(("PostgreSQL (local, fsync off)", server.create_database()))
    try:
        print(f"ops/s: one client | {args.procs} processes together ({args.seconds:g} s each)")
        print(f"{'store':32} {'operation':16} {'1 client':>10} {f'{args.procs} procs':>10}")
        for label, uri in targets:
            single, summed = measure(uri, args.seconds, args.procs)
            for op in OPS:
                print(f"{label:32} {op:16} {single[op]:10.0f} {summed[op]:10.0f}")
    finally:
        if server is not None:
            server.stop()
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The audit log in the shared state store, on SQLite and PostgreSQL: one chain however many
processes append at once, tampering with its rows detected, an older file log carried over."""

from __future__ import annotations

import multiprocessing

from mlops_runtime.governance.audit import AuditLog
from mlops_runtime.state import _schema as schema
from mlops_runtime.state import open_store

KEY = b"k" * 32


def _append_many(uri: str, writer: int, count: int) -> None:
    with open_store(uri, "proj") as store:
        log = AuditLog(store=store, key=KEY)
        for n in range(count):
            log.append(action="move", alias="champion", to=f"{writer}.{n}", actor=f"w{writer}")


def test_processes_appending_at_once_leave_one_signed_chain(state_uri):
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_append_many, args=(state_uri, w, 8)) for w in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    with open_store(state_uri, "proj") as store:
        log = AuditLog(store=store, key=KEY)
        entries = log.entries()
        assert [e["seq"] for e in entries] == list(range(1, 33))
        assert sorted(e["to"] for e in entries) == sorted(f"{w}.{n}" for w in range(4)
                                                          for n in range(8))  # fmt: skip
        assert log.verify(anchor=log.head()) == []
    with open_store(state_uri, "other-project") as store:
        assert store.audit_lines() == []  # namespaces keep their own logs


def test_an_edited_or_removed_row_and_a_truncated_log_are_detected(state_uri):
    with open_store(state_uri, "proj") as store:
        log = AuditLog(store=store, key=KEY)
        for version in ("1", "2", "3", "4"):
            log.append(action="move", alias="champion", to=version, actor="ci")
        anchor = log.head()
        table = schema.audit_log
        with store.engine.begin() as conn:
            line = (
                conn.execute(table.select().where(table.c.namespace == "proj", table.c.seq == 2))
                .one()
                .line
            )
            conn.execute(
                table.update()
                .where(table.c.namespace == "proj", table.c.seq == 2)
                .values(line=line.replace('"to": "2"', '"to": "9"'))
            )
        problems = log.verify(anchor)
        assert "line 2: signature does not match (rewritten)" in problems
        assert "line 3: does not follow line 2 (edited or removed)" in problems
        with store.engine.begin() as conn:
            conn.execute(table.delete().where(table.c.namespace == "proj", table.c.seq >= 2))
        assert log.verify(anchor) == ["the anchored head is entry 4, the log has 1 (truncated)"]


def test_a_file_log_of_an_older_project_is_carried_over_verbatim(project, state_uri,
                                                                 monkeypatch):  # fmt: skip
    monkeypatch.setenv("MLOPS_STATE_URI", state_uri)
    monkeypatch.setenv("GOVERNANCE_AUDIT_KEY", KEY.decode())
    old = AuditLog(project.root / "audit" / "model_registry.jsonl", key=KEY)
    for version in ("1", "2"):
        old.append(action="move", alias="champion", to=version, actor="ci")
    log = AuditLog.of(project)
    try:
        assert log.store is not None and log.entries() == old.entries()
        log.append(action="rollback", alias="champion", to="1", actor="on-call")
        assert [e["seq"] for e in log.entries()] == [1, 2, 3]
        assert log.verify(anchor=log.head()) == []
        assert len(old.entries()) == 2  # the file is no longer written
    finally:
        log.close()
    again = AuditLog.of(project)  # not copied twice
    try:
        assert len(again.entries()) == 3
    finally:
        again.close()

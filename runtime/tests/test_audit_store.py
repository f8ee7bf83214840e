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


def test_append_audit_builds_each_line_from_the_newest_and_import_audit_only_fills_an_empty_log(
    state_uri,
):
    seen = []

    def build(count, last):
        seen.append((count, last))
        return f"line {count + 1} after {last}"

    with open_store(state_uri, "proj") as store:
        assert store.append_audit(build) == "line 1 after None"
        assert store.append_audit(build) == "line 2 after line 1 after None"
        assert seen == [(0, None), (1, "line 1 after None")]
        assert store.import_audit(["old 1", "old 2"]) == 0  # the log has entries: nothing copied
        assert store.audit_lines() == ["line 1 after None", "line 2 after line 1 after None"]
    with open_store(state_uri, "fresh") as store:
        assert store.import_audit(["old 1", "", "old 2\n"]) == 2  # blank lines dropped
        assert store.audit_lines()[0] == "old 1"
        assert len(store.audit_lines()) == 2
        assert store.append_audit(lambda count, last: f"{count}:{last.strip()}") == "2:old 2"


def test_new_id_is_short_and_unique():
    from mlops_runtime.state import new_id

    ids = {new_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(len(i) == 12 and i.isalnum() for i in ids)

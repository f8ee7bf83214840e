"""The append-only audit log of alias moves: who, when, which alias, from, to, why.

One JSON object an entry, kept in the shared state store (`MLOPS_STATE_URI`: SQLite under the
project on a laptop, PostgreSQL in production; table `mlops_audit_log`, the project's namespace),
so every worker, CI job and receiver that moves an alias writes the same log. Entries are only
ever appended, one writer at a time. A log of a project made before the store (the file
`$GOVERNANCE_AUDIT_LOG`, default `audit/model_registry.jsonl`) is copied in verbatim the first
time the store's log is opened empty, so its chain and signatures still verify; the file is
then no longer written. `AuditLog(path)` still reads and writes such a file.

Tamper evidence, in three layers (docs/security.md, "operator -> audit log"):
- each entry carries the SHA-256 of the entry before it (`prev`) and its number (`seq`): an
  edited, removed or reordered entry breaks the chain;
- each entry is signed (`sig`, HMAC-SHA256) with a key only the platform holds
  (`$GOVERNANCE_AUDIT_KEY_FILE`, a mounted secret, or `$GOVERNANCE_AUDIT_KEY`): a rewritten
  entry, even with the chain recomputed, does not verify without the key;
- the chain head (last `seq` and its entry's digest) is anchored outside the log, as the tag
  `audit.head` of the MLflow audit experiment `<project name>-audit`, updated on every append
  (`record`): a truncated log, or one rewritten whole, no longer ends where the anchor says.
Every entry is also logged to MLflow as a run of that experiment. The actor is the authenticated
caller where there is one (the receiver's token name), else the CI's user, else
`$GOVERNANCE_ACTOR` or the login name; `actor_source` says which.
"""

from __future__ import annotations

import fcntl
import getpass
import hashlib
import hmac
import json
import os
import time
from pathlib import Path
from typing import Any

from ..project import Project

AUDIT_ENV = "GOVERNANCE_AUDIT_LOG"
ACTOR_ENV = "GOVERNANCE_ACTOR"
KEY_FILE_ENV = "GOVERNANCE_AUDIT_KEY_FILE"
KEY_ENV = "GOVERNANCE_AUDIT_KEY"
DEFAULT_LOG = Path("audit/model_registry.jsonl")
GENESIS = "0" * 64
HEAD_TAG = "audit.head"


def audit_experiment(project: Project) -> str:
    """The MLflow experiment that keeps the durable copy of a project's audit entries."""
    return f"{project.name}-audit"


def now() -> str:
    """UTC time to the microsecond (ISO 8601), so entries and tags sort by time."""
    stamp = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(stamp)) + f".{int(stamp % 1 * 1e6):06d}Z"


def actor_and_source() -> tuple[str, str]:
    """Who is acting and how we know: the CI's user (GITHUB_ACTOR, GITLAB_USER_LOGIN: set by
    the CI from its own login), else $GOVERNANCE_ACTOR, else the login name."""
    for name in ("GITHUB_ACTOR", "GITLAB_USER_LOGIN", ACTOR_ENV):
        if os.environ.get(name):
            return os.environ[name], name
    try:
        return getpass.getuser(), "login"
    except (KeyError, OSError):
        return "unknown", "none"


def actor() -> str:
    """Who is acting (see `actor_and_source`)."""
    return actor_and_source()[0]


def _digest(line: str) -> str:
    return hashlib.sha256(line.encode("utf-8")).hexdigest()


def audit_key() -> bytes | None:
    """The signing key: the file `$GOVERNANCE_AUDIT_KEY_FILE`, else `$GOVERNANCE_AUDIT_KEY`."""
    path = os.environ.get(KEY_FILE_ENV)
    if path:
        key = Path(path).read_bytes().strip()
        if not key:
            raise ValueError(f"{KEY_FILE_ENV}={path} is empty")
        return key
    return os.environ.get(KEY_ENV, "").encode() or None


def _signature(key: bytes, entry: dict[str, Any]) -> str:
    body = json.dumps({k: v for k, v in entry.items() if k != "sig"}, sort_keys=True)
    return hmac.new(key, body.encode("utf-8"), hashlib.sha256).hexdigest()


class AuditLog:
    """The audit log, in the state store (`store`) or a file (`path`); `append` is the only way
    to write it."""

    def __init__(self, path: str | Path | None = None, key: bytes | None = None, store: Any = None):
        if (path is None) == (store is None):
            raise ValueError("an audit log is a file (path) or a state store (store), one of them")
        self.path = Path(path) if path is not None else None
        self.store = store
        self.key = key

    @classmethod
    def of(cls, project: Project) -> AuditLog:
        """The project's log in its state store (`MLOPS_STATE_URI`, the project's namespace),
        signed with `audit_key()` when one is set; an older file log is copied in first."""
        from ..settings import load_settings
        from ..state import open_store

        store = open_store(load_settings(project).state_uri, project.name)
        log = cls(store=store, key=audit_key())
        legacy = project.path(os.environ.get(AUDIT_ENV) or DEFAULT_LOG)
        if legacy.is_file():
            store.import_audit(AuditLog(legacy)._lines())
        return log

    @property
    def where(self) -> str:
        """Where the log is kept (a file, or the store's URL without its password)."""
        return str(self.path) if self.path is not None else f"{self.store!r} audit log"

    def close(self) -> None:
        """Close the state store's connections (a file log has none)."""
        if self.store is not None:
            self.store.close()

    def _lines(self) -> list[str]:
        if self.store is not None:
            return self.store.audit_lines()
        if not self.path.is_file():
            return []
        return [line for line in self.path.read_text(encoding="utf-8").splitlines() if line]

    def entries(self) -> list[dict[str, Any]]:
        """Every entry, oldest first."""
        return [json.loads(line) for line in self._lines() if line.strip()]

    def head(self) -> tuple[int, str]:
        """(number of entries, SHA-256 of the last one): what `anchor` records."""
        lines = self._lines()
        return len(lines), _digest(lines[-1]) if lines else GENESIS

    def append(self, **fields: Any) -> dict[str, Any]:
        """Write one entry (timestamp, actor, the previous entry's hash and the signature are
        added). An `actor` given by the caller is an authenticated identity."""
        given = fields.pop("actor", None)
        who, source = (given, "caller") if given else actor_and_source()
        written: dict[str, Any] = {}

        def build(count: int, last: str | None) -> str:
            entry = {
                "time": now(),
                "actor": who,
                "actor_source": source,
                **fields,
                "seq": count + 1,
                "prev": _digest(last) if last is not None else GENESIS,
            }
            if self.key:
                entry["sig"] = _signature(self.key, entry)
            written.clear()
            written.update(entry)
            return json.dumps(entry, sort_keys=True)

        if self.store is not None:
            self.store.append_audit(build)
            return dict(written)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        with os.fdopen(fd, "r+", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # one writer at a time: the chain stays linear
            handle.seek(0)
            lines = [line for line in handle.read().splitlines() if line.strip()]
            handle.write(build(len(lines), lines[-1] if lines else None) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        return dict(written)

    def verify(self, anchor: tuple[int, str] | None = None) -> list[str]:
        """Problems of the log (empty: every line is where it was written, unchanged, signed
        by the key when there is one, and the log ends where `anchor` (count, digest) says)."""
        lines = self._lines()
        problems, previous = [], GENESIS
        for number, line in enumerate(lines, start=1):
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                problems.append(f"line {number}: not JSON")
                previous = _digest(line)
                continue
            if entry.get("prev") != previous:
                problems.append(
                    f"line {number}: does not follow line {number - 1} (edited or removed)"
                )
            if entry.get("seq") != number:
                problems.append(f"line {number}: sequence number {entry.get('seq')}")
            if self.key is not None:
                if "sig" not in entry:
                    problems.append(f"line {number}: not signed")
                elif not hmac.compare_digest(str(entry["sig"]), _signature(self.key, entry)):
                    problems.append(f"line {number}: signature does not match (rewritten)")
            previous = _digest(line)
        if anchor is not None:
            count, digest = anchor
            if count > len(lines):
                problems.append(
                    f"the anchored head is entry {count}, the log has {len(lines)} (truncated)"
                )
            elif count and _digest(lines[count - 1]) != digest:
                problems.append(f"entry {count} is not the one anchored (rewritten)")
        return problems


def record(project: Project, log: AuditLog | None = None, **fields: Any) -> dict[str, Any]:
    """Append an entry to the project's log, copy it to MLflow and move the anchored head."""
    own = log is None
    log = log or AuditLog.of(project)
    try:
        entry = log.append(**fields)
        head = log.head()
    finally:
        if own:
            log.close()
    log_to_mlflow(project, entry, head=head)
    return entry


def read_anchor(project: Project) -> tuple[int, str] | None:
    """The anchored chain head (count, digest), None if nothing was anchored."""
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=project.call("tracking_uri"))
    experiment = client.get_experiment_by_name(audit_experiment(project))
    raw = experiment.tags.get(HEAD_TAG) if experiment else None
    if not raw:
        return None
    count, _, digest = raw.partition(":")
    return int(count), digest


def artifact_location(uri: str) -> str | None:
    """For a local SQLite store, artifacts in `mlruns/` next to the database file (as the
    project's own tracking module does)."""
    if not uri.startswith("sqlite:///"):
        return None  # a tracking server decides where artifacts go
    return (Path(uri.removeprefix("sqlite:///")).resolve().parent / "mlruns").as_uri()


def log_to_mlflow(
    project: Project, entry: dict[str, Any], head: tuple[int, str] | None = None
) -> str | None:
    """Record `entry` as a run of the project's audit experiment, and `head` (the log's count
    and last digest) as its anchor; the run id (None if MLflow failed)."""
    from mlflow.exceptions import MlflowException
    from mlflow.tracking import MlflowClient

    uri = project.call("tracking_uri")
    client = MlflowClient(tracking_uri=uri)
    name = audit_experiment(project)
    try:
        experiment = client.get_experiment_by_name(name)
        experiment_id = (
            experiment.experiment_id
            if experiment
            else client.create_experiment(name, artifact_location=artifact_location(uri))
        )
        tags = {f"audit.{k}": str(v)[:5000] for k, v in entry.items() if v is not None}
        run = client.create_run(
            experiment_id,
            tags=tags,
            run_name=f"{entry.get('action')} {entry.get('alias')} {entry.get('to')}",
        )
        client.log_dict(run.info.run_id, entry, "audit_entry.json")
        client.set_terminated(run.info.run_id)
        if head is not None:
            client.set_experiment_tag(experiment_id, HEAD_TAG, f"{head[0]}:{head[1]}")
    except MlflowException:
        return None  # the file entry stands; the MLflow copy is best effort
    return run.info.run_id

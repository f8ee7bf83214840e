"""The append-only audit log of alias moves: who, when, which alias, from, to, why.

One JSON object a line in `$GOVERNANCE_AUDIT_LOG` (default `audit/model_registry.jsonl` in the
project).
Lines are only ever appended (O_APPEND, under a file lock) and each carries the SHA-256 of
the line before it, so `verify()` finds an edited, removed or reordered entry. Every entry is
also logged to MLflow (experiment `<project name>-audit`), the durable copy when the file lives on
a CI runner.
"""

from __future__ import annotations

import fcntl
import getpass
import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

from ..project import Project

AUDIT_ENV = "GOVERNANCE_AUDIT_LOG"
ACTOR_ENV = "GOVERNANCE_ACTOR"
DEFAULT_LOG = Path("audit/model_registry.jsonl")
GENESIS = "0" * 64


def audit_experiment(project: Project) -> str:
    """The MLflow experiment that keeps the durable copy of a project's audit entries."""
    return f"{project.name}-audit"


def now() -> str:
    """UTC time to the microsecond (ISO 8601), so entries and tags sort by time."""
    stamp = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(stamp)) + f".{int(stamp % 1 * 1e6):06d}Z"


def actor() -> str:
    """Who is acting: $GOVERNANCE_ACTOR, else the CI's user, else the login name."""
    for name in (ACTOR_ENV, "GITHUB_ACTOR", "GITLAB_USER_LOGIN"):
        if os.environ.get(name):
            return os.environ[name]
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _digest(line: str) -> str:
    return hashlib.sha256(line.encode("utf-8")).hexdigest()


class AuditLog:
    """The audit log file; `append` is the only way to write it."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    @classmethod
    def of(cls, project: Project) -> AuditLog:
        """The project's log: `$GOVERNANCE_AUDIT_LOG`, else audit/model_registry.jsonl."""
        return cls(project.path(os.environ.get(AUDIT_ENV) or DEFAULT_LOG))

    def entries(self) -> list[dict[str, Any]]:
        if not self.path.is_file():
            return []
        lines = self.path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def append(self, **fields: Any) -> dict[str, Any]:
        """Write one entry (timestamp, actor and the previous line's hash are added)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        with os.fdopen(fd, "r+", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # one writer at a time: the chain stays linear
            handle.seek(0)
            lines = [line for line in handle.read().splitlines() if line.strip()]
            entry = {
                "time": now(),
                "actor": fields.pop("actor", None) or actor(),
                **fields,
                "seq": len(lines) + 1,
                "prev": _digest(lines[-1]) if lines else GENESIS,
            }
            handle.write(json.dumps(entry, sort_keys=True) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        return entry

    def verify(self) -> list[str]:
        """Problems of the chain (empty: every line is where it was written, unchanged)."""
        if not self.path.is_file():
            return []
        problems, previous = [], GENESIS
        lines = [line for line in self.path.read_text(encoding="utf-8").splitlines() if line]
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
            previous = _digest(line)
        return problems


def artifact_location(uri: str) -> str | None:
    """For a local SQLite store, artifacts in `mlruns/` next to the database file (as the
    project's own tracking module does)."""
    if not uri.startswith("sqlite:///"):
        return None  # a tracking server decides where artifacts go
    return (Path(uri.removeprefix("sqlite:///")).resolve().parent / "mlruns").as_uri()


def log_to_mlflow(project: Project, entry: dict[str, Any]) -> str | None:
    """Record `entry` as a run of the project's audit experiment; its run id (None if MLflow
    failed)."""
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
    except MlflowException:
        return None  # the file entry stands; the MLflow copy is best effort
    return run.info.run_id

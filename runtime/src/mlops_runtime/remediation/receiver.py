"""The remediation receiver: Alertmanager's webhook in, the policy's action out.

    python -m <package>.remediation [--host 127.0.0.1] [--port 9095] [--dry-run]

(the project's entry point calls `cli.main(PROJECT)`).

`POST /alerts` takes Alertmanager's webhook payload (version 4). For each *firing* alert it looks
up the action in the policy (config/remediation.yaml) and applies it in the background, so the
webhook answers at once. Alertmanager re-sends an alert until it resolves; the idempotency key
(alert name, fingerprint and start time) makes a repeated notification a no-op, also across
restarts (the keys live in the monitoring state folder). In dry-run mode the receiver says what
it would do and does nothing. `GET /actions` lists what it did, `GET /metrics` serves its own
counters plus the monitoring metric files, `GET /health` answers 200.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, Counter, generate_latest

from ..project import Project
from .policy import Policy

log = logging.getLogger(__name__)
KEYS_FILE = "remediation_keys.json"
MAX_BODY = 1 << 20


def idempotency_key(alert: dict[str, Any]) -> str:
    """The key of one firing of an alert: its fingerprint (else its labels) and start time."""
    labels = alert.get("labels") or {}
    fingerprint = alert.get("fingerprint") or json.dumps(labels, sort_keys=True)
    raw = f"{labels.get('alertname', '')}|{fingerprint}|{alert.get('startsAt', '')}"
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


@dataclass
class Remediator:
    """Applies the policy to notifications; the HTTP layer only parses and answers."""

    policy: Policy
    state_dir: Path
    handlers: dict[str, Callable[[str, list[str]], dict[str, Any]]]
    dry_run: bool = False
    project: str = "unknown"
    actions: list[dict[str, Any]] = field(default_factory=list)
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)
    metric_files: Callable[[], list[Path]] = field(default=lambda: [])

    def __post_init__(self):
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="remediation")
        self._lock = threading.Lock()
        self.notifications = Counter(
            "mlops_remediation_alerts",
            "Alerts received, by name and what became of them.",
            ["project", "alertname", "result"],
            registry=self.registry,
        )
        self.outcomes = Counter(
            "mlops_remediation_actions",
            "Actions applied, by action and outcome.",
            ["project", "action", "outcome"],
            registry=self.registry,
        )

    # -- idempotency keys, persisted ---------------------------------------------------------
    def _claim(self, key: str) -> bool:
        """Record `key`; False if it was seen within the policy's key TTL."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        path = self.state_dir / KEYS_FILE
        with open(self.state_dir / ".keys.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            keys = json.loads(path.read_text()) if path.is_file() else {}
            now = time.time()
            keys = {k: t for k, t in keys.items() if now - t < self.policy.key_ttl_hours * 3600}
            if key in keys:
                return False
            keys[key] = now
            path.write_text(json.dumps(keys))
            return True

    # -- notifications -------------------------------------------------------------------------
    def handle(self, payload: dict[str, Any]) -> list[dict[str, Any]]:
        """Plan (and unless dry-run, start) one action per new firing alert; return the plan."""
        if not isinstance(payload.get("alerts"), list):
            raise ValueError("not an Alertmanager webhook payload: no 'alerts' list")
        planned = []
        dry_run = self.dry_run or self.policy.dry_run
        for alert in payload["alerts"]:
            labels = alert.get("labels") or {}
            name = str(labels.get("alertname", "unknown"))
            action = self.policy.action_for(name)
            key = idempotency_key(alert)
            entry = {"alertname": name, "action": action, "key": key, "received_at": time.time()}
            if alert.get("status", "firing") != "firing":
                entry["result"] = "resolved: nothing to do"
            elif action == "ignore":
                entry["result"] = "ignored by policy"
            elif dry_run:
                entry["result"] = f"dry run: would {action}"
            elif not self._claim(key):
                entry["result"] = "duplicate: already handled"
            else:
                entry["result"] = "started"
                reasons = [
                    str((alert.get("annotations") or {}).get("summary") or name),
                    *[f"{k}={v}" for k, v in sorted(labels.items()) if k != "alertname"],
                ]
                self._pool.submit(self._apply, entry, action, name, reasons)
            self.notifications.labels(self.project, name, entry["result"].split(":")[0]).inc()
            with self._lock:
                self.actions.append(entry)
            planned.append(entry)
        return planned

    def _apply(self, entry: dict[str, Any], action: str, name: str, reasons: list[str]) -> None:
        try:
            outcome = self.handlers[action](name, reasons)
        except Exception as exc:
            log.exception("remediation %s for %s failed", action, name)
            outcome = {"status": "failed", "detail": f"{type(exc).__name__}: {exc}"}
        with self._lock:
            entry["outcome"] = outcome
            entry["finished_at"] = time.time()
        self.outcomes.labels(self.project, action, str(outcome.get("status"))).inc()
        log.info("remediation %s for %s: %s", action, name, outcome)

    def wait(self, timeout: float = 600.0) -> None:
        """Block until the actions started so far have finished (tests, shutdown)."""
        self._pool.submit(lambda: None).result(timeout)

    def close(self) -> None:
        self._pool.shutdown(wait=True)


def default_remediator(project: Project, dry_run: bool = False) -> Remediator:
    """The receiver of `project`: its policy, its state folder, the actions bound to it."""
    from ..settings import load_settings
    from .actions import do_page, do_retrain, do_rollback
    from .policy import load_policy

    settings = load_settings(project)
    pages = settings.monitoring_state_dir / "pages.jsonl"
    return Remediator(
        policy=load_policy(settings.remediation_policy),
        state_dir=settings.monitoring_state_dir,
        handlers={
            "retrain": lambda name, reasons: do_retrain(project, name, reasons),
            "rollback": lambda name, reasons: do_rollback(project, name, reasons),
            "page": lambda name, reasons: do_page(name, reasons, settings.pager_webhook_url, pages),
        },
        dry_run=dry_run,
        project=project.name,
        metric_files=lambda: metric_files(project),
    )


def metric_files(project: Project) -> list[Path]:
    """The Prometheus text files the receiver serves beside its own counters: the monitoring
    metrics folder and the pipeline's metrics file (`$PIPELINE_METRICS_FILE`)."""
    import os

    from ..settings import load_settings

    directory = load_settings(project).monitoring_metrics_dir
    files = sorted(directory.glob("*.prom")) if directory.is_dir() else []
    pipeline = project.path(os.environ.get("PIPELINE_METRICS_FILE") or "metrics/pipeline.prom")
    if pipeline.is_file() and pipeline.resolve() not in {f.resolve() for f in files}:
        files.append(pipeline)
    return files


def make_server(remediator: Remediator, host: str, port: int) -> ThreadingHTTPServer:
    """The receiver's HTTP server (`POST /alerts`, `GET /actions`, `/metrics`, `/health`)."""
    class Handler(BaseHTTPRequestHandler):
        server_version = "remediation-receiver"

        def _send(self, code: int, body: bytes, kind: str = "application/json") -> None:
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _json(self, code: int, value: Any) -> None:
            self._send(code, json.dumps(value, default=str).encode())

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            if self.path == "/health":
                self._json(200, {"status": "ok"})
            elif self.path == "/actions":
                with remediator._lock:
                    self._json(200, list(remediator.actions))
            elif self.path == "/metrics":
                body = generate_latest(remediator.registry)
                for path in remediator.metric_files():
                    body += path.read_bytes()
                self._send(200, body, "text/plain; version=0.0.4; charset=utf-8")
            else:
                self._json(404, {"detail": "not found"})

        def do_POST(self) -> None:  # noqa: N802
            if self.path not in ("/alerts", "/"):
                self._json(404, {"detail": "not found"})
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._json(413, {"detail": "payload too large"})
                return
            try:
                payload = json.loads(self.rfile.read(length) or b"{}")
                planned = remediator.handle(payload)
            except ValueError as exc:  # bad JSON or not a webhook payload
                self._json(400, {"detail": str(exc)})
                return
            self._json(200, {"planned": planned})

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            log.info("%s %s", self.address_string(), format % args)

    return ThreadingHTTPServer((host, port), Handler)

"""The remediation receiver: Alertmanager's webhook in, the policy's action out.

    python -m <package>.remediation [--host 127.0.0.1] [--port 9095] [--dry-run]

(the project's entry point calls `cli.main(PROJECT)`).

`POST /alerts` takes Alertmanager's webhook payload (version 4). For each *firing* alert of this
project and environment it looks up the action in the policy (config/remediation.yaml) and applies
it in the background, so the webhook answers at once.

The receiver sits on a network, so (docs/security.md, "network -> receiver"):
- every request but `GET /health` and `GET /metrics` carries `Authorization: Bearer <token>`,
  which Alertmanager sends natively (`http_config.authorization.credentials_file`); the tokens
  are read from `$REMEDIATION_TOKEN_FILE` (default `secrets/remediation-token`), one `name:token`
  (or a bare token, named `alertmanager`) a line, compared in constant time; the name is the
  actor in the audit log. No token file, no receiver.
- a body is read only with a `Content-Length` of at most `MAX_BODY` (no header lifts it:
  chunked, negative or missing lengths are refused), within `READ_TIMEOUT` seconds; a payload
  holds at most `MAX_ALERTS` alerts and must have the webhook's shape (400 otherwise).
- an alert is acted on at least once and, as far as the store can tell, once: its idempotency
  key (alert name, fingerprint, start time) is *leased* when the action starts and marked done
  only when it succeeded; a failed action releases it, and a lease left by a crashed receiver
  expires, so Alertmanager's next notification runs the action again.
- destructive actions (rollback) are rate limited (`rate_limits` in the policy).

In dry-run mode the receiver says what it would do and does nothing. `GET /actions` lists what it
did, `GET /metrics` serves its own counters plus the monitoring metric files.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
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
MAX_BODY = 1 << 20
MAX_ALERTS = 100
READ_TIMEOUT = 10.0
TOKEN_ENV = "REMEDIATION_TOKEN_FILE"
DEFAULT_TOKEN_FILE = Path("secrets/remediation-token")
MIN_TOKEN_LENGTH = 16
Handler = Callable[[str, list[str], str], dict[str, Any]]


class PayloadError(ValueError):
    """The request is not an acceptable webhook payload; `status` is the HTTP answer."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


class TokenError(ValueError):
    """The token file is missing, empty or holds a token too short to be a secret."""


# -- authentication ------------------------------------------------------------------------------
def token_file(project: Project) -> Path:
    """`$REMEDIATION_TOKEN_FILE`, else secrets/remediation-token in the project."""
    return project.path(os.environ.get(TOKEN_ENV) or DEFAULT_TOKEN_FILE)


def load_tokens(path: Path) -> dict[str, str]:
    """Caller name -> token, from `name:token` lines (a bare token is `alertmanager`'s)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TokenError(
            f"cannot read the receiver's token file {path} ({exc.strerror}); create it "
            f"(python -m <package>.remediation --init-token) or set {TOKEN_ENV}"
        ) from None
    tokens: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, _, token = line.rpartition(":") if ":" in line else ("alertmanager", "", line)
        if len(token) < MIN_TOKEN_LENGTH:
            raise TokenError(f"{path}:{number}: a token needs {MIN_TOKEN_LENGTH} characters")
        tokens[name.strip() or "alertmanager"] = token
    if not tokens:
        raise TokenError(f"{path} holds no token")
    return tokens


def init_token(path: Path) -> bool:
    """Write a new random token to `path` (mode 0600) unless it exists; whether it wrote one."""
    import secrets

    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_urlsafe(32) + "\n")
    return True


def authenticate(header: str | None, tokens: dict[str, str]) -> str | None:
    """The caller's name if `header` is `Bearer <one of tokens>`, else None (constant time:
    every token is compared, whatever matched)."""
    scheme, _, presented = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not presented:
        return None
    found = None
    for name, token in tokens.items():
        if hmac.compare_digest(presented.strip().encode(), token.encode()):
            found = name
    return found


# -- the payload ---------------------------------------------------------------------------------
def _strings(value: Any, what: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise PayloadError(f"{what}: expected an object of strings")
    return value


def parse_payload(body: bytes) -> list[dict[str, Any]]:
    """The alerts of an Alertmanager webhook body, checked for shape; PayloadError otherwise."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise PayloadError("not JSON") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("alerts"), list):
        raise PayloadError("not an Alertmanager webhook payload: no 'alerts' list")
    alerts = payload["alerts"]
    if len(alerts) > MAX_ALERTS:
        raise PayloadError(f"{len(alerts)} alerts in one payload; at most {MAX_ALERTS}", 413)
    checked = []
    for number, alert in enumerate(alerts):
        if not isinstance(alert, dict):
            raise PayloadError(f"alerts[{number}]: expected an object")
        labels = _strings(alert.get("labels"), f"alerts[{number}].labels")
        annotations = _strings(alert.get("annotations"), f"alerts[{number}].annotations")
        for key in ("status", "fingerprint", "startsAt"):
            if not isinstance(alert.get(key, ""), str):
                raise PayloadError(f"alerts[{number}].{key}: expected a string")
        if alert.get("status", "firing") not in ("firing", "resolved"):
            raise PayloadError(f"alerts[{number}].status: firing or resolved")
        checked.append({**alert, "labels": labels, "annotations": annotations})
    return checked


def idempotency_key(alert: dict[str, Any]) -> str:
    """The key of one firing of an alert: its fingerprint (else its labels) and start time."""
    labels = alert.get("labels") or {}
    fingerprint = alert.get("fingerprint") or json.dumps(labels, sort_keys=True)
    raw = f"{labels.get('alertname', '')}|{fingerprint}|{alert.get('startsAt', '')}"
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


# -- idempotency keys ----------------------------------------------------------------------------
class KeyStore:
    """The receiver's idempotency keys in the shared state store (`mlops_runtime.state`,
    `MLOPS_STATE_URI`): `begin` claims an alert's key for an action, `finish` marks it done
    after the action succeeded, `release` marks it failed so the next notification retries, and
    a claim left by a crashed receiver expires. Keys name their action, so destructive actions
    can be counted for the rate limit."""

    def __init__(self, store: Any, ttl_seconds: float):
        from ..state import new_id

        self.store, self.ttl = store, ttl_seconds
        self._new_id = new_id
        self._holders: dict[str, str] = {}  # a holder per claim: a repeat is never "ours"

    @staticmethod
    def _key(key: str, action: str) -> str:
        return f"remediation:{action}:{key}"

    def begin(self, key: str, action: str, lease_seconds: float) -> str:
        """`new` (claimed by this receiver), `done` (acted on before) or `running` (claimed)."""
        self.store.forget(older_than=self.store.clock() - self.ttl)
        holder = f"receiver-{self._new_id()}"
        claim = self.store.claim(self._key(key, action), holder, lease_seconds)
        if claim.owned:
            self._holders[self._key(key, action)] = holder
        return {"claimed": "new", "done": "done"}.get(claim.status, "running")

    def finish(self, key: str, action: str, result: Any = None) -> None:
        full = self._key(key, action)
        self.store.complete(full, self._holders.pop(full, ""), result)

    def release(self, key: str, action: str, error: str = "") -> None:
        full = self._key(key, action)
        self.store.fail(full, self._holders.pop(full, ""), error)

    def started_since(self, action: str, since: float) -> int:
        """How many `action`s were claimed or done since `since` (failed ones do not count)."""
        prefix = f"remediation:{action}:"
        return sum(
            1
            for record in self.store.idempotency_keys()
            if record.key.startswith(prefix)
            and record.status != "failed"
            and record.claimed_at >= since
        )

    def close(self) -> None:
        self.store.close()


# -- the receiver ----------------------------------------------------------------------------
@dataclass
class Remediator:
    """Applies the policy to notifications; the HTTP layer only authenticates, parses and
    answers. Handlers take (alert name, reasons, actor) and return an outcome with `status`."""

    policy: Policy
    state_dir: Path
    handlers: dict[str, Handler]
    dry_run: bool = False
    state_uri: str | None = None
    project: str | None = None
    environment: str | None = None
    actions: list[dict[str, Any]] = field(default_factory=list)
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)
    metric_files: Callable[[], list[Path]] = field(default=lambda: [])

    def __post_init__(self):
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="remediation")
        self._lock = threading.Lock()
        from ..state import open_store

        # The shared store (PostgreSQL in production); a file in the state folder otherwise.
        self.state_dir.mkdir(parents=True, exist_ok=True)
        uri = self.state_uri or f"sqlite:///{self.state_dir / 'remediation.db'}"
        store = open_store(uri, namespace=self.project or "default")
        self.keys = KeyStore(store, self.policy.key_ttl_hours * 3600)
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

    def _not_ours(self, labels: dict[str, str]) -> str | None:
        for label, ours in (("project", self.project), ("environment", self.environment)):
            if ours is not None and labels.get(label) != ours:
                return f"not ours: {label} {labels.get(label)!r}, this receiver is {ours!r}"
        return None

    def _rate_limited(self, action: str) -> str | None:
        limit = self.policy.rate_limits.get(action)
        if limit is None:
            return None
        done = self.keys.started_since(action, time.time() - 3600)
        return f"rate limited: {done} {action}(s) in the last hour, at most {limit}" if (
            done >= limit) else None  # fmt: skip

    def handle(self, payload: dict[str, Any] | list[dict[str, Any]], actor: str = "anonymous"
               ) -> list[dict[str, Any]]:  # fmt: skip
        """Plan (and unless dry-run, start) one action per new firing alert; return the plan.
        `payload` is a webhook body or the alerts `parse_payload` returned."""
        alerts = parse_payload(json.dumps(payload).encode()) if isinstance(payload, dict) else (
            payload)  # fmt: skip
        planned = []
        dry_run = self.dry_run or self.policy.dry_run
        for alert in alerts:
            labels = alert["labels"]
            name = str(labels.get("alertname", "unknown"))
            action = self.policy.action_for(name)
            key = idempotency_key(alert)
            entry = {"alertname": name, "action": action, "key": key, "by": actor,
                     "received_at": time.time()}  # fmt: skip
            other = self._not_ours(labels)
            if other:
                entry["result"] = other
            elif alert.get("status", "firing") != "firing":
                entry["result"] = "resolved: nothing to do"
            elif action == "ignore":
                entry["result"] = "ignored by policy"
            elif dry_run:
                entry["result"] = f"dry run: would {action}"
            elif limited := self._rate_limited(action):
                entry["result"] = limited
            else:
                state = self.keys.begin(key, action, self.policy.action_lease_minutes * 60)
                if state != "new":
                    entry["result"] = (
                        f"duplicate: {'already handled' if state == 'done' else 'in progress'}"  # noqa: E501
                    )
                else:
                    entry["result"] = "started"
                    reasons = [
                        str(alert["annotations"].get("summary") or name),
                        *[f"{k}={v}" for k, v in sorted(labels.items()) if k != "alertname"],
                    ]
                    self._pool.submit(self._apply, entry, action, name, reasons, actor)
            self.notifications.labels(self.project or "", name, entry["result"].split(":")[0]).inc()
            with self._lock:
                self.actions.append(entry)
            planned.append(entry)
        return planned

    def _apply(
        self, entry: dict[str, Any], action: str, name: str, reasons: list[str], actor: str
    ) -> None:
        try:
            outcome = self.handlers[action](name, reasons, actor)
        except Exception as exc:
            log.exception("remediation %s for %s failed", action, name)
            outcome = {"status": "failed", "detail": f"{type(exc).__name__}: {exc}"}
        # At least once: only an action that ran to an answer is done; a failure frees the key,
        # so Alertmanager's next notification of this alert tries again.
        if outcome.get("status") == "failed":
            self.keys.release(entry["key"], action, str(outcome.get("detail", ""))[:500])
        else:
            self.keys.finish(entry["key"], action, {"status": outcome.get("status")})
        with self._lock:
            entry["outcome"] = outcome
            entry["finished_at"] = time.time()
        self.outcomes.labels(self.project or "", action, str(outcome.get("status"))).inc()
        log.info("remediation %s for %s: %s", action, name, outcome)

    def wait(self, timeout: float = 600.0) -> None:
        """Block until the actions started so far have finished (tests, shutdown)."""
        self._pool.submit(lambda: None).result(timeout)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self.keys.close()


def default_remediator(project: Project, dry_run: bool = False) -> Remediator:
    """The receiver of `project`: its policy, its state folder, the actions bound to it; it acts
    on alerts labelled with this project and environment (`MLOPS_ENV`, default dev) only."""
    from ..settings import load_settings
    from .actions import do_page, do_retrain, do_rollback
    from .policy import load_policy

    settings = load_settings(project)
    policy = load_policy(settings.remediation_policy)
    pages = settings.monitoring_state_dir / "pages.jsonl"
    return Remediator(
        policy=policy,
        state_dir=settings.monitoring_state_dir,
        handlers={
            "retrain": lambda name, reasons, actor: do_retrain(
                project, name, reasons, policy.retrain, settings
            ),
            "rollback": lambda name, reasons, actor: do_rollback(project, name, reasons, actor),
            "page": lambda name, reasons, actor: do_page(
                name, reasons, settings.pager_webhook_url, pages
            ),
        },
        dry_run=dry_run,
        state_uri=settings.state_uri,
        project=project.name,
        environment=os.environ.get("MLOPS_ENV") or "dev",
        metric_files=lambda: metric_files(project),
    )


def metric_files(project: Project) -> list[Path]:
    """The Prometheus text files the receiver serves beside its own counters: the monitoring
    metrics folder and the pipeline's metrics file (`$PIPELINE_METRICS_FILE`)."""
    from ..settings import load_settings

    directory = load_settings(project).monitoring_metrics_dir
    files = sorted(directory.glob("*.prom")) if directory.is_dir() else []
    pipeline = project.path(os.environ.get("PIPELINE_METRICS_FILE") or "metrics/pipeline.prom")
    if pipeline.is_file() and pipeline.resolve() not in {f.resolve() for f in files}:
        files.append(pipeline)
    return files


def make_server(
    remediator: Remediator, host: str, port: int, tokens: dict[str, str]
) -> ThreadingHTTPServer:
    """The receiver's HTTP server (`POST /alerts`, `GET /actions`, `/metrics`, `/health`);
    `tokens` (caller name -> bearer token) may call it."""
    if not tokens:
        raise TokenError("the receiver needs at least one token")

    class Handler(BaseHTTPRequestHandler):
        server_version = "remediation-receiver"
        timeout = READ_TIMEOUT  # every read of the socket, so a slow body cannot hold a thread

        def _send(self, code: int, body: bytes, kind: str = "application/json") -> None:
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            if code == 401:
                self.send_header("WWW-Authenticate", 'Bearer realm="remediation"')
            if code >= 400:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(body)

        def _json(self, code: int, value: Any) -> None:
            self._send(code, json.dumps(value, default=str).encode())

        def _caller(self) -> str | None:
            caller = authenticate(self.headers.get("Authorization"), tokens)
            if caller is None:
                self._json(401, {"detail": "a bearer token is needed"})
            return caller

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            if self.path == "/health":
                self._json(200, {"status": "ok"})
            elif self.path == "/actions":
                if self._caller() is None:
                    return
                with remediator._lock:
                    self._json(200, list(remediator.actions))
            elif self.path == "/metrics":
                body = generate_latest(remediator.registry)
                for path in remediator.metric_files():
                    body += path.read_bytes()
                self._send(200, body, "text/plain; version=0.0.4; charset=utf-8")
            else:
                self._json(404, {"detail": "not found"})

        def _body(self) -> bytes:
            if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                raise PayloadError("chunked bodies are not accepted; send a Content-Length", 411)
            raw = self.headers.get("Content-Length")
            if raw is None:
                raise PayloadError("a Content-Length is needed", 411)
            try:
                length = int(raw)
            except ValueError:
                raise PayloadError("Content-Length is not a number") from None
            if length < 0:
                raise PayloadError("Content-Length is negative")
            if length > MAX_BODY:
                raise PayloadError(f"payload over {MAX_BODY} bytes", 413)
            body = self.rfile.read(length)
            if len(body) < length:
                raise PayloadError("the body ended before its Content-Length")
            return body

        def do_POST(self) -> None:  # noqa: N802
            if self.path not in ("/alerts", "/"):
                self._json(404, {"detail": "not found"})
                return
            caller = self._caller()
            if caller is None:
                return
            try:
                alerts = parse_payload(self._body())
            except PayloadError as exc:
                self._json(exc.status, {"detail": str(exc)})
                return
            except TimeoutError:
                self._json(408, {"detail": f"the body took over {READ_TIMEOUT:g} s"})
                return
            self._json(200, {"planned": remediator.handle(alerts, actor=caller)})

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            log.info("%s %s", self.address_string(), format % args)

    return ThreadingHTTPServer((host, port), Handler)

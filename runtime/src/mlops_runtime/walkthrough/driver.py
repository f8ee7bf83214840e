"""`make walkthrough`: a level-3 project's loop, end to end, on a laptop, one step at a time.

Each step prints what it did and the `make` target that does the same by hand:

 1. serve the champion (`make serve`; the app follows its alias every `reload_seconds`);
 2. normal traffic with labels (`make traffic`, `make feedback`);
 3. the monitoring job (`make monitor`): decision `none`;
 4. shifted traffic with labels;
 5. the monitoring job: decision `retrain`, with the drifted columns as reasons;
 6. a retrain behind the storm guards on fresh labelled data (`make retrain`): the configured
    source plus the labelled rows just logged; the champion decision with its reason;
 7. serving answers with the new champion, no restart (when the retrain lost, an operator
    promotes it by hand through the same policy first, so the rollback has something to undo);
 8. rollback through governance (`make rollback`): policy, audit entry, rolled-back tag;
    serving answers with the previous version again;
 9. the audit log of this walkthrough's alias moves and its verification (`make audit`);
10. the clock: simulated past days whose labels turned around, then the job again: decay.

`reset` (`make walkthrough-reset`) forgets the traffic and the state (prediction log, feedback,
reports, storm guards, idempotency keys), never the registry or the audit log, and only on a
laptop (local files, SQLite state, MLOPS_ENV=dev).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..project import Project
from ..settings import load_settings
from .simulator import (
    Scenario,
    Sent,
    SimulatorError,
    json_rows,
    make_traffic,
    post_json,
    record_labels,
    replay,
    send,
)

HOUR = 3600.0


class WalkthroughError(RuntimeError):
    """A step could not be done (one sentence, what to do)."""


@dataclass
class Options:
    """How the walkthrough runs: `port` 0 takes a free one; `days` simulated past days for decay
    (0 skips that step); `reset` forgets the state first."""

    port: int = 0
    reload_seconds: float = 1.0
    days: int = 3
    reset: bool = True
    rows: int | None = None
    ready_timeout: float = 180.0


def say(text: str) -> None:
    """One line of the walkthrough's story, at once (the output is read while it runs)."""
    print(text, flush=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get_json(url: str, timeout: float = 5.0) -> dict[str, Any]:
    import json
    import urllib.request

    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read())


class Server:
    """The project's serving app in a process of its own (uvicorn), logging to `log`."""

    def __init__(self, project: Project, app: str, port: int, reload_seconds: float, log: Path):
        self.url = f"http://127.0.0.1:{port}"
        log.parent.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "MLOPS_PROJECT_ROOT": str(project.root),
            "SERVING_RELOAD_SECONDS": str(reload_seconds),
        }
        self.log = log
        self._handle = open(log, "wb")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)],
            cwd=project.root,
            env=env,
            stdout=self._handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float) -> dict[str, Any]:
        """The app's `/ready` answer once it is ready; WalkthroughError after `timeout`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                ready = _get_json(f"{self.url}/ready")
                if ready.get("status") == "ready":
                    return ready
            except OSError:
                pass
            time.sleep(0.5)
        tail = self.log.read_text(errors="replace")[-1500:]
        raise WalkthroughError(f"the serving app did not get ready; its log {self.log}:\n{tail}")

    def stop(self) -> None:
        """Stop the app (its prediction log flushes on shutdown)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._handle.close()


def _logged_since(project: Project, since: float) -> int:
    from ..monitoring.prediction_log import read_partitioned

    uri = load_settings(project).prediction_log_uri
    return len(read_partitioned(uri, since, time.time() + 1, columns=["request_id"]))


def wait_logged(project: Project, since: float, rows: int, timeout: float = 60.0) -> int:
    """Wait until the prediction log holds `rows` rows logged since `since` (the app writes in
    batches, off the request path)."""
    deadline = time.monotonic() + timeout
    while True:
        count = _logged_since(project, since)
        if count >= rows or time.monotonic() > deadline:
            return count
        time.sleep(1.0)


def monitor(project: Project) -> dict[str, Any]:
    """Run the monitoring job once and print its decision and reasons (as `make monitor`)."""
    from ..monitoring.job import run_monitoring

    report = run_monitoring(project)
    decision = report["decision"]
    say(f"    decision: {decision['action']}")
    for reason in decision["reasons"]:
        say(f"      reason: {reason}")
    for blocker in decision["blocked_by"]:
        say(f"      blocked: {blocker}")
    drift = report["drift"]
    say(f"    ({drift['rows']} rows in the window, versions served: {report['served_versions']}; "
        f"report {report.get('files', {}).get('markdown', '-')})")  # fmt: skip
    return report


def wait_for_version(base: str, row: dict[str, Any], version: str, timeout: float) -> float:
    """Seconds until `/predict` answers with `version` (polling, one row a request)."""
    start = time.monotonic()
    while True:
        answer, _ = post_json(f"{base}/predict", {"rows": [row]})
        if str(answer["model_version"]) == str(version):
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            raise WalkthroughError(
                f"/predict still answers with version {answer['model_version']} after "
                f"{timeout:.0f} s, not {version}"
            )
        time.sleep(0.2)


def _traffic(project: Project, server: Server, scenario: Scenario, rows: int, seed: int,
             shifted: bool) -> Sent:  # fmt: skip
    since = time.time()
    traffic = make_traffic(project, rows, seed, shift=scenario.shift if shifted else None)
    sent = send(server.url, traffic)
    logged = wait_logged(project, since, sent.rows)
    record_labels(project, sent)
    kind = "shifted (" + ", ".join(f"{c} {a:+g}" for c, a in scenario.shift.items()) + ")" \
        if shifted else "normal"  # fmt: skip
    say(f"    {sent.rows} {kind} rows sent to /predict, answered by version(s) "
        f"{dict(sent.versions)}; {logged} logged; {sent.rows} labels recorded as "
        "feedback")  # fmt: skip
    return sent


def _decay(project: Project, scenario: Scenario, days: int, seed: int) -> dict[str, Any]:
    from ..monitoring.config import load_monitoring_config

    if scenario.score is None:
        raise WalkthroughError("the project's walkthrough binding names no score function")
    cfg = load_monitoring_config(load_settings(project).monitoring_config).decay
    days = min(max(days, cfg.violations), cfg.windows - 1)
    rows = max(2 * cfg.min_labels, 100)
    now = time.time()
    for day in range(days, 0, -1):
        at = now - (day + 0.5) * cfg.window_hours * HOUR  # inside window `day` before the latest
        traffic = make_traffic(project, rows, seed + day, flip=scenario.decay_flip)
        sent = replay(project, traffic, at, scenario.score)
        record_labels(project, sent, at=at + 600)
    say(f"    the clock: {days} past windows of {cfg.window_hours:g} h replayed, {rows} rows "
        f"each, scored by the version serving now, {scenario.decay_flip:.0%} of their labels "
        "turned around (the world's answers changed, its inputs did not)")  # fmt: skip
    return monitor(project)


def run(project: Project, scenario: Scenario, options: Options) -> dict[str, Any]:
    """The walkthrough; a summary of what happened (the decisions, versions, timings)."""
    from ..governance.aliases import GovernanceError, PolicyViolation, move_alias, rollback
    from ..governance.audit import AuditLog, now, read_anchor
    from ..monitoring.retrain import retrain
    from ..registry import ModelNotFoundError

    started_stamp = now()
    summary: dict[str, Any] = {}
    if options.reset:
        say("[0] reset: " + "; ".join(reset(project)) + " (make walkthrough-reset)")
    try:
        champion = project.call("champion_info")
    except ModelNotFoundError:
        say("[0] no champion yet: training one (make train)")
        project.call("run_pipeline", project.call("load_config"))
        champion = project.call("champion_info")
    rows, seed = options.rows or scenario.rows, scenario.seed
    port = options.port or _free_port()
    log = project.root / "artifacts" / "walkthrough" / "serve.log"
    say(f"[1] serve version {champion.version} of {champion.name} ({champion.alias}) on "
        f"127.0.0.1:{port}, following its alias every {options.reload_seconds:g} s "
        "(make serve)")  # fmt: skip
    server = Server(project, scenario.app, port, options.reload_seconds, log)
    try:
        server.wait_ready(options.ready_timeout)
        say(f"[2] normal traffic with labels (make traffic ROWS={rows} WITH_LABELS=1)")
        _traffic(project, server, scenario, rows, seed, shifted=False)
        say("[3] monitoring job (make monitor)")
        summary["calm"] = monitor(project)["decision"]
        say("[4] shifted traffic with labels (make traffic SHIFT=1 WITH_LABELS=1)")
        _traffic(project, server, scenario, rows, seed + 1, shifted=True)
        say("[5] monitoring job (make monitor)")
        drifted = monitor(project)["decision"]
        summary["drifted"] = drifted
        say("[6] retrain behind the storm guards on fresh labelled data (make retrain)")
        outcome = retrain(project, "drift", drifted["reasons"] or ["walkthrough"])
        summary["retrain"] = outcome.as_dict()
        say(f"    retrain {outcome.status}: {outcome.detail}")
        if outcome.status != "succeeded":
            raise WalkthroughError(f"the retrain {outcome.status}: {outcome.detail}; "
                                   "make walkthrough-reset clears the guards")  # fmt: skip
        say(f"    champion decision: {'promoted' if outcome.promoted else 'kept'} "
            f"(trained on {outcome.data_digest and outcome.data_digest[:12]}, the configured "
            "source plus the labelled rows logged above)")  # fmt: skip
        row = json_rows(make_traffic(project, 1, seed + 2).features)[0]
        limit = options.reload_seconds + 60
        champion_now = outcome.model_version if outcome.promoted else None
        if not outcome.promoted:
            say(f"[7] the champion stayed; an operator promotes version {outcome.model_version} "
                f"by hand, through the same policy (python -m {project.package}.governance "
                f"promote --version {outcome.model_version} --reason ...)")  # fmt: skip
            try:
                move_alias(project, "champion", str(outcome.model_version),
                           reason="walkthrough: promoted by hand")  # fmt: skip
            except PolicyViolation as exc:
                say(f"    refused by the promotion policy: {'; '.join(exc.problems)}")
            else:
                champion_now = outcome.model_version
        if champion_now is not None:
            seconds = wait_for_version(server.url, row, champion_now, limit)
            summary["follow_seconds"] = seconds
            say(f"{'    ' if not outcome.promoted else '[7] '}/predict answers with version "
                f"{champion_now} after {seconds:.1f} s, without a restart")  # fmt: skip
        say("[8] rollback through the promotion policy (make rollback)")
        try:
            move = rollback(project, reason="walkthrough: back to the previous champion")
        except GovernanceError as exc:
            say(f"    nothing to roll back: {exc}")
            summary["rollback"] = None
        else:
            seconds = wait_for_version(server.url, row, move.to_version, limit)
            summary["rollback"] = {"from": move.from_version, "to": move.to_version,
                                   "seconds": seconds}  # fmt: skip
            say(f"    champion {move.from_version} -> {move.to_version}; /predict answers "
                f"with version {move.to_version} after {seconds:.1f} s")  # fmt: skip
        say("[9] the audit log (make audit)")
        with closing(AuditLog.of(project)) as log_:
            for entry in log_.entries():
                if entry.get("time", "") >= started_stamp:
                    say(f"    {entry['time']} {entry.get('action')} {entry.get('alias')}: "
                        f"{entry.get('from')} -> {entry.get('to')} by {entry.get('actor')} "
                        f"({entry.get('reason')})")  # fmt: skip
            problems = log_.verify(read_anchor(project))
        summary["audit_problems"] = problems
        say(f"    verified: {'damaged: ' + '; '.join(problems) if problems else 'intact'}")
        if options.days > 0:
            say("[10] decay over simulated days (make traffic DAYS_AGO=N FLIP=0.5 "
                "WITH_LABELS=1), then the monitoring job")  # fmt: skip
            summary["decayed"] = _decay(project, scenario, options.days, seed + 10)["decision"]
    except SimulatorError as exc:
        raise WalkthroughError(str(exc)) from None
    finally:
        server.stop()
    say("done: make walkthrough-reset forgets this traffic and the guards' state; the registry "
        "and the audit log keep what happened")  # fmt: skip
    return summary


def _local_path(uri: str) -> Path | None:
    if uri.startswith("file://"):
        return Path(uri.removeprefix("file://"))
    return None if "://" in uri else Path(uri)


def reset(project: Project) -> list[str]:
    """Forget the walkthrough's traffic and state: prediction log, feedback, monitoring reports,
    storm guards and idempotency keys; never the registry, the audit log or training data.
    Refuses anything but a laptop's state (WalkthroughError)."""
    import shutil

    from ..monitoring.config import load_monitoring_config
    from ..monitoring.guards import open_guards

    settings = load_settings(project)
    environment = os.environ.get("MLOPS_ENV") or "dev"
    if environment != "dev":
        raise WalkthroughError(
            f"walkthrough reset only clears a laptop's state; MLOPS_ENV is {environment!r} "
            "(run it with MLOPS_ENV=dev)"
        )
    folders = []
    for name, uri in (("PREDICTION_LOG_URI", settings.prediction_log_uri),
                      ("FEEDBACK_URI", settings.feedback_uri),
                      ("MONITORING_REPORT_URI", settings.monitoring_report_uri)):  # fmt: skip
        path = _local_path(uri)
        if path is None:
            raise WalkthroughError(
                f"walkthrough reset only clears local files; {name} is {uri} (unset it)"
            )
        folders.append(path)
    if not settings.state_uri.startswith("sqlite:"):
        raise WalkthroughError(
            "walkthrough reset only clears a SQLite state store; MLOPS_STATE_URI is not one "
            "(unset it)"
        )
    done = []
    # The reports live in <MONITORING_REPORT_URI>/reports; other state may share its parent.
    for folder in (*folders[:2], folders[2] / "reports"):
        if folder.exists():
            shutil.rmtree(folder)
            done.append(f"removed {folder}")
    cfg = load_monitoring_config(settings.monitoring_config).guards
    with open_guards(settings.state_uri, cfg, project.name) as guards:
        guards.reset(everything=True)
        forgotten = guards.store.forget()
    done.append(f"storm guards reset, {forgotten} idempotency key(s) forgotten")
    return done

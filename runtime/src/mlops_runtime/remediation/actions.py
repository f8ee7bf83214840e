"""What the receiver can do about an alert: retrain, roll back the champion, page a person.

Each action takes the project first; the receiver binds it (`receiver.default_remediator`).
A retrain is a *request* to the orchestrator that owns training (remediation.yaml `retrain:`),
never training in the receiver's process; a rollback is governance's rollback (policy, audit
entry, rolled-back tag), with the authenticated caller as the actor.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from ..project import Project
from .policy import RetrainRoute

log = logging.getLogger(__name__)
AIRFLOW_URL_ENV = "AIRFLOW_API_URL"
AIRFLOW_USER_ENV = "AIRFLOW_USERNAME"
AIRFLOW_PASSWORD_FILE_ENV = "AIRFLOW_PASSWORD_FILE"  # noqa: S105 (a variable's name)
HTTP_TIMEOUT = 30.0


def do_retrain(
    project: Project, alertname: str, reasons: list[str], route: RetrainRoute | None = None,
    settings: Any = None,
) -> dict[str, Any]:  # fmt: skip
    """Ask for a retrain behind the storm guards, by `route` (default: local)."""
    route = route or RetrainRoute()
    trigger = f"alert:{alertname}"
    if route.via == "airflow":
        return _airflow_run(route.airflow_dag, trigger, reasons)
    if route.via == "kfp":
        host = getattr(settings, "kfp_host", None) or os.environ.get("KFP_HOST")
        return _kfp_run(project, route.kfp_package, host, trigger, reasons)
    return _local_run(project, trigger, reasons, route.timeout_seconds)


def _local_run(project: Project, trigger: str, reasons: list[str], timeout: float) -> dict:
    """`python -m <package>.monitoring retrain --trigger alert:<name>` in a process of its own."""
    command = [sys.executable, "-m", f"{project.package}.monitoring", "retrain",
               "--trigger", trigger]  # fmt: skip
    for reason in reasons:
        command += ["--reason", reason]
    done = subprocess.run(  # noqa: S603 (our own interpreter and the project's module)
        command, cwd=project.root, capture_output=True, text=True, timeout=timeout
    )
    said = (done.stdout + done.stderr).strip().splitlines()
    last = said[-1] if said else f"exit code {done.returncode}"
    found = re.search(r"retrain (succeeded|failed|refused)", last)
    status = found.group(1) if found else ("succeeded" if done.returncode == 0 else "failed")
    return {"status": status, "trigger": trigger, "via": "local", "detail": last[-2000:]}


def _post_json(url: str, body: dict[str, Any], token: str | None = None) -> dict[str, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:  # noqa: S310
        return json.loads(response.read() or b"{}")


def _airflow_run(dag_id: str, trigger: str, reasons: list[str]) -> dict[str, Any]:
    """A run of the training DAG through Airflow's REST API: a token from `POST /auth/token`
    (`AIRFLOW_USERNAME`, password from the file `AIRFLOW_PASSWORD_FILE`), then
    `POST /api/v2/dags/<dag>/dagRuns` with the trigger and reasons as its conf."""
    base = (os.environ.get(AIRFLOW_URL_ENV) or "").rstrip("/")
    if not base:
        return {"status": "failed", "via": "airflow", "detail": f"{AIRFLOW_URL_ENV} is not set"}
    token = None
    user, secret = os.environ.get(AIRFLOW_USER_ENV), os.environ.get(AIRFLOW_PASSWORD_FILE_ENV)
    if user and secret:
        password = Path(secret).read_text(encoding="utf-8").strip()
        token = _post_json(f"{base}/auth/token", {"username": user, "password": password})[
            "access_token"]  # fmt: skip
    conf = {"trigger": trigger.split(":")[0], "reasons": reasons, "requested_by": trigger}
    run = _post_json(
        f"{base}/api/v2/dags/{dag_id}/dagRuns", {"logical_date": None, "conf": conf}, token
    )
    return {"status": "requested", "trigger": trigger, "via": "airflow",
            "detail": f"{dag_id} run {run.get('dag_run_id')}"}  # fmt: skip


def _kfp_run(project: Project, package: str, host: str | None, trigger: str,
             reasons: list[str]) -> dict[str, Any]:  # fmt: skip
    """A run of the compiled training pipeline through the KFP client (`KFP_HOST`)."""
    if not host:
        return {"status": "failed", "via": "kfp", "detail": "KFP_HOST is not set"}
    import kfp

    client = kfp.Client(host=host)
    run = client.create_run_from_pipeline_package(
        str(project.path(package)),
        arguments={"trigger": trigger.split(":")[0]},
        run_name=f"{project.name}-{trigger.replace(':', '-')}-{int(time.time())}",
    )
    return {"status": "requested", "trigger": trigger, "via": "kfp",
            "detail": f"run {run.run_id}"}  # fmt: skip


def do_rollback(
    project: Project, alertname: str, reasons: list[str], actor: str = "anonymous"
) -> dict[str, Any]:
    """Point `champion` back at the previous approved version through governance: the policy,
    the audit entry (actor: the authenticated caller of the receiver) and the rolled-back tag,
    like `make rollback`."""
    from ..governance import aliases

    try:
        move = aliases.rollback(
            project,
            "champion",
            reason=f"alert {alertname}: " + "; ".join(reasons),
            actor=f"remediation-receiver:{actor}",
        )
    except (aliases.GovernanceError, aliases.PolicyViolation) as exc:
        return {"status": "failed", "detail": str(exc)}
    return {
        "status": "succeeded",
        "detail": f"champion {move.from_version} -> {move.to_version}",
    }


def do_page(alertname: str, reasons: list[str], webhook: str | None, log_file: Path) -> dict:
    """Tell a person: post to the pager webhook when one is set; always log and record it."""
    page = {"alert": alertname, "reasons": reasons, "at": time.time()}
    log.error("PAGE %s: %s", alertname, "; ".join(reasons))
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(page) + "\n")
    if not webhook:
        return {"status": "succeeded", "detail": f"logged to {log_file} (no PAGER_WEBHOOK_URL)"}
    request = urllib.request.Request(
        webhook,
        data=json.dumps(page).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (configured URL)
        return {"status": "succeeded", "detail": f"posted to pager ({response.status})"}

"""What the receiver can do about an alert: retrain, roll back the champion, page a person.

Each action takes the project first; the receiver binds it (`receiver.default_remediator`).
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from ..project import Project

log = logging.getLogger(__name__)
RETRAIN_TIMEOUT = 6 * 3600.0


def do_retrain(project: Project, alertname: str, reasons: list[str]) -> dict[str, Any]:
    """Retrain behind the storm guards, in a process of its own (never in the receiver's):
    `python -m <package>.monitoring retrain --trigger alert:<name>`."""
    trigger = f"alert:{alertname}"
    command = [sys.executable, "-m", f"{project.package}.monitoring", "retrain",
               "--trigger", trigger]  # fmt: skip
    for reason in reasons:
        command += ["--reason", reason]
    done = subprocess.run(  # noqa: S603 (our own interpreter and the project's module)
        command, cwd=project.root, capture_output=True, text=True, timeout=RETRAIN_TIMEOUT
    )
    said = (done.stdout + done.stderr).strip().splitlines()
    last = said[-1] if said else f"exit code {done.returncode}"
    found = re.search(r"retrain (succeeded|failed|refused)", last)
    status = found.group(1) if found else ("succeeded" if done.returncode == 0 else "failed")
    return {"status": status, "trigger": trigger, "detail": last[-2000:]}


def do_rollback(project: Project, alertname: str, reasons: list[str]) -> dict[str, Any]:
    """Point `champion` back at the previous approved version through governance: the policy,
    the audit entry (actor: the receiver) and the rolled-back tag, like `make rollback`."""
    from ..governance import aliases

    try:
        move = aliases.rollback(
            project,
            "champion",
            reason=f"alert {alertname}: " + "; ".join(reasons),
            actor=f"remediation-receiver:{alertname}",
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

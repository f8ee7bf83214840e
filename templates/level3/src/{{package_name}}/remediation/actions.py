"""What the receiver can do about an alert: retrain, roll back the champion, page a person."""

from __future__ import annotations

import json
import logging
import time
import urllib.request
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def do_retrain(alertname: str, reasons: list[str]) -> dict[str, Any]:
    """Retrain behind the storm guards (they may refuse: cool-down, single flight, breaker)."""
    from ..monitoring.retrain import retrain

    return retrain(trigger=f"alert:{alertname}", reasons=reasons).as_dict()


def do_rollback(alertname: str, reasons: list[str]) -> dict[str, Any]:
    """Point `champion` back at `champion-previous` (kept by scripts/promote_model.py), else at
    the newest earlier version that passed its gates."""
    from mlflow.exceptions import MlflowException
    from mlflow.tracking import MlflowClient

    from ..config import load_config
    from ..registry import CHAMPION, champion_info
    from ..tracking import tracking_uri

    cfg = load_config()
    current = champion_info(CHAMPION, cfg)
    client = MlflowClient(tracking_uri=tracking_uri())
    try:
        target = client.get_model_version_by_alias(current.name, f"{CHAMPION}-previous")
    except MlflowException:
        target = None
    if target is None or str(target.version) == current.version:
        earlier = [
            v
            for v in client.search_model_versions(f"name = '{current.name}'")
            if int(v.version) < int(current.version)
            and v.tags.get("quality_gate") == "passed"
            and v.tags.get("model_tests", "passed") == "passed"
        ]
        if not earlier:
            detail = f"no earlier passing version than {current.version}"
            return {"status": "failed", "detail": detail}
        target = max(earlier, key=lambda v: int(v.version))
    client.set_registered_model_alias(current.name, CHAMPION, target.version)
    client.set_model_version_tag(
        current.name, target.version, "rolled_back_from", f"{current.version}: {alertname}"
    )
    return {
        "status": "succeeded",
        "detail": f"champion {current.version} -> {target.version}",
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

"""Exemptions: `.mlops-scaffold-assess.yml` in the repo marks checks not applicable or accepted,
with a reason and an optional expiry date. Reports show every exemption; an expired one no
longer counts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from scaffolder.assess.checks import CHECKS_BY_ID
from scaffolder.assess.models import AssessError, CheckResult, Exemption, Outcome
from scaffolder.assess.parse_yaml import load_repo_file_key

EXEMPTIONS_FILE = ".mlops-scaffold-assess.yml"
STATUSES = ("not_applicable", "accepted")


def load_exemptions(root: Path, today: dt.date | None = None) -> list[Exemption]:
    """The repo's exemptions; a damaged file is an error naming the line, not a silent skip."""
    today = today or dt.date.today()
    entries = load_repo_file_key(root / EXEMPTIONS_FILE, "exemptions", "fix or remove it")
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise AssessError(
            f"{EXEMPTIONS_FILE}: `exemptions` must be a list of {{check, status, reason}} entries"
        )
    result = []
    for entry, line in zip(
        entries, getattr(entries, "item_lines", [1] * len(entries)), strict=False
    ):
        where = f"{EXEMPTIONS_FILE}:{line}"
        if not isinstance(entry, dict):
            raise AssessError(
                f"{where}: an exemption must be a mapping with check, status and reason"
            )
        check = str(entry.get("check", ""))
        if check not in CHECKS_BY_ID:
            raise AssessError(
                f"{where}: unknown check '{check}'; `mlops-scaffold assess --explain list` "
                "lists them"
            )
        status = str(entry.get("status", "accepted"))
        if status not in STATUSES:
            raise AssessError(f"{where}: status '{status}' is not one of {', '.join(STATUSES)}")
        reason = str(entry.get("reason") or "").strip()
        if not reason:
            raise AssessError(f"{where}: exemption of {check} needs a reason")
        expires = entry.get("expires")
        expiry: dt.date | None = None
        if expires is not None:
            if isinstance(expires, dt.datetime):
                expiry = expires.date()
            elif isinstance(expires, dt.date):
                expiry = expires
            else:
                try:
                    expiry = dt.date.fromisoformat(str(expires))
                except ValueError:
                    raise AssessError(
                        f"{where}: expires '{expires}' is not a date (YYYY-MM-DD)"
                    ) from None
        result.append(
            Exemption(
                check=check,
                status=status,
                reason=reason,
                line=line,
                expires=expiry.isoformat() if expiry else None,
                expired=bool(expiry and expiry < today),
            )
        )
    return result


def apply_exemptions(results: list[CheckResult], exemptions: list[Exemption]) -> list[CheckResult]:
    by_check = {e.check: e for e in exemptions}
    applied = []
    for result in results:
        exemption = by_check.get(result.id)
        if exemption is None:
            applied.append(result)
            continue
        update: dict = {"exemption": exemption}
        if exemption.expired:
            update["message"] = f"{result.message} (exemption expired {exemption.expires})"
        elif exemption.status == "not_applicable" and result.outcome is not Outcome.PASS:
            update["outcome"] = Outcome.NOT_APPLICABLE
            update["message"] = f"not applicable: {exemption.reason}"
        elif exemption.status == "accepted" and result.outcome is not Outcome.PASS:
            update["message"] = f"{result.message} (accepted: {exemption.reason})"
        applied.append(result.model_copy(update=update))
    return applied

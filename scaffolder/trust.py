"""What a fleet run may use from the repositories it examines: nothing it would run.

A platform team runs `fleet` over every team's repository with the platform's credentials, so
a repository must not be able to make that job run code or fetch a source of its choosing.
While a policy is set (fleet commands set one in every worker), an overlay recorded in a
repository's state is used only when the platform's own config allows it, by name and source,
and always at the commit the config pins; overlay migrations (code) run only when the policy
allows code at all (`fleet upgrade`), never in `fleet status`.

The config is the platform's file, never one read from a team's repository:

    # mlops-scaffold fleet config
    overlays:
      - name: acme
        source: https://git.example.com/platform/acme-overlay.git
        commit: 0123456789abcdef0123456789abcdef01234567
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from scaffolder.errors import ScaffoldError

_COMMIT_RE = re.compile(r"^[0-9a-f]{40}$")


class NotAllowedError(ScaffoldError):
    """A repository names an overlay the platform's config does not allow."""


@dataclass(frozen=True)
class AllowedOverlay:
    name: str
    source: str
    commit: str


@dataclass(frozen=True)
class Policy:
    """The sources a run may use and whether it may run their code."""

    overlays: tuple[AllowedOverlay, ...] = field(default=())
    run_code: bool = False
    config: str = "the fleet config (--config FILE)"

    def allowed(self, record) -> AllowedOverlay:
        """The allow-list entry for a recorded overlay; refuse one it does not list."""
        for entry in self.overlays:
            if entry.name == record.name and entry.source == record.source:
                return entry
        what = f"{record.name or 'an overlay'} ({record.source})"
        raise NotAllowedError(
            f"the project uses overlay {what}, which {self.config} does not allow; "
            "add it there with its pinned commit"
        )


_policy: Policy | None = None


def current() -> Policy | None:
    return _policy


def set_policy(policy: Policy | None) -> None:
    """Set (fleet workers) or clear the policy; while one is set, every git the process runs
    is guarded against the checkout's own config (scaffolder.git_guard)."""
    from scaffolder import git_guard

    global _policy
    _policy = policy
    git_guard.guard(policy is not None)


def load_config(path: Path | None, *, run_code: bool) -> Policy:
    """The platform's fleet config (no file: nothing allowed), as a policy."""
    if path is None:
        return Policy(run_code=run_code, config="the fleet config (none given: --config FILE)")
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    from scaffolder.safe_read import read_text

    text = read_text(path, what="fleet config")
    try:
        data = YAML(typ="safe", pure=True).load(text)
    except YAMLError as exc:
        raise NotAllowedError(f"fleet config {path} is not valid YAML") from exc
    data = data if data is not None else {}
    raw = data.get("overlays", []) if isinstance(data, dict) else None
    if not isinstance(raw, list) or (isinstance(data, dict) and set(data) - {"overlays"}):
        raise NotAllowedError(
            f"fleet config {path} must hold only `overlays:`, a list of name, source, commit"
        )
    entries = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or set(item) != {"name", "source", "commit"}:
            raise NotAllowedError(
                f"fleet config {path} overlays[{i}] must have exactly name, source and commit"
            )
        commit = str(item["commit"])
        if not _COMMIT_RE.match(commit):
            raise NotAllowedError(
                f"fleet config {path} overlays[{i}] commit {commit!r} is not a full 40-digit "
                "commit id; pin the exact commit"
            )
        entries.append(AllowedOverlay(str(item["name"]), str(item["source"]), commit))
    return Policy(overlays=tuple(entries), run_code=run_code, config=f"fleet config {path}")

"""`fleet upgrade --branch NAME`: prepare the newest template and overlay releases on a new
branch in each repository, for its team to review as a pull or merge request.

Never on the team's branch (it, the index and the files stay as they are), never on a dirty
repository, never over an existing branch. A release that conflicts with the team's edits is
prepared too: the branch holds the merge with git's conflict markers, for the team to resolve
in the review and finish with `mlops-scaffold upgrade --continue`.
"""

from __future__ import annotations

import json
from pathlib import Path

from scaffolder import __version__
from scaffolder.errors import ScaffoldError


def prepare(path: Path, branch: str, *, push: bool = False) -> dict:
    """Prepare one repository's upgrade branch: prepared, up-to-date, conflicts or refused."""
    from scaffolder import git_remote, gitops
    from scaffolder.upgrade.apply import UpgradeRefused, apply_step, catalog_for, preflight
    from scaffolder.upgrade.plan import plan_step

    ctx = preflight(path)
    if gitops.rev_parse(ctx.repo, f"refs/heads/{branch}") is not None:
        raise UpgradeRefused(
            f"branch {branch} already exists in {ctx.repo}; choose another --branch"
        )
    catalog = catalog_for(ctx.state)
    plan = plan_step(
        ctx.repo, ctx.state, ctx.head, ctx.base, ctx.state.level, {}, catalog,
        defaults=True, interactive=False,
    )  # fmt: skip
    if not plan.due:
        return {"outcome": "up-to-date"}
    result = apply_step(ctx, plan, branch=branch)
    row = {
        "outcome": "conflicts" if result.conflicts else "prepared",
        "branch": branch,
        "commit": gitops.rev_parse(ctx.repo, f"refs/heads/{branch}"),
        "releases": [f"{source} {version}" for source, version, _ in plan.notes]
        or [plan.state_after_sources()],
        "migrations": result.migrations_run,
        "files": len(plan.changes),
    }
    if result.conflicts:
        row["conflicts"] = result.conflicts
        row["next"] = (
            f"resolve the conflict markers on {branch}, commit, then run "
            "`mlops-scaffold upgrade --continue` there"
        )
    if push:
        git_remote.push(
            ctx.repo, "origin", [f"refs/heads/{branch}", f"refs/heads/{ctx.state.base_branch}"]
        )
        row["pushed"] = True
    return row


def upgrade_row(entry: str, branch: str, push: bool) -> dict:
    from scaffolder.fleet.repos import is_url
    from scaffolder.fleet.status import checkout

    row: dict = {"tool_version": __version__, "repo": entry}
    try:
        if is_url(entry) and not push:
            raise ScaffoldError(f"{entry} is a URL; pass --push to push the prepared branch")
        with checkout(entry) as path:
            row.update(prepare(path, branch, push=push))
    except ScaffoldError as exc:
        row.update(outcome="refused", reason=str(exc))
    except Exception as exc:  # one broken repository must not stop a fleet run
        row.update(outcome="error", reason=f"unexpected {type(exc).__name__}: {exc}")
    return row


def _row_json(args: tuple[str, str, bool]) -> str:
    return json.dumps(upgrade_row(*args), separators=(",", ":"))


def fleet_upgrade(
    entries: list[str], branch: str, *, jobs: int | None = None, push: bool = False, allowed=None
):
    """A row per repository. Overlays are used only from `allowed` (a trust.Policy from the
    platform's config; None allows none), at their pinned commits; only their code runs."""
    from dataclasses import replace

    from scaffolder import trust
    from scaffolder.fleet.status import run_parallel

    policy = replace(allowed or trust.load_config(None, run_code=True), run_code=True)
    for line in run_parallel(_row_json, [(e, branch, push) for e in entries], jobs, policy):
        yield json.loads(line)


def interrupted_message(branch: str, entries: list[str], prepared: list[str], done: int) -> str:
    """What an interrupted fleet upgrade changed: the branches it reported, and the
    repositories it was still working on (each may or may not have the branch)."""
    unfinished = max(0, len(entries) - done)
    text = f"interrupted after {done} of {len(entries)} repositories; "
    if prepared:
        text += f"branch {branch} was prepared in {len(prepared)}: {', '.join(prepared)}"
    else:
        text += f"no repository reported branch {branch} prepared"
    if unfinished:
        text += (
            f"; {unfinished} were not finished (one being worked on may have the branch: "
            f"check `git branch --list {branch}` there); the teams' own branches are untouched"
        )
    return text

"""`fleet status`: one row per repository (declared and assessed level, template and overlay
releases and lag, the outcome of a dry-run upgrade, problems), computed in parallel."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

from scaffolder import __version__
from scaffolder.errors import ScaffoldError

FLEET_STATUS_SCHEMA = 1
# Problems that mean the repository could not be read as a project at all.
UNREADABLE = {"not-a-repo", "not-managed", "damaged-state"}


@contextmanager
def checkout(entry: str) -> Iterator[Path]:
    """The entry's checkout: the path itself, or a temporary clone of a URL."""
    from scaffolder import git_remote
    from scaffolder.fleet.repos import is_url
    from scaffolder.git_guard import refuse_own_programs
    from scaffolder.state import BASE_BRANCH

    if not is_url(entry):
        refuse_own_programs(Path(entry))  # its .git/config is the team's: it runs nothing
        yield Path(entry)
        return
    tmp = Path(tempfile.mkdtemp(prefix="mlops-scaffold-fleet-"))
    try:
        git_remote.clone(entry, tmp / "repo", [BASE_BRANCH])
        yield tmp / "repo"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def dry_run(path: Path, level: int) -> dict:
    """What `upgrade --to <level>` would do: up-to-date, clean, conflicts or refused."""
    from scaffolder.upgrade.apply import UpgradeRequest, plan_upgrade

    try:
        plans = plan_upgrade(UpgradeRequest(path=path, to=level, defaults=True))
    except ScaffoldError as exc:
        return {"outcome": "refused", "reason": str(exc)}
    plan = plans[-1]
    if not plan.due:
        return {"outcome": "up-to-date"}
    conflicts = plan.conflicts
    return {
        "outcome": "conflicts" if conflicts else "clean",
        "files": len(plan.changes),
        "conflicts": conflicts,
        # The built-in ones; an overlay's are code, which a status never runs: listed by file.
        "migrations": [m.id for m in plan.pre + plan.post],
        "overlay_migrations_not_run": _overlay_migration_files(path),
        "releases": [f"{source} {version}" for source, version, _ in plan.notes],
    }


def _overlay_migration_files(path: Path) -> list[str]:
    from scaffolder.state import load_state
    from scaffolder.upgrade.apply import catalog_for

    catalog = catalog_for(load_state(path))
    return [f"{o.name}:{p.name}" for o in catalog.overlays for p in o.migration_files()]


def status_row(entry: str, *, assess: bool = True, offline: bool = False) -> dict:
    """The status of one repository; faults of the repository become `error`, never raise."""
    from scaffolder.check import run_check

    row: dict = {"schema_version": FLEET_STATUS_SCHEMA, "tool_version": __version__,
                 "repo": entry}  # fmt: skip
    try:
        with checkout(entry) as path:
            result = run_check(path, assess=assess, offline=offline)
            unreadable = [p for p in result.problems if p.code in UNREADABLE]
            template = result.sources[0] if result.sources else None
            row.update(
                declared_level=result.declared_level,
                assessed_level=result.assessed_level,
                template=asdict(template) if template else None,
                overlays=[asdict(s) for s in result.sources[1:]],
                upgrade_due=result.upgrade_due,
                problems=[asdict(p) for p in result.problems],
                warnings=result.warnings,
                dry_run=None if unreadable else dry_run(path, result.declared_level or 0),
                error=unreadable[0].message if unreadable else None,
            )
            if assess:
                # the maturity profile, for any repository assess can read (one the tool did
                # not make too: a platform team's fleet is mostly those)
                report = getattr(result, "report", None)
                if report is None and not any(p.code == "not-a-repo" for p in unreadable):
                    report = _assess_quietly(path)
                if report is not None:
                    row["assessment"] = assessment(report, path)
    except ScaffoldError as exc:
        row.update(error=str(exc))
    except Exception as exc:  # one broken repository must not stop a fleet run
        row.update(error=f"unexpected {type(exc).__name__}: {exc}")
    row.setdefault("error", None)
    return row


HISTORY_FILE = ".mlops-assess-history.jsonl"  # what `assess --history` is documented with
MAX_HISTORY = 200


def _assess_quietly(path: Path):
    from scaffolder.assess.run import assess_repo

    try:
        return assess_repo(path)
    except ScaffoldError:
        return None


def assessment(report, path: Path) -> dict:
    """What the fleet page shows of one repository's assess report: the profile, the next
    milestones, the failing gates, the repository's recorded history, and its Markdown report
    (`report_markdown`, written beside the page, never into the JSON lines)."""
    from scaffolder.assess.report_markdown import render_markdown

    return {
        "level": report.level,
        "profile": report.profile,
        "next_steps": [
            {
                "dimension": m.dimension,
                "level": m.level,
                "target": m.target,
                "provided_by": m.provided_by,
                "checks": [{"id": s.check, "title": s.title} for s in m.steps],
            }
            for m in report.next_steps
        ],
        "history": _history(path),
        "report_markdown": render_markdown(report),
    }


def _history(path: Path) -> list[dict]:
    """The repository's `assess --history` lines (time, level, dimensions), oldest first;
    damaged lines are skipped (a status never fails on a team's history file)."""
    from scaffolder.safe_read import read_optional

    text = read_optional(path / HISTORY_FILE, root=path, what=HISTORY_FILE, limit=1 << 22)
    entries = []
    for line in (text or "").splitlines()[-MAX_HISTORY:]:
        try:
            data = json.loads(line)
            entry = {
                "time": str(data["time"]),
                "level": int(data["level"]),
                "dimensions": {str(k): int(v) for k, v in dict(data["dimensions"]).items()},
            }
        except (ValueError, KeyError, TypeError):
            continue
        entries.append(entry)
    return entries


def _init_worker(cache: str, policy) -> None:
    from scaffolder import render, trust

    render.enable_cache(Path(cache))
    trust.set_policy(policy)


def _row_json(args: tuple[str, bool, bool]) -> str:
    entry, assess, offline = args
    return json.dumps(status_row(entry, assess=assess, offline=offline), separators=(",", ":"))


def worker_count(jobs: int | None, repos: int) -> int:
    """Processes for `repos` repositories: never more than there are repositories."""
    return max(1, min(jobs or os.cpu_count() or 1, repos))


def run_parallel(
    func: Callable[[tuple], str], jobs_args: list[tuple], jobs: int | None, policy
) -> Iterator[str]:
    """`func` over `jobs_args` on `jobs` processes sharing one render cache, in input order,
    each under the fleet's trust `policy` (which sources it may use, whether code may run)."""
    from scaffolder import overlay, render, trust

    overlay.forget_fetches()  # a fleet run sees every source as it is now
    jobs = worker_count(jobs, len(jobs_args))
    with tempfile.TemporaryDirectory(prefix="mlops-scaffold-renders-") as cache:
        if jobs == 1:
            render.enable_cache(Path(cache))
            trust.set_policy(policy)
            try:
                yield from map(func, jobs_args)
            finally:
                render.enable_cache(None)
                trust.set_policy(None)
            return
        with ProcessPoolExecutor(
            max_workers=jobs, initializer=_init_worker, initargs=(cache, policy)
        ) as pool:
            yield from pool.map(func, jobs_args, chunksize=1)


def fleet_status(
    entries: list[str],
    *,
    jobs: int | None = None,
    assess: bool = True,
    offline: bool = False,
    allowed=None,
) -> Iterator[dict]:
    """A row per repository. No code of a repository's runs: overlays only from `allowed`
    (a trust.Policy; None allows none), and never their migrations."""
    from dataclasses import replace

    from scaffolder import trust

    policy = replace(allowed or trust.load_config(None, run_code=False), run_code=False)
    for line in run_parallel(_row_json, [(e, assess, offline) for e in entries], jobs, policy):
        yield json.loads(line)

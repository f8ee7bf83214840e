"""`mlops-scaffold upgrade [PATH]`: move a project up a level or to a newer template release."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scaffolder.choices import LEVELS
from scaffolder.cli import base
from scaffolder.cli.base import (
    _abort_option,
    _answer_options,
    _echo_json,
    _errors_to_exit_codes,
    _format_option,
    _given,
    _overlay_options,
    _pairs,
    _result_json,
    _run_abort,
    _stderr,
)


def add(sub) -> None:
    p = sub.add_parser(
        "upgrade",
        help="move a project up a level, or apply template updates, by a git merge",
        description="""
            Move a project up a level (or apply template updates) by merging the new render
            with git.

            The render is committed on branch mlops-scaffold/base and merged into your branch;
            your edits stay, and where you and the template changed the same lines git's
            standard conflict markers are left for you. Refuses dirty work trees.

            Exit codes: 0 done or up to date, 1 refused, 2 changes due (--dry-run, --check),
            3 conflicts left.
        """,
    )
    p.add_argument(
        "path", metavar="PATH", nargs="?", type=Path, default=Path("."),
        help="the project, a git repository made by mlops-scaffold (default: .)",
    )  # fmt: skip
    p.add_argument(
        "--to", type=int, choices=LEVELS, metavar="{0,1,2,3}",
        help="target level (default: the next one); the current level applies template "
        "updates; steps one level at a time",
    )  # fmt: skip
    p.add_argument(
        "--dry-run", action="store_true",
        help="show what would change and which questions a real run would ask; touch "
        "nothing; exit 2 when changes are due",
    )  # fmt: skip
    p.add_argument("--diff", action="store_true", help="with --dry-run: print the diffs too")
    p.add_argument(
        "--check", action="store_true",
        help="like --dry-run, one summary line (for CI); exit 2 when changes are due",
    )  # fmt: skip
    p.add_argument(
        "--continue", dest="resume", action="store_true",
        help="after resolving and committing a conflicted upgrade: finish it",
    )  # fmt: skip
    p.add_argument(
        "--track-data", action="store_true",
        help="with your consent: put the data files under data/ under DVC (`dvc add`; `git rm "
        "--cached` first for files git tracks) and commit the .dvc files; from level 1 with "
        "data_versioning dvc, after `make setup` installed DVC",
    )  # fmt: skip
    _abort_option(p, "upgrade")
    _answer_options(p, data_help="answer a question new at the target level")
    _overlay_options(p, "add an org overlay")
    p.add_argument(
        "--overlay-ref", action="append", metavar="NAME=REF",
        help="render overlay NAME at tag or commit REF instead of its newest release; repeatable",
    )  # fmt: skip
    _format_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> None:
    from scaffolder.upgrade import apply, migrate_commits, report

    with _errors_to_exit_codes():
        dvc = _track_data_check(args)
        if args.abort:
            return _run_abort(args)
        if args.resume:
            result = apply.continue_upgrade(args.path)
            if args.format == "json":
                _echo_json({"level": result.level, "migrations_run": result.migrations_run})
            done = ", ".join(result.migrations_run) or "nothing left to run"
            _stderr().print(f"Upgrade finished at level {result.level} ({done}).")
            return
        dry = args.dry_run or args.check
        request = apply.UpgradeRequest(
            path=args.path,
            to=args.to,
            given=_given(args.data, orchestrator=args.orchestrator, ci=args.ci),
            defaults=args.defaults,
            interactive=not dry and base._interactive(args.defaults),
            add_overlays=list(args.overlay or []),
            overlay_refs=_pairs(args.overlay_ref, "--overlay-ref"),
        )
        if dry:
            plans = apply.plan_upgrade(request)
            if args.format == "json":
                _echo_json(_result_json(plans, dry_run=True))
            elif args.check:
                print(report.summary_line(plans))
            else:
                repo = apply.preflight(args.path).repo
                print(report.describe_plans(repo, plans, with_diff=args.diff))
                if args.diff:
                    for plan in plans:
                        print(migrate_commits.migration_diff(repo, plan).rstrip())
            sys.exit(2 if any(p.due for p in plans) else 0)
        result = apply.upgrade(request)
        if dvc and not result.conflicts:
            result.notes += _track_data(args.path, dvc, result)
    if args.format == "json":
        _echo_json(_result_json(result))
    for note in result.notes:
        _stderr().print(f"note: {note}", soft_wrap=True)
    if result.conflicts:
        _stderr().print(report.conflict_message(result.conflicts, result.level), soft_wrap=True)
        sys.exit(3)
    if not any(p.due for p in result.plans):
        done = "." if dvc else "; nothing to do."
        _stderr().print(f"Up to date at level {result.level}{done}")
        return
    ran = f"; migrations: {', '.join(result.migrations_run)}" if result.migrations_run else ""
    console = _stderr()
    console.print(f"Upgraded to level {result.level}{ran}. Review with `git log --stat`.")
    notes = report.release_notes(result.plans)
    if notes:
        console.print(notes, soft_wrap=True, markup=False)


def _track_data_check(args: argparse.Namespace) -> str | None:
    """`--track-data`: refused before anything changes when it cannot work; the DVC command."""
    if not args.track_data:
        return None
    from scaffolder.upgrade.land import UpgradeRefused
    from scaffolder.upgrade.track_data import require_dvc

    if args.abort or args.resume or args.dry_run or args.check:
        raise UpgradeRefused(
            "--track-data runs DVC; it does not go with --dry-run, --check, --continue or --abort"
        )
    return require_dvc(args.path, args.to)


def _track_data(path: Path, dvc: str, result) -> list[str]:
    from scaffolder.upgrade.land import UpgradeRefused
    from scaffolder.upgrade.track_data import track

    try:
        notes = track(path, dvc)
        # The upgrade's own data notes tell the team how to do what has now been done.
        result.notes = [n for n in result.notes if not n.startswith("data: ")]
        return notes
    except UpgradeRefused as exc:
        if any(p.due for p in result.plans):  # the upgrade itself landed: say so
            raise UpgradeRefused(f"upgraded to level {result.level}, but {exc}") from None
        raise

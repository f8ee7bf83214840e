"""`mlops-scaffold adopt [PATH]`: bring an existing repository under the tool."""

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
    _levels_help,
    _overlay_options,
    _result_json,
    _run_abort,
    _stderr,
)


def add(sub) -> None:
    p = sub.add_parser(
        "adopt",
        help="bring an existing repository under mlops-scaffold at a level",
        description="""
            Bring an existing repository under mlops-scaffold at a level.

            Names, description, author, Python version and CI provider are read from the
            repository (pyproject.toml, the src layout, .python-version, README, git, CI files).
            A repository with its own package gets the level's infrastructure around that
            package (calling the functions named in config/mlops.yaml) and no example code.
            The level's render becomes the root of branch mlops-scaffold/base and is merged
            into your branch by structure; where you and the template define the same entry,
            yours is kept and named in a note.

            Exit codes: 0 done, 1 refused, 2 changes due (--dry-run), 3 conflicts left.
        """,
    )
    p.add_argument(
        "path", metavar="PATH", nargs="?", type=Path, default=Path("."),
        help="a git repository mlops-scaffold did not create (default: .)",
    )  # fmt: skip
    p.add_argument(
        "-l", "--level", type=int, choices=LEVELS, metavar="{0,1,2,3}",
        help=_levels_help("level to adopt at") + " (default: the level `assess` measures)",
    )  # fmt: skip
    p.add_argument(
        "--dry-run", action="store_true",
        help="show what would change, touch nothing; exit 2 when changes are due",
    )  # fmt: skip
    p.add_argument(
        "--with-example", action="store_true",
        help="add the churn example code too (by default a repo with its own package gets the "
        "pipeline around that package and no example)",
    )  # fmt: skip
    _abort_option(p, "adopt")
    _answer_options(p, data_help="override an inferred answer")
    _overlay_options(p, "org overlay")
    _format_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> None:
    from scaffolder.upgrade import adopt as adoption
    from scaffolder.upgrade import report

    interactive = base._interactive(args.defaults)
    with _errors_to_exit_codes():
        given = _given(args.data, orchestrator=args.orchestrator, ci=args.ci)
        if args.abort:
            return _run_abort(args)
        if args.with_example:
            given["example"] = True
        if args.dry_run:
            ctx, plan = adoption.plan_adoption(
                args.path, args.level, given, defaults=args.defaults, interactive=interactive,
                overlays=list(args.overlay or []), dry_run=True,
            )  # fmt: skip
            if args.format == "json":
                _echo_json(_result_json([plan], dry_run=True))
            else:
                print(report.describe_plans(ctx.repo, [plan], with_diff=False))
            sys.exit(2)
        result = adoption.adopt(
            args.path, args.level, given, defaults=args.defaults, interactive=interactive,
            overlays=list(args.overlay or []),
        )  # fmt: skip
    try:
        _report(args, result)
    except KeyboardInterrupt:
        # The adoption is in: say that, not "interrupted", and no traceback.
        import signal

        signal.signal(signal.SIGINT, signal.SIG_IGN)
        sys.stderr.write(
            f"Adopted at level {result.level} (Ctrl-C cut its report short); "
            "`git log --stat -1` shows it\n"
        )
        sys.exit(3 if result.conflicts else 0)


def _report(args: argparse.Namespace, result) -> None:
    from scaffolder.upgrade import report

    if args.format == "json":
        _echo_json(_result_json(result))
    for note in result.notes:
        _stderr().print(f"note: {note}", soft_wrap=True)
    if result.conflicts:
        message = report.conflict_message(result.conflicts, result.level, "adopt")
        _stderr().print(message, soft_wrap=True)
        sys.exit(3)
    _stderr().print(f"Adopted at level {result.level}. Review with `git log --stat -1`.")
    _next_step(args.path, result.level)


def _next_step(path: Path, level: int) -> None:
    """Around the team's package, what to connect before `make train` and how to check it."""
    from scaffolder import gitops
    from scaffolder.wiring import CONFIG, unwired

    repo = gitops.toplevel(path)
    if level < 1 or not (repo / CONFIG).is_file():
        return
    todo = unwired(repo)
    if todo:
        _stderr().print(
            f"Next: wire {', '.join(todo)} in {CONFIG} to your functions (entrypoints.evaluate is "
            "optional), then check it with `mlops-scaffold check --wiring`; `make setup` and "
            "`make train` run it.",
            soft_wrap=True, markup=False,
        )  # fmt: skip

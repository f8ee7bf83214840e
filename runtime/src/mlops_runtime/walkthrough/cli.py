"""The walkthrough from the command line, bound to a project by its thin entry point
(`<package>/walkthrough.py`: `main(PROJECT, SCENARIO)`):

    python -m <package>.walkthrough run [--days N] [--keep-state] [--port P]    make walkthrough
    python -m <package>.walkthrough reset                                  make walkthrough-reset
    python -m <package>.walkthrough traffic [--url URL] [--rows N] [--shift]       make traffic
        [--labels] [--flip SHARE] [--days-ago D] [--seed S]

`traffic` is the simulator alone: rows to a running app (`make serve`), or with `--days-ago` the
clock (scored here, logged as if served D days ago). Exit codes: 0 done; 1 failed or refused (one
line on stderr says why).
"""

from __future__ import annotations

import argparse
import sys
import time

from ..project import Project, ProjectError
from .simulator import Scenario, SimulatorError


def _traffic(project: Project, scenario: Scenario, args: argparse.Namespace) -> int:
    from .simulator import make_traffic, record_labels, replay, send

    traffic = make_traffic(
        project,
        args.rows or scenario.rows,
        args.seed if args.seed is not None else scenario.seed,
        shift=scenario.shift if args.shift else None,
        flip=args.flip,
    )
    if args.days_ago is not None:
        if scenario.score is None:
            raise SimulatorError("the project's walkthrough binding names no score function")
        at = time.time() - args.days_ago * 86400.0
        sent = replay(project, traffic, at, scenario.score)
        where = f"logged as served {args.days_ago:g} day(s) ago"
    else:
        at = None
        sent = send(args.url, traffic)
        where = f"sent to {args.url}/predict"
    print(f"{sent.rows} {'shifted' if args.shift else 'normal'} rows {where}, answered by "
          f"version(s) {dict(sent.versions)}")  # fmt: skip
    if args.labels:
        record_labels(project, sent, at=None if at is None else at + 600)
        print(f"{sent.rows} labels recorded as feedback")
    return 0


def main(project: Project, scenario: Scenario, argv: list[str] | None = None) -> int:
    """Run one walkthrough command for `project`; the exit code (0 done, 1 failed or refused)."""
    from ..console import quiet_third_party_output
    from .driver import Options, WalkthroughError, reset, run

    quiet_third_party_output()

    parser = argparse.ArgumentParser(
        prog=f"python -m {project.package}.walkthrough",
        description="The local walkthrough of the level-3 loop, and its traffic simulator.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    walk = commands.add_parser("run", help="the whole walkthrough, step by step")
    walk.add_argument("--days", type=int, default=3,
                      help="simulated past days whose labels turned around, to show decay (0: "
                      "skip that step)")  # fmt: skip
    walk.add_argument("--keep-state", action="store_true",
                      help="do not reset the traffic and the guards' state first")  # fmt: skip
    walk.add_argument("--port", type=int, default=0, help="serving port (0: a free one)")
    walk.add_argument("--reload-seconds", type=float, default=1.0,
                      help="how often the app looks for an alias change")  # fmt: skip
    walk.add_argument("--rows", type=int, default=None, help="rows per traffic phase")
    commands.add_parser("reset", help="forget the traffic and the state (never the registry or "
                        "the audit log)")  # fmt: skip
    traffic = commands.add_parser("traffic", help="send simulated traffic")
    traffic.add_argument("--url", default="http://127.0.0.1:8000", help="the serving app")
    traffic.add_argument("--rows", type=int, default=None)
    traffic.add_argument("--seed", type=int, default=None)
    traffic.add_argument("--shift", action="store_true", help="shifted traffic")
    traffic.add_argument("--labels", action="store_true", help="also record the true labels")
    traffic.add_argument("--flip", type=float, default=0.0,
                         help="share of labels turned around (concept drift)")  # fmt: skip
    traffic.add_argument("--days-ago", type=float, default=None,
                         help="the clock: log the rows as served this many days ago")  # fmt: skip
    args = parser.parse_args(argv)
    try:
        if args.command == "reset":
            for line in reset(project):
                print(line)
        elif args.command == "traffic":
            return _traffic(project, scenario, args)
        else:
            run(project, scenario, Options(port=args.port, reload_seconds=args.reload_seconds,
                                           days=args.days, reset=not args.keep_state,
                                           rows=args.rows))  # fmt: skip
    except (WalkthroughError, SimulatorError, ProjectError, LookupError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0

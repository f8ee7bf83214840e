"""The command line: one module per command (`new`, `upgrade`, `adopt`, `assess`, `check`,
`fleet`), each with an `add(subparsers)` that declares its arguments and sets `func` and the
thin functions that run it; `base` holds what they share. Logic lives in the modules below
the CLI.

Built on argparse (standard library) so that `--help` starts in a few tens of milliseconds;
everything heavy is imported inside the command that needs it. To add a command: a module
here with `add(sub)`, listed in `build_parser`.
"""

from __future__ import annotations

import argparse
import sys

from scaffolder import __version__
from scaffolder.cli import adopt, assess, base, check, fleet, new, upgrade
from scaffolder.cli.base import PROG, _Formatter, _Parser, _Sub


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        formatter_class=_Formatter,
        description="""
            Create ML project repositories at an MLOps maturity level (0 manual process, 1 ML
            pipeline automation, 2 CI/CD for ML, 3 full automation) with working pipelines,
            tracking, CI, serving and monitoring; move them up a level without losing the
            team's work; measure where any repository stands.
        """,
        epilog="`mlops-scaffold COMMAND --help` shows a command's options. Exit codes: 0 done, "
        "1 refused or failed, 2 changes due (--dry-run, --check), 3 conflicts left for you.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="show a traceback instead of the one-line error"
    )
    sub = parser.add_subparsers(title="commands", metavar="COMMAND", dest="command")
    # Subparsers inherit neither the formatter nor the error handling unless told.
    sub._parser_class = _Parser  # type: ignore[attr-defined]
    for add in (new.add, upgrade.add, adopt.add, assess.add, check.add, fleet.add):
        add(_Sub(sub))
    return parser


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    parser = build_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.command is None:
        parser.print_help()
        sys.exit(0)
    base._debug = args.debug
    try:
        args.func(args)
        sys.stdout.flush()
    except KeyboardInterrupt:
        if base._debug:
            raise
        import signal

        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C: no traceback either
        # Outside a command's own handling (printing the result, say): the command had
        # finished or not begun; one line rather than a traceback.
        sys.stderr.write("error: interrupted\n")
        sys.exit(1)
    except BrokenPipeError:
        _reader_went_away()
    sys.exit(0)


def _reader_went_away() -> None:
    """`mlops-scaffold ... | head`: the reader closed the pipe. No traceback; exit as a process
    that SIGPIPE ended would (128 + 13), which shells know; stdout goes to /dev/null so the
    interpreter's last flush does not fail again."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(141)

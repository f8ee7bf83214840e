"""`mlops-scaffold assess [PATH]`: measure where any repository stands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scaffolder.cli.base import (
    _errors_to_exit_codes,
    _stderr,
)


def add(sub) -> None:
    p = sub.add_parser(
        "assess",
        help="measure a repository's MLOps maturity, with evidence and a roadmap",
        description="""
            Measure a repository's MLOps maturity per dimension, with the evidence behind every
            check and a roadmap.

            Machine formats (markdown, json, sarif) go to stdout or --output; the text report
            and messages go to stderr. Exit 1 when below --fail-under.
        """,
    )
    p.add_argument(
        "path", metavar="PATH", nargs="?", type=Path, default=Path("."),
        help="repository checkout to assess (default: .)",
    )  # fmt: skip
    p.add_argument(
        "-f", "--format", choices=("text", "markdown", "json", "sarif"), default="text",
        help="report format",
    )  # fmt: skip
    p.add_argument("--output", type=Path, metavar="FILE", help="write the report to FILE")
    p.add_argument(
        "--fail-under", type=int, metavar="LEVEL",
        help="exit 1 when the overall level is below LEVEL (0-3)",
    )  # fmt: skip
    p.add_argument(
        "--questionnaire", action="store_true",
        help="ask what code cannot show; answers are saved after each one and reused",
    )  # fmt: skip
    p.add_argument(
        "--bank", type=Path, metavar="FILE",
        help="question bank YAML for --questionnaire (default: the built-in bank)",
    )  # fmt: skip
    p.add_argument("--explain", metavar="CHECK", help="explain a check (`list` lists all checks)")
    p.add_argument(
        "--history", type=Path, metavar="FILE", help="append this run to a JSON-lines FILE"
    )
    p.add_argument(
        "--repos-file", type=Path, metavar="FILE",
        help="assess every checkout listed in FILE, one per line (fleet)",
    )  # fmt: skip
    p.add_argument(
        "--jsonl", type=Path, metavar="OUT", help="fleet output: one JSON line per repository"
    )
    p.add_argument(
        "-j", "--jobs", type=int, metavar="N",
        help="fleet: parallel processes (default: the number of CPUs)",
    )  # fmt: skip
    p.add_argument("-v", "--verbose", action="store_true", help="text report: show every check")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> None:
    from scaffolder.assess.run import AssessRequest, run_assess

    console = _stderr()
    with _errors_to_exit_codes():
        bank, asked = args.bank, args.questionnaire or args.bank
        request = AssessRequest(
            path=args.path,
            format=args.format,
            output=args.output,
            fail_under=args.fail_under,
            questionnaire=(str(bank) if bank else "builtin") if asked else None,
            interactive=sys.stdin.isatty() and sys.stderr.isatty(),
            history=args.history,
            verbose=args.verbose,
            explain=args.explain,
            repos_file=args.repos_file,
            jsonl=args.jsonl,
            jobs=args.jobs,
        )
        result = run_assess(request, console)
    if result.summary:
        from rich.markup import escape

        # plain text (check descriptions name `[tool.ruff]`), not rich markup
        console.print(escape(result.summary), soft_wrap=True)

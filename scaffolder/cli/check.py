"""`mlops-scaffold check [PATH]`: does a project still follow the golden path."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scaffolder.cli.base import (
    _echo_json,
    _errors_to_exit_codes,
    _stderr,
)


def add(sub) -> None:
    p = sub.add_parser(
        "check",
        help="the CI gate: below the declared level, behind a release, or an unfinished upgrade",
        description="""
            The CI gate for platform teams: exit 1 with one line per problem when the project
            is below the level it declares (measured by `assess`), lags its template or overlay
            releases (by how many, and the newest), or has a damaged state file or an
            unfinished upgrade; exit 0 otherwise. What the team still has to write (the model
            card's business context, `business-context-unfilled`) is listed on every run and
            fails only with --strict.
        """,
    )
    p.add_argument(
        "path", metavar="PATH", nargs="?", type=Path, default=Path("."),
        help="the project, made by mlops-scaffold (default: .)",
    )  # fmt: skip
    p.add_argument(
        "-f", "--format", choices=("text", "json"), default="text",
        help="text: problems on stderr; json: one object on stdout",
    )  # fmt: skip
    p.add_argument(
        "--offline", action="store_true", help="do not fetch overlay repositories for releases"
    )
    p.add_argument(
        "--runtime-min", metavar="X.Y.Z", default=None,
        help="the lowest mlops-scaffold-runtime release the platform accepts (default: the "
        "release this tool's templates pin); a project pinned below it fails",
    )  # fmt: skip
    p.add_argument(
        "--strict", action="store_true",
        help="also fail on what the team still has to write (business-context-unfilled)",
    )  # fmt: skip
    p.add_argument(
        "--wiring", action="store_true",
        help="only check that config/mlops.yaml of a project adopted around its package names "
        "functions that exist (entry points and target), read without importing your code",
    )  # fmt: skip
    p.set_defaults(func=run)


def run_wiring(args: argparse.Namespace) -> None:
    from scaffolder import gitops
    from scaffolder.wiring import check_wiring

    with _errors_to_exit_codes():
        repo = gitops.toplevel(args.path) if gitops.is_repo(args.path) else args.path
        found = check_wiring(repo)
    if args.format == "json":
        _echo_json({"ok": found.ok, "problems": found.problems, "wired": found.wired,
                    "warnings": found.warnings})  # fmt: skip
    else:
        console = _stderr()
        for line in found.warnings:
            console.print(f"warning: {line}", soft_wrap=True, markup=False)
        for line in found.problems:
            console.print(f"wiring: {line}", soft_wrap=True, markup=False)
        if found.ok:
            console.print("ok: " + "; ".join(found.wired) + "; `make train` runs them",
                          soft_wrap=True, markup=False)  # fmt: skip
    sys.exit(0 if found.ok else 1)


def run(args: argparse.Namespace) -> None:
    from rich.text import Text

    from scaffolder.check import run_check

    if args.wiring:
        return run_wiring(args)
    with _errors_to_exit_codes():
        result = run_check(args.path, offline=args.offline, runtime_min=args.runtime_min)
    if args.format == "json":
        _echo_json(result.to_json())
    else:
        console = _stderr()
        for warning in result.warnings:
            console.print(Text.assemble(("warning:", "yellow"), f" {warning}"), soft_wrap=True)
        for problem in result.problems:
            console.print(Text.assemble((f"{problem.code}:", "red"), f" {problem.message}"),
                          soft_wrap=True)  # fmt: skip
        if result.ok:
            releases = ", ".join(f"{s.name} {s.version}" for s in result.sources)
            console.print(
                f"ok: level {result.declared_level} (assessed {result.assessed_level}); "
                f"{releases}, all current",
                soft_wrap=True, markup=False,
            )  # fmt: skip
        # After the verdict, what the team still has to write (a failing gate lists only what
        # fails it, unless --strict makes the to-dos fail it too).
        for todo in result.todos if result.ok or args.strict else ():
            console.print(Text.assemble((f"{todo.code}:", "yellow"), f" {todo.message}"),
                          soft_wrap=True)  # fmt: skip
    sys.exit(0 if result.ok and not (args.strict and result.todos) else 1)

"""`mlops-scaffold fleet status` / `fleet upgrade`: many repositories at once."""

from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager
from pathlib import Path

from scaffolder.cli.base import (
    _errors_to_exit_codes,
    _Parser,
    _stderr,
    _Sub,
)


def _fleet_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--repos-file", type=Path, metavar="FILE",
        help="one checkout path or clone URL per line (# comments)",
    )  # fmt: skip
    p.add_argument("--dir", type=Path, metavar="FOLDER", help="a folder whose subfolders are "
                   "the checkouts")  # fmt: skip
    p.add_argument(
        "-j", "--jobs", type=int, metavar="N",
        help="parallel processes (default: the number of CPUs, at most one per repository)",
    )  # fmt: skip
    p.add_argument(
        "--config", type=Path, metavar="FILE",
        help="the platform's fleet config: the overlays (name, source, pinned commit) a run "
        "may use; a repository naming any other is reported, never used",
    )  # fmt: skip


def _checked(args: argparse.Namespace):
    """The repositories and the trust policy, every argument checked before the run starts."""
    from scaffolder import trust
    from scaffolder.errors import InvalidAnswerError
    from scaffolder.fleet.repos import gather

    if args.jobs is not None and args.jobs < 1:
        raise InvalidAnswerError(f"--jobs {args.jobs} must be 1 or more")
    entries = gather(args.repos_file, args.dir)
    for option in ("report", "jsonl"):
        out = getattr(args, option, None)
        if out is not None and not out.parent.is_dir():
            raise InvalidAnswerError(
                f"--{option} {out}: folder {out.parent} does not exist; create it or choose "
                "another path"
            )
    policy = trust.load_config(args.config, run_code=args.fleet_command == "upgrade")
    return entries, policy


def add(sub) -> None:
    p = sub.add_parser(
        "fleet",
        help="many repositories at once: fleet status, upgrade branches for every team",
        description="Many repositories at once: the fleet's status, and upgrade branches "
        "prepared in every repository for its team to review.",
    )
    fleet = p.add_subparsers(title="commands", metavar="COMMAND", dest="fleet_command")
    fleet._parser_class = _Parser  # type: ignore[attr-defined]
    fleet = _Sub(fleet)
    status = fleet.add_parser(
        "status",
        help="level, releases and lag, dry-run upgrade outcome and problems of each repository",
        description="""
            Status of every repository: declared and assessed level, template and overlay
            releases and lag, the outcome of a dry-run upgrade, and problems. One JSON line per
            repository on stdout (or --jsonl), a summary table on stderr. Exit 1 when any
            repository could not be read.
        """,
    )
    _fleet_options(status)
    status.add_argument("--jsonl", type=Path, metavar="OUT", help="write the JSON lines to OUT")
    status.add_argument(
        "--report", type=Path, metavar="FILE",
        help="also write a Markdown (.md) or HTML (.html) report to FILE",
    )  # fmt: skip
    status.add_argument("--offline", action="store_true", help="do not fetch overlay repositories")
    status.set_defaults(func=run_status)
    upgrade = fleet.add_parser(
        "upgrade",
        help="prepare the newest releases on a new branch in every repository",
        description="""
            Prepare the newest template and overlay releases on a new branch in every
            repository, for the teams to review as pull or merge requests. The team's branch,
            index and files are never touched; dirty repositories, existing branches and
            releases that conflict are reported and skipped. One JSON line per repository on
            stdout. Exit 1 when any repository was refused or failed.
        """,
    )
    _fleet_options(upgrade)
    upgrade.add_argument("--branch", required=True, metavar="NAME", help="the new branch")
    upgrade.add_argument(
        "--push", action="store_true",
        help="push the branch and mlops-scaffold/base to origin (needed for clone URLs)",
    )  # fmt: skip
    upgrade.set_defaults(func=run_upgrade)
    p.set_defaults(func=lambda args: (p.print_help(), sys.exit(0)))


def run_status(args: argparse.Namespace) -> None:
    import json

    from scaffolder.errors import InvalidAnswerError
    from scaffolder.fleet import report as fleet_report
    from scaffolder.fleet.status import fleet_status

    console = _stderr()
    rows = []
    with _errors_to_exit_codes():
        if args.report is not None and args.report.suffix not in (".md", ".html"):
            raise InvalidAnswerError(f"--report {args.report} must end in .md or .html")
        entries, policy = _checked(args)
        out = args.jsonl.open("w", encoding="utf-8") if args.jsonl else sys.stdout
        try:
            for row in fleet_status(entries, jobs=args.jobs, offline=args.offline,
                                    allowed=policy):  # fmt: skip
                rows.append(row)
                # the Markdown report goes beside an HTML page, not into every JSON line
                line = dict(row)
                if line.get("assessment"):
                    line["assessment"] = {k: v for k, v in line["assessment"].items()
                                          if k != "report_markdown"}  # fmt: skip
                out.write(json.dumps(line, separators=(",", ":")) + "\n")
                out.flush()
        finally:
            if args.jsonl:
                out.close()
        if args.report is not None:
            if args.report.suffix == ".html":
                fleet_report.write_html(rows, args.report)
            else:
                args.report.write_text(fleet_report.markdown(rows), encoding="utf-8")
    console.print(fleet_report.terminal_table(rows))
    console.print(fleet_report.summary(rows), soft_wrap=True, markup=False)
    sys.exit(1 if any(r.get("error") for r in rows) else 0)


@contextmanager
def _interrupt_summary(message):
    """Ctrl-C during a fleet upgrade says what was changed, never "nothing was changed"."""
    try:
        yield
    except KeyboardInterrupt:
        from scaffolder.cli import base

        if base._debug:
            raise
        from rich.text import Text

        _stderr().print(Text.assemble(("error:", "red"), f" {message()}"), soft_wrap=True)
        sys.exit(1)


def run_upgrade(args: argparse.Namespace) -> None:
    import json

    from scaffolder.answers import check_org_choice
    from scaffolder.fleet.upgrade import fleet_upgrade, interrupted_message

    counts: dict[str, int] = {}
    prepared: list[str] = []
    entries: list[str] = []
    with _errors_to_exit_codes(), _interrupt_summary(lambda: interrupted_message(
        args.branch, entries, prepared, sum(counts.values())
    )):  # fmt: skip
        try:
            check_org_choice("default_branch", args.branch)
        except Exception as exc:
            from scaffolder.errors import InvalidAnswerError

            message = f"--branch {args.branch!r} is not a plain branch name"
            raise InvalidAnswerError(message) from exc
        found, policy = _checked(args)
        entries.extend(found)
        for row in fleet_upgrade(entries, args.branch, jobs=args.jobs, push=args.push,
                                 allowed=policy):  # fmt: skip
            counts[row["outcome"]] = counts.get(row["outcome"], 0) + 1
            if row["outcome"] in ("prepared", "conflicts"):  # both made the branch
                prepared.append(row["repo"])
            print(json.dumps(row, separators=(",", ":")), flush=True)
    _stderr().print(
        f"{sum(counts.values())} repositories: "
        + ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())),
        soft_wrap=True, markup=False,
    )  # fmt: skip
    failed = counts.get("refused", 0) + counts.get("error", 0)
    sys.exit(1 if failed else 0)

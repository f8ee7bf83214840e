"""The command line: one thin function per command. Logic lives in the modules below.

Built on argparse (standard library) so that `--help` starts in a few tens of milliseconds;
everything heavy is imported inside the command that needs it. To add a command: a
`_add_NAME(subparsers)` that declares its arguments and sets `func`, and a `_run_NAME(args)`.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import textwrap
from contextlib import contextmanager
from pathlib import Path

from scaffolder import __version__
from scaffolder.choices import CI_PROVIDERS, DEFAULTS, LEVEL_NAMES, LEVELS, ORCHESTRATORS

PROG = "mlops-scaffold"
_debug = False


class _Formatter(argparse.HelpFormatter):
    """Help text wrapped once to the terminal: each paragraph (blank-line separated) is
    re-flowed as a whole, lines starting with spaces are kept as written; defaults shown."""

    def __init__(self, prog: str) -> None:
        width = min(shutil.get_terminal_size((100, 24)).columns, 100) - 2
        super().__init__(prog, max_help_position=30, width=width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        out = []
        for para in re.split(r"\n\s*\n", textwrap.dedent(text).strip()):
            if para.startswith(" "):
                out.append(textwrap.indent(para, indent))
            else:
                out.append(textwrap.fill(" ".join(para.split()), width, initial_indent=indent,
                                         subsequent_indent=indent))  # fmt: skip
        return "\n\n".join(out)

    def _format_action_invocation(self, action: argparse.Action) -> str:
        # `-l, --level {0,1,2,3}` rather than argparse's `-l {0,1,2,3}, --level {0,1,2,3}`.
        if not action.option_strings or action.nargs == 0:
            return super()._format_action_invocation(action)
        metavar = self._format_args(action, self._get_default_metavar_for_optional(action))
        return f"{', '.join(action.option_strings)} {metavar}"

    def _format_action(self, action: argparse.Action) -> str:
        # The command list without argparse's lone `COMMAND` line above it.
        if isinstance(action, argparse._SubParsersAction):
            return "".join(self._format_action(a) for a in action._get_subactions())
        return super()._format_action(action)

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if (
            "default" not in text
            and default not in (None, False, [], argparse.SUPPRESS)
            and action.option_strings
        ):
            text += " (default: %(default)s)"
        return text


class _Parser(argparse.ArgumentParser):
    """Usage errors are one line and exit 1: exit 2 means "changes are due" in this tool."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"error: {message}; see `{self.prog} --help`\n")
        sys.exit(1)


def _stderr():
    from rich.console import Console

    return Console(stderr=True, highlight=False)


@contextmanager
def _errors_to_exit_codes():
    """Turn a ScaffoldError into `error: <one line>` on stderr and its exit code."""
    from scaffolder.errors import ScaffoldError

    try:
        yield
    except ScaffoldError as exc:
        if _debug:
            raise
        from rich.text import Text

        # The message as text, never as markup: it may quote `[...]` from user input.
        _stderr().print(Text.assemble(("error:", "red"), f" {exc}"), soft_wrap=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        if _debug:
            raise
        _stderr().print("[red]error:[/red] interrupted; nothing was changed")
        sys.exit(1)


def _given(data: list[str] | None, **flags: object) -> dict[str, object]:
    """Answers from --data and the answer flags (flags win); unset flags are left out."""
    from scaffolder.answers import parse_data

    given: dict[str, object] = dict(parse_data(data or []))
    given.update({key: value for key, value in flags.items() if value is not None})
    return given


def _pairs(values: list[str] | None, option: str) -> dict[str, str]:
    """`NAME=VALUE` options as a dict, refusing malformed ones."""
    from scaffolder.errors import InvalidAnswerError

    pairs: dict[str, str] = {}
    for value in values or []:
        name, sep, rest = value.partition("=")
        if not sep or not name.strip() or not rest.strip():
            raise InvalidAnswerError(f"{option} {value!r} is not NAME=VALUE")
        pairs[name.strip()] = rest.strip()
    return pairs


def _echo_json(data: object) -> None:
    import json

    print(json.dumps(data))


def _result_json(result, *, dry_run: bool = False) -> dict:
    """An upgrade or adopt result (or its plans, for a dry run) as plain data."""
    from scaffolder.upgrade import report

    plans = result if dry_run else result.plans
    data = {"dry_run": dry_run, "due": any(p.due for p in plans),
            "plans": report.plans_json(plans)}  # fmt: skip
    if not dry_run:
        data.update(level=result.level, conflicts=result.conflicts,
                    migrations_run=result.migrations_run)  # fmt: skip
    return data


def _overlay_options(parser: argparse.ArgumentParser, help: str) -> None:
    parser.add_argument(
        "--overlay", action="append", metavar="SOURCE",
        help=help + ": a folder, or a git repository URL or path with @TAG or @COMMIT; "
        "repeatable, applied in order",
    )  # fmt: skip


def _format_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-f", "--format", choices=("text", "json"), default="text",
        help="json: one object on stdout (messages stay on stderr)",
    )  # fmt: skip


def _interactive(defaults: bool) -> bool:
    """Prompt only when asked to (no --defaults) and a person is at a terminal."""
    return not defaults and sys.stdin.isatty() and sys.stdout.isatty()


def _levels_help(prefix: str) -> str:
    names = ", ".join(f"{n} {LEVEL_NAMES[n]}" for n in LEVELS)
    return f"{prefix} ({names})"


def _answer_options(parser: argparse.ArgumentParser, *, data_help: str) -> None:
    """The answer flags shared by new, upgrade and adopt."""
    parser.add_argument(
        "--orchestrator",
        choices=ORCHESTRATORS,
        help=f"pipeline orchestrator, asked from level 1 (default: {DEFAULTS['orchestrator']})",
    )
    parser.add_argument(
        "--ci",
        choices=CI_PROVIDERS,
        help=f"CI provider; workflows appear from level 1 (default: {DEFAULTS['ci']})",
    )
    parser.add_argument(
        "-d", "--data", action="append", metavar="KEY=VALUE", help=data_help + "; repeatable"
    )
    parser.add_argument(
        "--defaults",
        action="store_true",
        help="take the default for every answer not given; never prompt",
    )


def _abort_option(parser: argparse.ArgumentParser, command: str) -> None:
    parser.add_argument(
        "--abort", action="store_true",
        help=f"go back to where an unfinished {command} started (stopped on conflicts, "
        "interrupted or killed): branch, base branch, index and files as they were",
    )  # fmt: skip


def _run_abort(args: argparse.Namespace) -> None:
    """`--abort` of adopt or upgrade (inside _errors_to_exit_codes)."""
    from scaffolder.upgrade import abort, report

    done = abort.abort_run(args.path)
    if args.format == "json":
        _echo_json({"aborted": done.command, "branch": done.branch, "head": done.head,
                    "base": done.base, "saved": done.saved})  # fmt: skip
    _stderr().print(report.abort_message(done), soft_wrap=True)


# --- new ---------------------------------------------------------------------------------------


def _add_new(sub) -> None:
    p = sub.add_parser(
        "new",
        help="create a project at a maturity level, as a git repository",
        description="""
            Create a new project at a maturity level, as a git repository ready for `make
            setup && make test`.

            The pristine render is committed on branch mlops-scaffold/base and your branch
            `main` starts from it; .mlops-scaffold.yml records the answers. Keep both:
            `mlops-scaffold upgrade` merges later levels into your work through them. With a
            terminal, answers not given are asked for; without one, pass --defaults or every
            answer.
        """,
    )
    p.add_argument("name", metavar="NAME", help="project name; also the folder created")
    p.add_argument(
        "-l", "--level", type=int, choices=LEVELS, metavar="{0,1,2,3}",
        help=_levels_help("maturity level") + f" (default: {DEFAULTS['level']})",
    )  # fmt: skip
    p.add_argument(
        "-o", "--output-dir", type=Path, default=Path("."), metavar="DIR",
        help="folder to create the project in",
    )  # fmt: skip
    _answer_options(
        p,
        data_help="any answer by name: package_name, description, author, python_version "
        "(3.10-3.13), level, orchestrator, ci, default_branch, ci_runner, container_registry, "
        "base_image, or an overlay's question",
    )
    _overlay_options(p, "org overlay")
    _format_option(p)
    p.set_defaults(func=_run_new)


def _run_new(args: argparse.Namespace) -> None:
    from scaffolder.new import NewRequest, closing_message, create_project
    from scaffolder.progress import reporter

    console = _stderr()
    with _errors_to_exit_codes(), reporter(console) as progress:
        given = _given(args.data, level=args.level, orchestrator=args.orchestrator, ci=args.ci)
        request = NewRequest(
            name=args.name,
            output_dir=args.output_dir,
            given=given,
            defaults=args.defaults,
            interactive=_interactive(args.defaults),
            progress=progress,
            overlays=list(args.overlay or []),
        )
        result = create_project(request)
    if args.format == "json":
        from scaffolder.state import load_state

        state = load_state(result.path)
        _echo_json({
            "path": str(result.path), "level": result.answers.level,
            "answers": result.answers.model_dump(mode="json"),
            "template_version": state.template_version,
            "overlays": [o.model_dump(mode="json") for o in state.overlays],
            "base_commit": result.base_commit,
        })  # fmt: skip
    console.print(closing_message(result), soft_wrap=True, markup=False)


# --- upgrade -----------------------------------------------------------------------------------


def _add_upgrade(sub) -> None:
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
    _abort_option(p, "upgrade")
    _answer_options(p, data_help="answer a question new at the target level")
    _overlay_options(p, "add an org overlay")
    p.add_argument(
        "--overlay-ref", action="append", metavar="NAME=REF",
        help="render overlay NAME at tag or commit REF instead of its newest release; repeatable",
    )  # fmt: skip
    _format_option(p)
    p.set_defaults(func=_run_upgrade)


def _run_upgrade(args: argparse.Namespace) -> None:
    from scaffolder.upgrade import apply, report

    with _errors_to_exit_codes():
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
            interactive=not dry and _interactive(args.defaults),
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
                        print(apply.migration_diff(repo, plan).rstrip())
            sys.exit(2 if any(p.due for p in plans) else 0)
        result = apply.upgrade(request)
    if args.format == "json":
        _echo_json(_result_json(result))
    for note in result.notes:
        _stderr().print(f"note: {note}", soft_wrap=True)
    if result.conflicts:
        _stderr().print(report.conflict_message(result.conflicts, result.level), soft_wrap=True)
        sys.exit(3)
    if not any(p.due for p in result.plans):
        _stderr().print(f"Up to date at level {result.level}; nothing to do.")
        return
    ran = f"; migrations: {', '.join(result.migrations_run)}" if result.migrations_run else ""
    console = _stderr()
    console.print(f"Upgraded to level {result.level}{ran}. Review with `git log --stat`.")
    notes = report.release_notes(result.plans)
    if notes:
        console.print(notes, soft_wrap=True, markup=False)


# --- adopt -------------------------------------------------------------------------------------


def _add_adopt(sub) -> None:
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
    p.set_defaults(func=_run_adopt)


def _run_adopt(args: argparse.Namespace) -> None:
    from scaffolder.upgrade import adopt as adoption
    from scaffolder.upgrade import report

    interactive = _interactive(args.defaults)
    with _errors_to_exit_codes():
        given = _given(args.data, orchestrator=args.orchestrator, ci=args.ci)
        if args.abort:
            return _run_abort(args)
        if args.with_example:
            given["example"] = True
        if args.dry_run:
            ctx, plan = adoption.plan_adoption(
                args.path, args.level, given, defaults=args.defaults, interactive=interactive,
                overlays=list(args.overlay or []),
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
    if args.format == "json":
        _echo_json(_result_json(result))
    for note in result.notes:
        _stderr().print(f"note: {note}", soft_wrap=True)
    if result.conflicts:
        message = report.conflict_message(result.conflicts, result.level, "adopt")
        _stderr().print(message, soft_wrap=True)
        sys.exit(3)
    _stderr().print(f"Adopted at level {result.level}. Review with `git log --stat -1`.")


# --- assess ------------------------------------------------------------------------------------


def _add_assess(sub) -> None:
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
    p.set_defaults(func=_run_assess)


def _run_assess(args: argparse.Namespace) -> None:
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


# --- check -------------------------------------------------------------------------------------


def _add_check(sub) -> None:
    p = sub.add_parser(
        "check",
        help="the CI gate: below the declared level, behind a release, or an unfinished upgrade",
        description="""
            The CI gate for platform teams: exit 1 with one line per problem when the project
            is below the level it declares (measured by `assess`), lags its template or overlay
            releases (by how many, and the newest), or has a damaged state file or an
            unfinished upgrade; exit 0 otherwise.
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
    p.set_defaults(func=_run_check)


def _run_check(args: argparse.Namespace) -> None:
    from rich.text import Text

    from scaffolder.check import run_check

    with _errors_to_exit_codes():
        result = run_check(args.path, offline=args.offline)
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
    sys.exit(0 if result.ok else 1)


# --- fleet -------------------------------------------------------------------------------------


def _fleet_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--repos-file", type=Path, metavar="FILE",
        help="one checkout path or clone URL per line (# comments)",
    )  # fmt: skip
    p.add_argument("--dir", type=Path, metavar="FOLDER", help="a folder whose subfolders are "
                   "the checkouts")  # fmt: skip
    p.add_argument(
        "-j", "--jobs", type=int, metavar="N",
        help="parallel processes (default: the number of CPUs)",
    )  # fmt: skip


def _add_fleet(sub) -> None:
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
    status.add_argument(
        "--offline", action="store_true", help="do not fetch overlay repositories"
    )
    status.set_defaults(func=_run_fleet_status)
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
    upgrade.set_defaults(func=_run_fleet_upgrade)
    p.set_defaults(func=lambda args: (p.print_help(), sys.exit(0)))


def _run_fleet_status(args: argparse.Namespace) -> None:
    import json

    from scaffolder.errors import InvalidAnswerError
    from scaffolder.fleet import report as fleet_report
    from scaffolder.fleet.repos import gather
    from scaffolder.fleet.status import fleet_status

    console = _stderr()
    rows = []
    with _errors_to_exit_codes():
        entries = gather(args.repos_file, args.dir)
        if args.report is not None and args.report.suffix not in (".md", ".html"):
            raise InvalidAnswerError(f"--report {args.report} must end in .md or .html")
        out = args.jsonl.open("w", encoding="utf-8") if args.jsonl else sys.stdout
        try:
            for row in fleet_status(entries, jobs=args.jobs, offline=args.offline):
                rows.append(row)
                out.write(json.dumps(row, separators=(",", ":")) + "\n")
                out.flush()
        finally:
            if args.jsonl:
                out.close()
        if args.report is not None:
            html = args.report.suffix == ".html"
            text = fleet_report.html_page(rows) if html else fleet_report.markdown(rows)
            args.report.write_text(text, encoding="utf-8")
    console.print(fleet_report.terminal_table(rows))
    console.print(fleet_report.summary(rows), soft_wrap=True, markup=False)
    sys.exit(1 if any(r.get("error") for r in rows) else 0)


def _run_fleet_upgrade(args: argparse.Namespace) -> None:
    import json

    from scaffolder.answers import check_org_choice
    from scaffolder.fleet.repos import gather
    from scaffolder.fleet.upgrade import fleet_upgrade

    counts: dict[str, int] = {}
    with _errors_to_exit_codes():
        try:
            check_org_choice("default_branch", args.branch)
        except Exception as exc:
            from scaffolder.errors import InvalidAnswerError

            message = f"--branch {args.branch!r} is not a plain branch name"
            raise InvalidAnswerError(message) from exc
        entries = gather(args.repos_file, args.dir)
        for row in fleet_upgrade(entries, args.branch, jobs=args.jobs, push=args.push):
            counts[row["outcome"]] = counts.get(row["outcome"], 0) + 1
            print(json.dumps(row, separators=(",", ":")), flush=True)
    _stderr().print(
        f"{sum(counts.values())} repositories: "
        + ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())),
        soft_wrap=True, markup=False,
    )  # fmt: skip
    failed = counts.get("refused", 0) + counts.get("error", 0)
    sys.exit(1 if failed else 0)


# --- the program -------------------------------------------------------------------------------


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
    for add in (_add_new, _add_upgrade, _add_adopt, _add_assess, _add_check, _add_fleet):
        add(_Sub(sub))
    return parser


class _Sub:
    """Wraps the subparsers action so every command gets the formatter and one-line errors."""

    def __init__(self, action) -> None:
        self._action = action

    def add_parser(self, name: str, **kwargs) -> argparse.ArgumentParser:
        kwargs.setdefault("formatter_class", _Formatter)
        return self._action.add_parser(name, **kwargs)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    global _debug
    parser = build_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.command is None:
        parser.print_help()
        sys.exit(0)
    _debug = args.debug
    try:
        args.func(args)
    except KeyboardInterrupt:
        if _debug:
            raise
        # Outside a command's own handling (printing the result, say): the command had
        # finished or not begun; one line rather than a traceback.
        sys.stderr.write("error: interrupted\n")
        sys.exit(1)
    sys.exit(0)

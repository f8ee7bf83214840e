"""The command line: one thin function per command. Logic lives in the modules below."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from scaffolder import __version__

app = typer.Typer(
    name="mlops-scaffold",
    help=(
        "Create ML project repositories at an MLOps maturity level "
        "(0 manual, 1 pipeline automation, 2 CI/CD for ML, 3 full automation), with working pipelines, tracking, CI, "
        "serving and monitoring."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

_debug = False


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
        _stderr().print(f"[red]error:[/red] {exc}", soft_wrap=True)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        if _debug:
            raise
        _stderr().print("[red]error:[/red] interrupted; nothing was changed")
        raise typer.Exit(1) from None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mlops-scaffold {__version__}")
        raise typer.Exit()


def _given(data: list[str] | None, **flags: object) -> dict[str, object]:
    """Answers from --data and the answer flags (flags win); unset flags are left out."""
    from scaffolder.answers import parse_data

    given: dict[str, object] = dict(parse_data(data or []))
    given.update({key: value for key, value in flags.items() if value is not None})
    return given


def _interactive(defaults: bool) -> bool:
    """Prompt only when asked to (no --defaults) and a person is at a terminal."""
    return not defaults and sys.stdin.isatty() and sys.stdout.isatty()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
) -> None:
    """Create, upgrade and assess ML projects at an MLOps maturity level."""
    global _debug
    _debug = debug


@app.command()
def new(
    name: Annotated[
        str,
        typer.Argument(
            metavar="NAME", help="Project name; also the folder created under --output-dir."
        ),
    ],
    level: Annotated[
        int | None,
        typer.Option(
            "--level", "-l", help="Maturity level: 0 manual, 1 pipeline automation, 2 CI/CD for ML,\n3 full automation."
        ),
    ] = None,
    output_dir: Annotated[
        Path, typer.Option("--output-dir", "-o", help="Folder to create the project in.")
    ] = Path("."),
    orchestrator: Annotated[
        str | None,
        typer.Option(help="Pipeline orchestrator from level 1: airflow, kubeflow or both."),
    ] = None,
    ci: Annotated[str | None, typer.Option(help="CI provider: github or gitlab.")] = None,
    data: Annotated[
        list[str] | None,
        typer.Option(
            "--data",
            "-d",
            metavar="KEY=VALUE",
            help="Answer a question (package_name, description, author, python_version, ...).\n"
            "Repeatable.",
        ),
    ] = None,
    defaults: Annotated[
        bool,
        typer.Option(
            "--defaults", help="Take the default for every answer not given; never prompt."
        ),
    ] = False,
) -> None:
    """Create a new project at a maturity level, as a git repo ready for `make setup && make test`.

    The pristine render is committed on branch mlops-scaffold/base and your branch `main`
    starts from it, so `mlops-scaffold upgrade` can merge later levels into your work.
    Without a terminal, pass --defaults or every answer.
    """
    from scaffolder.new import NewRequest, create_project

    with _errors_to_exit_codes():
        given = _given(data, level=level, orchestrator=orchestrator, ci=ci)
        request = NewRequest(
            name=name,
            output_dir=output_dir,
            given=given,
            defaults=defaults,
            interactive=_interactive(defaults),
        )
        result = create_project(request)
    answers = result.answers
    console = _stderr()
    detail = f"level {answers.level}, CI {answers.ci}"
    if answers.orchestrator:
        detail += f", orchestrator {answers.orchestrator}"
    console.print(f"Created [bold]{result.path}[/bold] ({detail}).")
    console.print(f"Next: cd {result.path} && make setup && make test && make train")


@app.command()
def upgrade(
    path: Annotated[
        Path,
        typer.Argument(metavar="PATH", help="The project (a git repo made by mlops-scaffold)."),
    ] = Path("."),
    to: Annotated[
        int | None,
        typer.Option(
            "--to",
            help="Target level; default the next one. The current level applies template updates.",
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Show what would change, touch nothing; exit 2 when changes are due."
        ),
    ] = False,
    diff: Annotated[
        bool, typer.Option("--diff", help="With --dry-run: print the diffs too.")
    ] = False,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Like --dry-run, one summary line (for CI); exit 2 when changes are due.",
        ),
    ] = False,
    resume: Annotated[
        bool,
        typer.Option(
            "--continue", help="After resolving and committing a conflicted upgrade: finish it."
        ),
    ] = False,
    data: Annotated[
        list[str] | None,
        typer.Option(
            "--data",
            "-d",
            metavar="KEY=VALUE",
            help="Answer a question new at the target level. Repeatable.",
        ),
    ] = None,
    orchestrator: Annotated[
        str | None, typer.Option(help="Orchestrator, asked when moving to level 1.")
    ] = None,
    ci: Annotated[
        str | None, typer.Option(help="Change the CI provider: github or gitlab.")
    ] = None,
    defaults: Annotated[
        bool, typer.Option("--defaults", help="Take defaults for new questions; never prompt.")
    ] = False,
) -> None:
    """Move a project up a level (or apply template updates) by merging the new render with git.

    The render is committed on branch mlops-scaffold/base and merged into your branch; your
    edits stay, and conflicts are left as standard git conflicts. Refuses dirty trees.
    Exit codes: 0 done or up to date, 1 refused, 2 changes due (--dry-run, --check),
    3 conflicts left.
    """
    from scaffolder.upgrade import apply, report

    with _errors_to_exit_codes():
        if resume:
            result = apply.continue_upgrade(path)
            done = ", ".join(result.migrations_run) or "nothing left to run"
            _stderr().print(f"Upgrade finished at level {result.level} ({done}).")
            return
        request = apply.UpgradeRequest(
            path=path,
            to=to,
            given=_given(data, orchestrator=orchestrator, ci=ci),
            defaults=defaults,
            interactive=_interactive(defaults),
        )
        if dry_run or check:
            plans = apply.plan_upgrade(request)
            if check:
                typer.echo(report.summary_line(plans))
            else:
                repo = apply.preflight(path).repo
                typer.echo(report.describe_plans(repo, plans, with_diff=diff))
                if diff:
                    for plan in plans:
                        typer.echo(apply.migration_diff(repo, plan).rstrip())
            raise typer.Exit(2 if any(p.due for p in plans) else 0)
        result = apply.upgrade(request)
    if result.conflicts:
        _stderr().print(report.conflict_message(result.conflicts, result.level), soft_wrap=True)
        raise typer.Exit(3)
    if not any(p.due for p in result.plans):
        _stderr().print(f"Up to date at level {result.level}; nothing to do.")
        return
    ran = f"; migrations: {', '.join(result.migrations_run)}" if result.migrations_run else ""
    _stderr().print(f"Upgraded to level {result.level}{ran}. Review with `git log --stat`.")


@app.command()
def adopt(
    path: Annotated[
        Path, typer.Argument(metavar="PATH", help="A git repository mlops-scaffold did not create.")
    ] = Path("."),
    level: Annotated[
        int | None,
        typer.Option(
            "--level", "-l", help="Level to adopt at (default: the level `assess` measures)."
        ),
    ] = None,
    orchestrator: Annotated[
        str | None,
        typer.Option(help="Pipeline orchestrator from level 1: airflow, kubeflow or both."),
    ] = None,
    ci: Annotated[str | None, typer.Option(help="CI provider: github or gitlab.")] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Show what would change, touch nothing; exit 2 when changes are due."
        ),
    ] = False,
    data: Annotated[
        list[str] | None,
        typer.Option(
            "--data", "-d", metavar="KEY=VALUE", help="Override an inferred answer. Repeatable."
        ),
    ] = None,
    defaults: Annotated[
        bool,
        typer.Option("--defaults", help="Take defaults for answers not inferred; never prompt."),
    ] = False,
) -> None:
    """Bring an existing repository under mlops-scaffold at a level.

    Project and package names, description and author are read from pyproject.toml and the src
    layout. The level's render becomes the root of branch mlops-scaffold/base and is merged
    into your branch; files both sides have conflict once, as standard git conflicts.
    Exit codes: 0 done, 1 refused, 2 changes due (--dry-run), 3 conflicts left.
    """
    from scaffolder.upgrade import adopt as adoption
    from scaffolder.upgrade import report

    interactive = _interactive(defaults)
    with _errors_to_exit_codes():
        given = _given(data, orchestrator=orchestrator, ci=ci)
        if dry_run:
            ctx, plan = adoption.plan_adoption(
                path, level, given, defaults=defaults, interactive=interactive
            )
            typer.echo(report.describe_plans(ctx.repo, [plan], with_diff=False))
            raise typer.Exit(2)
        result = adoption.adopt(path, level, given, defaults=defaults, interactive=interactive)
    if result.conflicts:
        _stderr().print(report.conflict_message(result.conflicts, result.level), soft_wrap=True)
        raise typer.Exit(3)
    _stderr().print(f"Adopted at level {result.level}. Review with `git log --stat -1`.")


@app.command()
def assess(
    path: Annotated[
        Path, typer.Argument(metavar="PATH", help="Repository checkout to assess.")
    ] = Path("."),
    format: Annotated[
        str, typer.Option("--format", "-f", help="Report format: text, markdown, json or sarif.")
    ] = "text",
    output: Annotated[
        Path | None, typer.Option("--output", help="Write the report to FILE.")
    ] = None,
    fail_under: Annotated[
        int | None,
        typer.Option(
            "--fail-under", metavar="LEVEL", help="Exit 1 when the overall level is below LEVEL."
        ),
    ] = None,
    questionnaire: Annotated[
        bool,
        typer.Option(
            "--questionnaire", help="Ask what code cannot show; answers are saved and reused."
        ),
    ] = False,
    bank: Annotated[
        Path | None,
        typer.Option("--bank", help="Question bank YAML for --questionnaire (default: built-in)."),
    ] = None,
    explain: Annotated[
        str | None,
        typer.Option("--explain", metavar="CHECK", help="Explain a check (`list`: all checks)."),
    ] = None,
    history: Annotated[
        Path | None, typer.Option("--history", help="Append this run to a JSON-lines history FILE.")
    ] = None,
    repos_file: Annotated[
        Path | None,
        typer.Option("--repos-file", help="Assess every checkout listed in FILE (fleet)."),
    ] = None,
    jsonl: Annotated[
        Path | None,
        typer.Option("--jsonl", metavar="OUT", help="Fleet output: one JSON line per repo."),
    ] = None,
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", help="Fleet: parallel processes.")
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Text report: show every check.")
    ] = False,
) -> None:
    """Measure a repository's MLOps maturity per dimension, with evidence and a roadmap.

    Machine formats (markdown, json, sarif) go to stdout or --output; the text report and
    messages go to stderr. Exit 1 when below --fail-under.
    """
    from scaffolder.assess.run import AssessRequest, run_assess

    console = _stderr()
    with _errors_to_exit_codes():
        request = AssessRequest(
            path=path,
            format=format,
            output=output,
            fail_under=fail_under,
            questionnaire=(str(bank) if bank else "builtin") if questionnaire or bank else None,
            interactive=sys.stdin.isatty() and sys.stderr.isatty(),
            history=history,
            verbose=verbose,
            explain=explain,
            repos_file=repos_file,
            jsonl=jsonl,
            jobs=jobs,
        )
        result = run_assess(request, console)
    if result.summary:
        console.print(result.summary, soft_wrap=True)


def main() -> None:
    """Console-script entry point; usage errors exit 1, as exit 2 means "changes due" here."""
    try:
        code = app(standalone_mode=False)
    except Exception as exc:
        # click's ClickException (vendored inside newer typer releases) knows how to show itself.
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):
            exc.show()
        elif type(exc).__name__ == "Abort":
            _stderr().print("[red]error:[/red] aborted; nothing was changed")
        else:
            raise
        code = 1
    sys.exit(code if isinstance(code, int) else 0)

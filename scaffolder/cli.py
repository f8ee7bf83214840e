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
        "(0 manual, 1 pipeline automation), with working pipelines, tracking, CI and monitoring."
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
        typer.Option("--level", "-l", help="Maturity level: 0 manual, 1 pipeline automation."),
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
    from scaffolder.answers import parse_data
    from scaffolder.new import NewRequest, create_project

    with _errors_to_exit_codes():
        given: dict[str, object] = dict(parse_data(data or []))
        for key, value in (("level", level), ("orchestrator", orchestrator), ("ci", ci)):
            if value is not None:
                given[key] = value
        request = NewRequest(
            name=name,
            output_dir=output_dir,
            given=given,
            defaults=defaults,
            interactive=not defaults and sys.stdin.isatty() and sys.stdout.isatty(),
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
        Path, typer.Argument(help="The project (a git repo made by mlops-scaffold).")
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
    from scaffolder.answers import parse_data
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
            given=dict(parse_data(data or [])),
            defaults=defaults,
            interactive=not defaults and sys.stdin.isatty() and sys.stdout.isatty(),
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
        Path, typer.Argument(help="A git repository mlops-scaffold did not create.")
    ] = Path("."),
    level: Annotated[
        int | None, typer.Option("--level", "-l", help="Level to adopt at (default 0).")
    ] = None,
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
    from scaffolder.answers import parse_data
    from scaffolder.upgrade import adopt as adoption
    from scaffolder.upgrade import report

    interactive = not defaults and sys.stdin.isatty() and sys.stdout.isatty()
    with _errors_to_exit_codes():
        given: dict[str, object] = dict(parse_data(data or []))
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

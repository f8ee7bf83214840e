"""The command line: one thin function per command. Logic lives in the modules below."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

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
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit."),
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
        typer.Argument(metavar="NAME", help="Project name; also the folder created under --output-dir."),
    ],
    level: Annotated[
        Optional[int], typer.Option("--level", "-l", help="Maturity level: 0 manual, 1 pipeline automation.")
    ] = None,
    output_dir: Annotated[
        Path, typer.Option("--output-dir", "-o", help="Folder to create the project in.")
    ] = Path("."),
    orchestrator: Annotated[
        Optional[str],
        typer.Option(help="Pipeline orchestrator from level 1: airflow, kubeflow or both."),
    ] = None,
    ci: Annotated[Optional[str], typer.Option(help="CI provider: github or gitlab.")] = None,
    data: Annotated[
        Optional[list[str]],
        typer.Option(
            "--data",
            "-d",
            metavar="KEY=VALUE",
            help="Answer a question (package_name, description, author, python_version, ...). Repeatable.",
        ),
    ] = None,
    defaults: Annotated[
        bool, typer.Option("--defaults", help="Take the default for every answer not given; never prompt.")
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

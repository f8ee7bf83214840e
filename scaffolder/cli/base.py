"""What every command shares: the help formatter, one-line errors and exit codes, the
options several commands take, and JSON output. Commands live one per module beside this one."""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import textwrap
from contextlib import contextmanager

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
        import signal

        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C: no traceback either
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


class _Sub:
    """Wraps the subparsers action so every command gets the formatter and one-line errors."""

    def __init__(self, action) -> None:
        self._action = action

    def add_parser(self, name: str, **kwargs) -> argparse.ArgumentParser:
        kwargs.setdefault("formatter_class", _Formatter)
        return self._action.add_parser(name, **kwargs)

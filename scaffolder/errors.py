"""One exception family; the CLI turns each into one line on stderr and its exit code."""

from __future__ import annotations


class ScaffoldError(Exception):
    """A refusal or failure the user can act on. The message is one sentence with the way out."""

    exit_code = 1


class InvalidAnswerError(ScaffoldError):
    """An answer (NAME, a flag or --data) is not acceptable."""


class TargetExistsError(ScaffoldError):
    """The destination folder exists and holds files."""


class TemplateError(ScaffoldError):
    """A template (built-in layer or overlay) is missing or does not render."""


class StateFileError(ScaffoldError):
    """The project state file is missing or damaged."""


class GitError(ScaffoldError):
    """A git command failed or git is not installed."""


class MissingAnswerError(ScaffoldError):
    """An answer is needed but there is no terminal to ask on."""

"""The Jinja extension copier loads for our templates (`_jinja_extensions` in copier.yml).

It adds the escaping filters of `scaffolder.escaping`, one per target language, and
`answer_problem`, so copier's prompt validators use the same checks as the command line.
"""

from __future__ import annotations

from jinja2.ext import Extension

from scaffolder.escaping import FILTERS


def answer_problem(value: object, key: str) -> str:
    """The reason `value` is not acceptable for question `key`, or "" when it is (for copier's
    `validator:`, which refuses an answer when the validator renders any text)."""
    from scaffolder.answers import answer_problem as problem

    return problem(key, value) or ""


class AnswerFilters(Extension):
    """Registers the escaping filters and `answer_problem` in copier's Jinja environment."""

    def __init__(self, environment):
        super().__init__(environment)
        environment.filters.update(FILTERS)
        environment.filters["answer_problem"] = answer_problem

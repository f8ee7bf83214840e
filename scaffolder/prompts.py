"""The questions, asked on a terminal in one style before anything renders.

The questions come from the catalog's copier.yml (their help, default, choices and `when`);
we ask them ourselves with questionary, in order, and then let copier render with every
answer given, so the user sees one kind of prompt from the level to the last question.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from scaffolder.choices import LEVEL_NAMES


@dataclass
class Question:
    """One copier question as we ask it."""

    name: str
    help: str = ""
    type: str = "str"
    default: object = None
    choices: list[tuple[str, object]] = field(default_factory=list)
    when: object = True
    trusted: bool = True  # False: an overlay set its default or `when` (rendered bounded)


def load_questions(questions_file: Path, untrusted: set[str] | None = None) -> list[Question]:
    """The questions of a copier.yml, in file order; settings (`_...`) and computed values
    (`when: false`) are left out. `untrusted`: the names an overlay asks or sets a default of."""
    import yaml

    raw = yaml.safe_load(questions_file.read_text(encoding="utf-8")) or {}
    questions = []
    for name, spec in raw.items():
        if name.startswith("_") or not isinstance(spec, dict) or spec.get("when") is False:
            continue
        choices = spec.get("choices") or []
        if isinstance(choices, dict):
            pairs = [(str(label), value) for label, value in choices.items()]
        else:
            pairs = [(str(value), value) for value in choices]
        questions.append(
            Question(
                name=name,
                help=str(spec.get("help") or name),
                type=str(spec.get("type") or "str"),
                default=spec.get("default"),
                choices=pairs,
                when=spec.get("when", True),
                trusted=name not in (untrusted or ()),
            )
        )
    return questions


def _render(value: object, answers: dict[str, object], where: str, trusted: bool) -> object:
    """A default or `when` written as Jinja, evaluated with the answers so far; an overlay's
    under the limits of an overlay render (scaffolder.render_limits), ours in the process."""
    if not isinstance(value, str) or "{" not in value:
        return value
    if trusted:
        return _render_here(value, answers, where)
    from scaffolder.render_limits import bounded

    return bounded(_render_here, value, answers, where, interactive=False, what=where)


def _render_here(value: str, answers: dict[str, object], where: str) -> str:
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    from scaffolder.errors import TemplateError
    from scaffolder.render_limits import LimitExceeded, memory_note

    try:
        return SandboxedEnvironment().from_string(value).render(**answers).strip()
    except (LimitExceeded, MemoryError, RecursionError, OverflowError) as exc:
        why = memory_note() if isinstance(exc, MemoryError) else str(exc) or type(exc).__name__
        raise TemplateError(f"{where} does not render: {why}; templates must be bounded") from None
    except jinja2.TemplateError as exc:
        raise TemplateError(f"{where} does not render: {exc.message}") from None


def is_asked(question: Question, answers: dict[str, object]) -> bool:
    where = f"the `when` of question {question.name!r}"
    when = _render(question.when, answers, where, question.trusted)
    if isinstance(when, str):
        return when.lower() not in ("false", "0", "", "none", "no")
    return bool(when)


def default_of(question: Question, answers: dict[str, object]) -> object:
    where = f"the default of question {question.name!r}"
    return _render(question.default, answers, where, question.trusted)


def _validator(name: str):
    """Our own check for an answer (the one flags and --data get), run as the user types."""
    from scaffolder.answers import check_given
    from scaffolder.errors import InvalidAnswerError

    def validate(text: str) -> bool | str:
        try:
            check_given({name: text})
        except InvalidAnswerError as exc:
            return str(exc)
        return True

    return validate


def ask_questions(
    questions: list[Question],
    given: dict[str, object],
    levels: list[int],
) -> dict[str, object]:
    """Ask every question not in `given` and asked at the answers so far; return all answers.

    Ctrl-C or Esc raises KeyboardInterrupt (nothing has been written yet).
    """
    import questionary

    answers = dict(given)
    # The level first: it decides which questions follow (and which layers render).
    ordered = sorted(questions, key=lambda q: q.name != "level")
    for question in ordered:
        if question.name in answers or not is_asked(question, answers):
            continue
        default = default_of(question, answers)
        if question.name == "level":
            choices = [questionary.Choice(f"{n} - {LEVEL_NAMES.get(n, f'level {n}')}", value=n)
                       for n in levels]  # fmt: skip
            start = next((c for c in choices if c.value == default), choices[0])
            prompt = questionary.select(question.help, choices=choices, default=start)
        elif question.choices:
            choices = [questionary.Choice(label, value=value) for label, value in question.choices]
            start = next((c for c in choices if c.value == default), choices[0])
            prompt = questionary.select(question.help, choices=choices, default=start)
        else:
            prompt = questionary.text(
                question.help,
                default="" if default is None else str(default),
                validate=_validator(question.name),
            )
        answer = prompt.ask()
        if answer is None:  # Ctrl-C or Esc
            raise KeyboardInterrupt
        if question.type == "int":
            answer = int(answer)
        answers[question.name] = answer
    return answers

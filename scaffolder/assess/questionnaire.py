"""The questionnaire: YAML question banks with weights, answers saved in the repo and reused,
combined with the evidence (a passing check answers its question as automated).

An answer done by hand counts half, an automated practice fully, as in the ML Test Score.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from scaffolder.assess.checks import CHECKS_BY_ID
from scaffolder.assess.models import DIMENSIONS, AssessError, CheckResult, QuestionResult
from scaffolder.assess.parse_yaml import YamlSyntaxError, load_repo_file_key, load_yaml_documents

ANSWERS_FILE = ".mlops-scaffold-answers.yml"
CREDIT = {"no": 0.0, "manual": 0.5, "automated": 1.0, "yes": 1.0}
CHOICES = {"automation": ["no", "manual", "automated"], "yesno": ["no", "yes"]}
# What a person may type for each answer (case-insensitive); an empty line takes the default.
WORDS = {
    "automation": {"n": "no", "no": "no", "m": "manual", "manual": "manual", "a": "automated",
                   "auto": "automated", "automated": "automated"},
    "yesno": {"y": "yes", "yes": "yes", "n": "no", "no": "no"},
}  # fmt: skip
MEANING = {
    "automated": "done by a tool every time (full credit)",
    "manual": "done, by hand (half credit)",
    "yes": "true of this project (full credit)",
    "no": "not done (no credit)",
}


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    dimension: str
    text: str
    weight: float = 1.0
    choices: str = "automation"
    check: str | None = None
    ml_test: str | None = None
    help: str | None = None  # shown for `?`; the check and the choices are explained anyway
    default: str = "no"  # taken on an empty answer


class Bank(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bank: str
    version: int = 1
    questions: list[Question] = Field(default_factory=list)


def load_bank(source: str | None) -> Bank:
    """The built-in bank (`None` or "builtin") or a team's own YAML file."""
    if source in (None, "", "builtin"):
        text = (
            resources.files("scaffolder.assess")
            .joinpath("questions.yml")
            .read_text(encoding="utf-8")
        )
        name = "built-in bank"
    else:
        from scaffolder.safe_read import read_text

        try:
            text = read_text(Path(source), what="question bank")
        except FileNotFoundError:
            raise AssessError(
                f"question bank {source} not found; pass a YAML file or omit it for the "
                "built-in bank"
            ) from None
        name = source
    try:
        docs = load_yaml_documents(text)
        bank = Bank.model_validate(docs[0] if docs else {})
    except YamlSyntaxError as exc:
        raise AssessError(f"{name}:{exc.line} is not valid YAML ({exc.message})") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise AssessError(f"{name}: field {field}: {first['msg']}") from None
    for q in bank.questions:
        if q.dimension not in DIMENSIONS:
            raise AssessError(f"{name}: question {q.id} has unknown dimension '{q.dimension}'")
        if q.choices not in CHOICES:
            raise AssessError(
                f"{name}: question {q.id} has choices '{q.choices}', not one of "
                f"{', '.join(CHOICES)}"
            )
        if q.check and q.check not in CHECKS_BY_ID:
            raise AssessError(f"{name}: question {q.id} names unknown check '{q.check}'")
        if q.default not in CHOICES[q.choices]:
            raise AssessError(
                f"{name}: question {q.id} has default '{q.default}', not one of "
                f"{', '.join(CHOICES[q.choices])}"
            )
    return bank


def load_answers(root: Path) -> dict[str, str]:
    answers = load_repo_file_key(root / ANSWERS_FILE, "answers", "fix or delete it")
    result = {}
    for key, value in (answers or {}).items():
        if isinstance(value, bool):  # a hand-written `yes`/`no` is a YAML 1.1 boolean
            value = "yes" if value else "no"
        if str(value) in CREDIT:
            result[str(key)] = str(value)
    return result


def save_answers(root: Path, bank: Bank, answers: dict[str, str]) -> Path:
    """Write the answers so the next run (and CI, with no terminal) reuses them."""
    import yaml

    path = root / ANSWERS_FILE
    body = yaml.safe_dump(
        {"bank": bank.bank, "answers": dict(sorted(answers.items()))}, sort_keys=False
    )
    path.write_text(
        "# Answers to `mlops-scaffold assess --questionnaire`; commit this file so CI "
        "reuses them.\n" + body,
        encoding="utf-8",
    )
    return path


Asker = Callable[[Question, list[str], int, int], str]


def run_questionnaire(
    root: Path,
    bank: Bank,
    results: list[CheckResult],
    ask: Asker | None,
) -> list[QuestionResult]:
    """Answer every question: from evidence, then saved answers, then `ask` (None: no terminal)."""
    passed = {r.id for r in results if r.counts_as_passed}
    saved = load_answers(root)
    pending = [
        q
        for q in bank.questions
        if not (q.check and q.check in passed) and saved.get(q.id) not in CHOICES[q.choices]
    ]
    if pending and ask is None:
        raise AssessError(
            f"{len(pending)} questions of the {bank.bank} bank have no saved answer (first: "
            f"{pending[0].id}) "
            "and there is no terminal to ask on; run `mlops-scaffold assess "
            "--questionnaire` in a terminal "
            f"once and commit {ANSWERS_FILE}"
        )
    if pending:
        # Numbered within everything the bank asks of people, so a resumed run starts where
        # the last one stopped ("question 4 of 27").
        earlier = sum(
            1 for q in bank.questions
            if not (q.check and q.check in passed) and saved.get(q.id) in CHOICES[q.choices]
        )  # fmt: skip
        total = earlier + len(pending)
        for number, question in enumerate(pending, earlier + 1):
            try:
                saved[question.id] = ask(question, CHOICES[question.choices], number, total)
            except (KeyboardInterrupt, EOFError):
                raise AssessError(
                    f"interrupted at question {number} of {total}; the {number - 1} answers "
                    f"before it are saved in {ANSWERS_FILE}; run `mlops-scaffold assess "
                    "--questionnaire` again to continue from there"
                ) from None
            save_answers(root, bank, saved)  # after every answer: Ctrl-C loses nothing
    out = []
    for q in bank.questions:
        if q.check and q.check in passed:
            answer, credit, source = "automated", 1.0, "evidence"
        else:
            answer = saved.get(q.id)
            credit, source = CREDIT.get(answer or "", 0.0), "answer" if answer else "unanswered"
        out.append(
            QuestionResult(
                id=q.id,
                dimension=q.dimension,
                text=q.text,
                weight=q.weight,
                answer=answer,
                credit=credit,
                source=source,
                ml_test=q.ml_test,
            )
        )
    return out


def interpret(text: str, question: Question) -> str | None:
    """What a typed answer means: one of the question's choices, "?" for help, or None when
    it is not understood. Empty means the question's default."""
    word = text.strip().lower()
    if not word:
        return question.default
    if word in ("?", "h", "help"):
        return "?"
    return WORDS[question.choices].get(word)


def explain(question: Question) -> str:
    """The help shown for `?`: the question's own help, what each answer means and counts,
    and the check that answers it from evidence."""
    lines = [question.help] if question.help else []
    lines += [f"  {choice}: {MEANING[choice]}" for choice in CHOICES[question.choices]]
    lines.append(
        f"Counts towards {DIMENSIONS[question.dimension]} with weight {question.weight:g}"
        + (f" and the ML Test Score's {question.ml_test} section." if question.ml_test else ".")
    )
    if question.check:
        check = CHECKS_BY_ID[question.check]
        lines.append(
            f"Not asked once the repository shows it: check {check.id} ({check.title}); "
            f"{check.upgrade}."
        )
    return "\n".join(lines)


def terminal_asker(console=None) -> Asker:
    """Ask on the terminal (stderr), one question at a time under a progress bar: n/m/a or
    y/n (whole words too), empty for the default, `?` for the question's help."""
    from rich.console import Console
    from rich.markup import escape
    from rich.progress_bar import ProgressBar
    from rich.table import Table

    console = console or Console(stderr=True, highlight=False)

    def ask(question: Question, choices: list[str], number: int, total: int) -> str:
        grid = Table.grid(padding=(0, 1))
        grid.add_row(
            ProgressBar(total=total, completed=number - 1, width=30),
            f"{number}/{total}",
            f"[dim]{DIMENSIONS[question.dimension]}[/dim]",
        )
        console.print(grid)
        console.print(f"[bold]{escape(question.text)}[/bold]")
        keys = " / ".join(f"({c[0]}){c[1:]}" for c in choices)
        prompt = f"{keys}, ? for help [{question.default}]: "
        while True:
            answer = interpret(console.input(escape(prompt)), question)
            if answer == "?":
                console.print(escape(explain(question)), style="dim")
            elif answer is None:
                console.print(f"answer {escape(keys)}, or ? for help")
            else:
                return answer

    return ask

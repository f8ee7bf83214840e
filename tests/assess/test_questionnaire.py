import pytest

from scaffolder.assess.models import AssessError
from scaffolder.assess.questionnaire import ANSWERS_FILE, load_answers, load_bank
from scaffolder.assess.run import assess_repo
from tests.assess.repos import write


def test_builtin_bank_covers_every_dimension_with_weights():
    bank = load_bank(None)
    assert len(bank.questions) >= 25
    assert {q.dimension for q in bank.questions} == {
        "reproducibility",
        "quality",
        "pipelines",
        "validation",
        "deployment",
        "monitoring",
        "governance",
    }
    assert all(q.weight > 0 for q in bank.questions)


def test_asks_only_what_evidence_and_saved_answers_do_not_answer(tmp_path):
    write(
        tmp_path,
        {
            ".github/workflows/ci.yml": "on: [pull_request]\njobs:\n  t:\n    steps:\n     "
            " - run: pytest\n"
        },
    )
    asked = []

    def ask(question, choices, number, total):
        asked.append((question.id, number, total))
        return choices[1]  # "manual" or "yes"

    report = assess_repo(tmp_path, "builtin", ask)
    ids = [a[0] for a in asked]
    assert "team.tests-in-ci" not in ids  # CI evidence answered it
    assert asked[0][1] == 1 and asked[-1][1] == asked[-1][2] == len(asked)
    by_id = {q.id: q for q in report.questionnaire}
    assert (
        by_id["team.tests-in-ci"].source == "evidence" and by_id["team.tests-in-ci"].credit == 1.0
    )
    assert (
        by_id["team.release-notes"].answer == "manual" and by_id["team.release-notes"].credit == 0.5
    )
    assert by_id["doc.risk"].credit == 1.0  # yes/no question
    assert load_answers(tmp_path)["team.release-notes"] == "manual"
    # Second run: nothing is asked, saved answers are reused, also with no terminal (ask=None).
    again = assess_repo(tmp_path, "builtin", None)
    assert {q.id: q.credit for q in again.questionnaire} == {
        q.id: q.credit for q in report.questionnaire
    }
    governance = next(d for d in again.dimensions if d.dimension == "governance")
    assert governance.practice_score is not None and 0 < governance.practice_score < 1


def test_no_terminal_and_no_saved_answers_fails_with_one_clear_line(tmp_path):
    with pytest.raises(AssessError, match="no terminal to ask on") as info:
        assess_repo(tmp_path, "builtin", None)
    assert ANSWERS_FILE in str(info.value)
    assert not (tmp_path / ANSWERS_FILE).exists()


def test_a_teams_own_bank_and_its_errors(tmp_path):
    write(
        tmp_path,
        {
            "bank.yml": """
        bank: team
        questions:
          - {id: t.cost, dimension: monitoring, weight: 3, text: "Cost is tracked."}
    """
        },
    )
    report = assess_repo(tmp_path, str(tmp_path / "bank.yml"), lambda q, c, n, t: "automated")
    assert [(q.id, q.weight, q.credit) for q in report.questionnaire] == [("t.cost", 3.0, 1.0)]
    write(tmp_path, {"bad.yml": "bank: b\nquestions:\n  - {id: x, dimension: vibes, text: t}\n"})
    with pytest.raises(AssessError, match="unknown dimension 'vibes'"):
        load_bank(str(tmp_path / "bad.yml"))
    write(tmp_path, {"bad2.yml": "bank: b\nquestions:\n  - {id: x, dimension: quality}\n"})
    with pytest.raises(AssessError, match="questions.0.text"):
        load_bank(str(tmp_path / "bad2.yml"))
    with pytest.raises(AssessError, match="not found"):
        load_bank(str(tmp_path / "missing.yml"))


def test_typed_answers_are_understood():
    from scaffolder.assess.questionnaire import Question, interpret

    yesno = Question(id="q", dimension="governance", text="t", choices="yesno")
    automation = Question(id="q", dimension="governance", text="t", default="manual")
    assert [interpret(t, yesno) for t in ("y", "YES", " n ", "no", "", "?", "maybe")] == [
        "yes", "yes", "no", "no", "no", "?", None,
    ]  # fmt: skip
    assert [interpret(t, automation) for t in ("a", "auto", "m", "n", "", "y")] == [
        "automated", "automated", "manual", "no", "manual", None,
    ]  # fmt: skip


def test_help_explains_choices_weight_and_the_check():
    from scaffolder.assess.questionnaire import explain

    question = next(q for q in load_bank(None).questions if q.id == "team.tests-in-ci")
    text = explain(question)
    assert "automated: done by a tool every time (full credit)" in text
    assert "manual: done, by hand (half credit)" in text
    assert "weight 1" in text and "check quality.ci-tests" in text


def test_an_interrupted_questionnaire_keeps_its_answers_and_resumes(tmp_path):
    asked = []

    def ask_three_then_interrupt(question, choices, number, total):
        if len(asked) == 3:
            raise KeyboardInterrupt
        asked.append((question.id, number, total))
        return choices[-1]

    with pytest.raises(AssessError, match=r"interrupted at question 4 of (\d+); the 3 answers"):
        assess_repo(tmp_path, "builtin", ask_three_then_interrupt)
    saved = load_answers(tmp_path)
    assert list(saved) == sorted(a[0] for a in asked)
    total = asked[0][2]

    resumed = []

    def ask(question, choices, number, total):
        resumed.append((question.id, number, total))
        return choices[0]

    assess_repo(tmp_path, "builtin", ask)
    assert resumed[0][1:] == (4, total) and resumed[-1][1:] == (total, total)
    assert not {a[0] for a in asked} & {r[0] for r in resumed}

"""`assess --questionnaire` at a real (pseudo-)terminal: y/n, empty for the default, `?` for
help, Ctrl-C after three answers keeps them, and the next run resumes at the fourth."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pty_terminal import CTRL_C, ENTER, Terminal  # noqa: E402

from scaffolder.assess.questionnaire import load_answers  # noqa: E402


def test_questionnaire_at_a_terminal_answers_helps_and_resumes(tmp_path):
    term = Terminal(["assess", str(tmp_path), "--questionnaire"], cwd=tmp_path)
    try:
        first = term.expect(r"\[no\]: ")
        total = int(first.split("1/", 1)[1].split()[0])
        term.send("?" + ENTER)
        term.expect(r"no: not done \(no credit\)")
        term.expect(r"\[no\]: ")
        term.send("y" + ENTER)  # question 1
        term.expect(r"2/\d+")
        term.expect(r"\[no\]: ")
        term.send("maybe" + ENTER)
        term.expect(r"or \? for help")
        term.send("NO" + ENTER)  # question 2
        term.expect(r"3/\d+")
        term.expect(r"\[no\]: ")
        term.send(ENTER)  # question 3: the default
        term.expect(r"4/\d+")
        term.expect(r"\[no\]: ")
        term.send(CTRL_C)
        assert term.wait() == 1
    finally:
        term.close()
    assert f"interrupted at question 4 of {total}; the 3 answers" in " ".join(term.text.split())
    assert list(load_answers(tmp_path).values()).count("no") == 2
    assert len(load_answers(tmp_path)) == 3

    again = Terminal(["assess", str(tmp_path), "--questionnaire"], cwd=tmp_path)
    try:
        assert f"4/{total}" in again.expect(r"\[no\]: ")
        again.send(CTRL_C)
        assert again.wait() == 1
    finally:
        again.close()
    assert len(load_answers(tmp_path)) == 3

"""Interactive `new` under a pseudo-terminal: one prompt style, progress, the closing message."""

from __future__ import annotations

from pty_terminal import CLEAR_LINE, CTRL_C, DOWN, ENTER, UP, Terminal

from scaffolder.catalog import builtin_catalog
from scaffolder.choices import CI_PROVIDERS, DEFAULTS, ORCHESTRATORS, PYTHON_VERSIONS
from scaffolder.prompts import default_of, is_asked, load_questions
from scaffolder.state import load_state


def test_questions_agree_with_the_cli_choices_and_defaults():
    questions = {q.name: q for q in load_questions(builtin_catalog().questions_file)}
    assert [v for _, v in questions["orchestrator"].choices] == list(ORCHESTRATORS)
    assert [v for _, v in questions["ci"].choices] == list(CI_PROVIDERS)
    assert [v for _, v in questions["python_version"].choices] == list(PYTHON_VERSIONS)
    for name, value in DEFAULTS.items():
        assert questions[name].default == value, name
    assert "k8s_name" not in questions  # computed, never asked


def test_level_decides_what_is_asked():
    questions = {q.name: q for q in load_questions(builtin_catalog().questions_file)}
    assert not is_asked(questions["ci"], {"level": 0})
    assert not is_asked(questions["orchestrator"], {"level": 0})
    assert is_asked(questions["ci"], {"level": 1})
    assert default_of(questions["package_name"], {"project_name": "Churn-Model.v2"}) == (
        "churn_model_v2"
    )


def _answer_level1(term: Terminal) -> None:
    term.expect(r"MLOps maturity level")
    term.send(DOWN + ENTER)  # 1 - ML pipeline automation
    term.expect(r"Python package name")
    term.send(ENTER)  # the default, derived from NAME
    term.expect(r"One-line description")
    term.send(CLEAR_LINE + "Churn model" + ENTER)  # the default is pre-filled, editable
    term.expect(r"Author or owning team")
    term.send(ENTER)
    term.expect(r"Pipeline orchestrator")
    term.send(UP + ENTER)  # kubeflow, above the default `both`
    term.expect(r"CI provider")
    term.send(DOWN + ENTER)  # gitlab
    term.expect(r"Data versioning")
    term.send(ENTER)  # dvc
    term.expect(r"Python version")
    term.send(ENTER)


def test_interactive_new_asks_in_one_style_and_explains_what_to_keep(tmp_path):
    term = Terminal(["new", "churn"], cwd=tmp_path)
    try:
        _answer_level1(term)
        assert term.wait() == 0, term.text
    finally:
        term.close()
    screen = term.text
    # copier's own prompt style never shows: every question is ours (questionary's `?`).
    assert "🎤" not in screen
    assert screen.count("? ") >= 7
    assert "Rendering level 1" in screen and "Committing the render on branch" in screen
    assert "Created churn: level 1 (ML pipeline automation), orchestrator kubeflow, CI gitlab" in (
        " ".join(screen.split())
    )
    flat = " ".join(screen.split())
    assert "make setup # .venv with the project, pandas, scikit-learn, MLflow, kfp" in flat
    assert "(about a minute the first time)" in flat  # uv, the default
    assert "Keep the branch mlops-scaffold/base and the file .mlops-scaffold.yml" in flat
    answers = load_state(tmp_path / "churn").answers
    assert (answers.level, answers.orchestrator, answers.ci) == (1, "kubeflow", "gitlab")
    assert answers.description == "Churn model"
    assert answers.data_versioning == "dvc"


def test_level0_asks_no_ci_and_announces_none(tmp_path):
    term = Terminal(["new", "churn", "--level", "0"], cwd=tmp_path)
    try:
        term.expect(r"Python package name")
        term.send(ENTER)
        term.expect(r"One-line description")
        term.send(ENTER)
        term.expect(r"Author or owning team")
        term.send(ENTER)
        term.expect(r"Python version")
        term.send(ENTER)
        assert term.wait() == 0, term.text
    finally:
        term.close()
    assert "CI provider" not in term.text and "CI github" not in term.text
    assert "Pipeline orchestrator" not in term.text
    assert "Created churn: level 0 (manual process)." in " ".join(term.text.split())
    assert load_state(tmp_path / "churn").answers.ci is None


def test_ctrl_c_at_a_prompt_leaves_nothing(tmp_path):
    term = Terminal(["new", "churn"], cwd=tmp_path)
    try:
        term.expect(r"MLOps maturity level")
        term.send(CTRL_C)
        assert term.wait() == 1
    finally:
        term.close()
    assert "interrupted; nothing was changed" in term.text
    assert list(tmp_path.iterdir()) == []


def test_an_invalid_package_name_is_refused_at_the_prompt(tmp_path):
    term = Terminal(["new", "churn", "--level", "0"], cwd=tmp_path)
    try:
        term.expect(r"Python package name")
        term.send(CLEAR_LINE + "import")  # erase the default, type a keyword
        term.expect(r"is a Python keyword")
        term.send(CLEAR_LINE + "churn_ok" + ENTER)
        for question in ("One-line description", "Author or owning team", "Python version"):
            term.expect(question)
            term.send(ENTER)
        assert term.wait() == 0, term.text
    finally:
        term.close()
    assert load_state(tmp_path / "churn").answers.package_name == "churn_ok"


def test_interactive_new_asks_an_overlays_own_questions_with_its_defaults(tmp_path):
    from pathlib import Path

    acme = Path(__file__).resolve().parents[1] / "examples" / "overlays" / "acme"
    term = Terminal(["new", "churn", "--level", "0", "--overlay", str(acme)], cwd=tmp_path)
    try:
        for question in ("Python package name", "One-line description"):
            term.expect(question)
            term.send(ENTER)
        term.expect(r"Author or owning team.*Acme ML")  # the overlay's default, offered
        term.send(ENTER)
        term.expect(r"Python version")
        term.send(ENTER)
        term.expect(r"Acme team that owns the project")  # the overlay's own question
        term.send(CLEAR_LINE + "churn-squad" + ENTER)
        assert term.wait() == 0, term.text
    finally:
        term.close()
    answers = load_state(tmp_path / "churn").answers
    assert answers.author == "Acme ML"
    assert "@acme/churn-squad" in (tmp_path / "churn" / "CODEOWNERS").read_text()

"""Hostile free-text answers, rendered into every template of every level, land as data.

Every generated file is read back with its own parser (tests/file_parsers.py); importing the
package must run nothing an answer holds; answers that are not one line are refused.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from file_parsers import python_code_tokens, read_strings

from scaffolder.catalog import builtin_catalog
from scaffolder.errors import InvalidAnswerError
from scaffolder.escaping import FILTERS
from scaffolder.render import render

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

MARK = "Q1Z"
HOSTILE = [
    f'{MARK}"""; import os; os.system("touch PWNED"); """y',
    f"{MARK}'''; import os; os.system('touch PWNED'); '''y",
    f"{MARK} trailing backslash \\",
    f'{MARK} $(touch PWNED) `touch PWNED` ${{HOME}} $$ %s {{0}} \\" \\n',
    MARK + " {{ 7 * 7 }} {% if true %}jinja{% endif %} {# c #} {{ cookiecutter }}",
    f"# {MARK} - [link](javascript:alert(1)) *em* _u_ <script>alert(1)</script> &amp; | a | b |",
    f"- {MARK}: value, [a, b] {{c: d}} !tag &anchor *alias @at %p ---",
    f"1. {MARK} Zoë — 日本語 🚀 e\u0301 \u200b \u00a0",
    "null",
    "true",
    "0x1F",
    "~",
    '"',
    "",
]
NOT_ONE_LINE = ["a\nb", "a\rb", "a\tb", "a\x00b", "a\x1b[31mb", "a\u2028b", "a\u202eb", "\udcff"]
# Validated to [A-Za-z0-9._-] by answers.answer_problem: these may stand bare in templates;
# so may the org choices, held to fixed forms (branch, labels, registry, image reference).
NAME_QUESTIONS = {"project_name", "package_name", "k8s_name", "default_branch", "ci_runner",
                  "container_registry", "base_image", "data_remote"}  # fmt: skip


def _questions() -> dict:
    return yaml.safe_load(builtin_catalog().questions_file.read_text(encoding="utf-8"))


def free_text_questions() -> list[str]:
    """Questions with a typed-in string answer: no choices, asked (not computed), not a name."""
    return [
        name
        for name, spec in _questions().items()
        if not name.startswith("_")
        and isinstance(spec, dict)
        and spec.get("type", "str") in ("str", "yaml")
        and "choices" not in spec
        and spec.get("when") is not False
        and name not in NAME_QUESTIONS
    ]


def combinations() -> list[tuple[int, str | None, str]]:
    questions = _questions()
    orchestrators = questions["orchestrator"]["choices"]
    ci = questions["ci"]["choices"]
    combos = []
    for level in builtin_catalog().levels():
        for orch in [None] if level == 0 else orchestrators:
            combos += [(level, orch, provider) for provider in ci]
    return combos


def _given(level, orchestrator, ci, values: dict[str, str]) -> dict[str, object]:
    given = {"project_name": "hostile", "level": level, "ci": ci, "python_version": "3.11"}
    if orchestrator:
        given["orchestrator"] = orchestrator
    return {**given, **values}


def _check_tree(tree: Path, values: dict[str, str]) -> None:
    """Every file parses; every answer is there whole, as data; importing runs nothing."""
    values = {k: v.strip() for k, v in values.items()}  # free text is stripped (answers.py)
    marked = [v for v in values.values() if MARK in v]
    strings: list[str] = []
    for path in sorted(p for p in tree.rglob("*") if p.is_file()):
        where = path.relative_to(tree)
        try:
            found = read_strings(path, tree)
        except Exception as exc:  # noqa: BLE001 - any parser error is the finding
            pytest.fail(f"{where} does not parse with {values}: {exc}")
        strings += found
        if path.suffix == ".py":
            code = python_code_tokens(path.read_text(encoding="utf-8"))
            assert not [t for t in code if MARK in t], f"{where}: an answer became code"
    for s in strings:
        if MARK in s:
            assert any(v in s for v in marked), f"answer mangled: {s!r}"

    pyproject = tomllib.loads((tree / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert pyproject["description"] == values["description"]
    assert pyproject["authors"][0]["name"] == values["author"]
    init = (tree / "src/hostile/__init__.py").read_text(encoding="utf-8")
    assert ast.get_docstring(ast.parse(init), clean=False) == f"hostile: {values['description']}"
    for dockerfile in tree.glob("Dockerfile*"):
        labels = read_strings(dockerfile, tree)
        assert values["description"] in labels and values["author"] in labels, dockerfile.name
    readme = read_strings(tree / "README.md", tree)
    if values["description"]:
        assert values["description"] in readme
    assert any(t.startswith(f"Owner: {values['author']}.") for t in readme)

    result = subprocess.run(
        [sys.executable, "-c", "import hostile; print(hostile.__doc__)"],
        cwd=tree, env={"PYTHONPATH": str(tree / "src"), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert not list(tree.rglob("PWNED")), "importing the package ran an answer"


@pytest.mark.parametrize(("level", "orchestrator", "ci"), combinations())
def test_every_template_with_hostile_answers(tmp_path, level, orchestrator, ci):
    """Every level x orchestrator x CI, each with a different pair of hostile values."""
    index = combinations().index((level, orchestrator, ci))
    values = {
        name: HOSTILE[(index + offset) % len(HOSTILE)]
        for offset, name in enumerate(free_text_questions())
    }
    tree = tmp_path / "out"
    render(builtin_catalog(), _given(level, orchestrator, ci, values), tree)
    _check_tree(tree, values)


@pytest.mark.parametrize("first", range(0, len(HOSTILE), 2))
def test_every_hostile_value_in_every_file_type(tmp_path, first):
    """Each value as a free-text answer at the highest level (every file type is there)."""
    level = max(builtin_catalog().levels())
    names = free_text_questions()
    values = {name: HOSTILE[(first + i) % len(HOSTILE)] for i, name in enumerate(names)}
    ci = _questions()["ci"]["choices"][first // 2 % 2]
    tree = tmp_path / "out"
    render(builtin_catalog(), _given(level, "both" if level else None, ci, values), tree)
    _check_tree(tree, values)


@pytest.mark.parametrize("value", NOT_ONE_LINE)
@pytest.mark.parametrize("question", free_text_questions())
def test_answers_that_are_not_one_line_are_refused(tmp_path, question, value):
    with pytest.raises(InvalidAnswerError, match=rf"^{question} (contains|is not valid)") as info:
        render(builtin_catalog(), _given(0, None, "github", {question: value}), tmp_path / "o")
    assert "\n" not in str(info.value)
    assert not (tmp_path / "o").exists()


def test_every_free_text_answer_goes_through_a_filter():
    """Templates write free-text answers only through an escaping filter (docs/templates.md)."""
    names = free_text_questions()
    assert {"description", "author"} <= set(names)
    used = re.compile(r"\b(" + "|".join(names) + r")\b")
    ends_with_filter = re.compile(r"\|\s*(" + "|".join(FILTERS) + r")\s*-?$")
    root = builtin_catalog().root
    bare = []
    for path in root.rglob("*"):
        if not path.is_file() or path.name == "copier.yml":
            continue
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"\{\{-?(.*?)-?\}\}|\{%-?(.*?)-?%\}", text, re.S):
            expr, statement = match.group(1), match.group(2)
            if expr is not None and used.search(expr) and not ends_with_filter.search(expr.strip()):
                bare.append(f"{path.relative_to(root)}: {{{{{expr}}}}}")
            if statement is not None and used.search(statement) and "set" in statement.split()[:1]:
                bare.append(f"{path.relative_to(root)}: {{%{statement}%}}")
        if used.search(path.name):
            bare.append(f"{path.relative_to(root)}: a free-text answer in a file name")
    assert not bare, "free-text answers written without an escaping filter:\n" + "\n".join(bare)

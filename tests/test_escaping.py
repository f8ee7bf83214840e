"""Each filter's output, read back by that language's own parser, is the text that went in."""

import ast
import json
import shlex
import subprocess
import sys

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from scaffolder import escaping

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

# Any text without surrogates (which no UTF-8 file can hold; answers refuse them).
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
# What a one-line answer may hold after answers.check_one_line.
ONE_LINE = st.text(st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp")), max_size=60)

HOSTILE = [
    'x"""; import os; os.system("touch PWNED"); """y',
    "trailing backslash \\",
    "$(touch PWNED) `id` ${HOME} '\"",
    "{{ 7 * 7 }} {% raw %} # not a comment",
    "null",
    "- 1. *em* <b>&amp;</b> [a](b) | c |",
    "Zoë — 日本語 🚀",
]


@given(TEXT)
def test_py_str_round_trips(text):
    assert ast.literal_eval(escaping.py_str(text)) == text


@given(TEXT)
def test_py_doc_round_trips_inside_a_docstring(text):
    module = ast.parse('"""' + escaping.py_doc(text) + '"""')
    assert ast.get_docstring(module, clean=False) == text


@given(TEXT)
def test_toml_str_round_trips(text):
    assert tomllib.loads("v = " + escaping.toml_str(text))["v"] == text


@given(TEXT)
def test_yaml_str_round_trips_in_both_yaml_libraries(text):
    from ruamel.yaml import YAML

    document = "v: " + escaping.yaml_str(text) + "\n"
    assert yaml.safe_load(document)["v"] == text
    assert YAML(typ="safe", pure=True).load(document)["v"] == text


@given(TEXT)
def test_json_str_round_trips(text):
    assert json.loads(escaping.json_str(text)) == text


@given(TEXT)
def test_sh_word_is_one_word(text):
    assert shlex.split("cmd " + escaping.sh_word(text)) == ["cmd", text]


@pytest.mark.parametrize("text", HOSTILE)
def test_sh_and_make_words_reach_the_program_unchanged(tmp_path, text):
    script = f"printf '%s' {escaping.sh_word(text)}"
    out = subprocess.run(["sh", "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout == text
    (tmp_path / "Makefile").write_text(f"all:\n\t@printf '%s' {escaping.make_word(text)}\n")
    out = subprocess.run(["make", "-s", "-C", str(tmp_path)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout == text


# docker_str refuses what YAML's printable set excludes (the BOM and the two noncharacters
# U+FFFE, U+FFFF; the answer checks refuse them first): the round trip is over the rest.
NOT_PRINTABLE = "\ufeff\ufffe\uffff"


@given(ONE_LINE.filter(lambda text: not set(text) & set(NOT_PRINTABLE)))
def test_docker_str_reads_back_as_one_word(text):
    from file_parsers import docker_words as words

    assert words(escaping.docker_str(text)) == [text]


@pytest.mark.parametrize("char", list(NOT_PRINTABLE))
def test_docker_str_refuses_what_is_not_printable(char):
    with pytest.raises(ValueError, match="control characters"):
        escaping.docker_str(f"a{char}b")


@given(ONE_LINE.map(str.strip))  # answers are stripped (answers.check_given)
def test_md_text_is_plain_text(text):
    from file_parsers import markdown_plain_text as plain_text

    assert plain_text(escaping.md_text(text)) == text


def test_every_filter_is_registered_for_templates():
    from jinja2 import Environment

    env = Environment(extensions=["scaffolder.jinja_filters.AnswerFilters"])
    for name in escaping.FILTERS:
        assert env.from_string("{{ v | " + name + " }}").render(v="a b")
    assert env.from_string("{{ v | answer_problem('description') }}").render(v="a\nb")

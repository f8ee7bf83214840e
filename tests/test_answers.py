import re

import pytest

from scaffolder.answers import (
    Answers,
    check_given,
    check_package_name,
    check_project_name,
    derive_package_name,
    parse_data,
)
from scaffolder.catalog import builtin_catalog
from scaffolder.errors import InvalidAnswerError


@pytest.mark.parametrize("name", ["churn", "Churn-Model", "fraud.v2", "a", "x_1"])
def test_valid_project_names(name):
    check_project_name(name)


@pytest.mark.parametrize("name", ["../x", "a b", "", "-x", "1abc", "x/y", "é", "a" * 101])
def test_invalid_project_names(name):
    with pytest.raises(InvalidAnswerError, match="not valid"):
        check_project_name(name)


@pytest.mark.parametrize(
    ("name", "message"),
    [("import", "keyword"), ("match", "keyword"), ("json", "shadow"), ("mlflow", "shadow"),
     ("1x", "identifier"), ("Churn", "identifier"), ("a-b", "identifier"),
     ("a" * 33, "longer than 32")],
)  # fmt: skip
def test_invalid_package_names(name, message):
    with pytest.raises(InvalidAnswerError, match=message):
        check_package_name(name)


def test_package_name_is_derived_from_project_name():
    assert derive_package_name("Churn-Model.v2") == "churn_model_v2"


def test_check_given_refuses_project_names_that_give_no_package():
    with pytest.raises(InvalidAnswerError, match="keyword"):
        check_given({"project_name": "import"})


def test_check_given_converts_level_and_checks_choices():
    assert check_given({"level": "1"})["level"] == 1
    with pytest.raises(InvalidAnswerError, match="not a number"):
        check_given({"level": "one"})
    with pytest.raises(InvalidAnswerError, match="orchestrator 'argo' is not one of"):
        check_given({"orchestrator": "argo"})
    with pytest.raises(InvalidAnswerError, match="ci 'jenkins'"):
        check_given({"ci": "jenkins"})
    with pytest.raises(InvalidAnswerError, match="python_version '2.7'"):
        check_given({"python_version": "2.7"})


def test_parse_data():
    assert parse_data(["author=Data Team", "description=a=b"]) == {
        "author": "Data Team",
        "description": "a=b",
    }
    for bad in ("author", "=x", " =x"):
        with pytest.raises(InvalidAnswerError, match="not KEY=VALUE"):
            parse_data([bad])
    with pytest.raises(InvalidAnswerError, match="'colour' is not a question"):
        builtin_catalog().check_known(parse_data(["colour=red"]))
    with pytest.raises(InvalidAnswerError, match="'Colour!' is not a question"):
        parse_data(["Colour!=red"])


_BASE = {"project_name": "x", "package_name": "x", "description": "", "author": "",
         "level": 0, "ci": "github", "python_version": "3.11"}  # fmt: skip


def test_answers_keep_an_overlays_plain_answers():
    answers = Answers.model_validate({**_BASE, "cost_center": "ML-1", "replicas": 2})
    assert answers.model_dump()["cost_center"] == "ML-1"


@pytest.mark.parametrize("extra", [{"cost": [1, 2]}, {"Cost-Center": "x"}, {"c": {"a": 1}}])
def test_answers_refuse_structured_or_odd_extras(extra):
    with pytest.raises(ValueError):
        Answers.model_validate({**_BASE, **extra})


@pytest.mark.parametrize(
    ("value", "what"),
    [("a\nb", "a line break"), ("a\r", "a line break"), ("a\u2028b", "a line break"),
     ("a\tb", "U+0009"), ("\x00", "U+0000"), ("\x1b[31m", "U+001B"), ("a\u202eb", "U+202E")],
)  # fmt: skip
def test_free_text_answers_are_one_line(value, what):
    pattern = f"^description contains .*{re.escape(what)}.*one line"
    with pytest.raises(InvalidAnswerError, match=pattern):
        check_given({"description": value})


def test_text_that_was_not_utf8_is_refused():
    # How Python hands over argv bytes that are not UTF-8 (surrogateescape).
    with pytest.raises(InvalidAnswerError, match="author is not valid UTF-8"):
        check_given({"author": "caf\udce9"})


def test_free_text_is_stripped_and_names_are_not():
    checked = check_given({"description": "  spaced  ", "author": " Zoë — 日本 "})
    assert checked["description"] == "spaced"
    assert checked["author"] == "Zoë — 日本"
    with pytest.raises(InvalidAnswerError, match="not valid"):
        check_given({"project_name": " x"})


def test_the_answers_model_runs_the_same_checks():
    good = {"project_name": "x", "package_name": "x", "description": "d", "author": "a",
            "level": 0, "ci": "github", "python_version": "3.11"}  # fmt: skip
    Answers.model_validate(good)
    for key, bad in (("package_name", "json"), ("description", "a\nb"), ("project_name", "../x")):
        with pytest.raises(ValueError, match=key.split("_")[0]):
            Answers.model_validate({**good, key: bad})

import pytest

from scaffolder.answers import Answers
from scaffolder.errors import StateFileError
from scaffolder.state import STATE_FILE, ProjectState, dump_state, load_state, write_state


def _state(**overrides) -> ProjectState:
    answers = Answers(
        project_name="churn", package_name="churn", description="d", author="a",
        level=1, orchestrator="both", ci="github", python_version="3.11",
    )  # fmt: skip
    return ProjectState(
        tool_version="0.1.0", template_version="0.1.0", answers=answers, **overrides
    )


def test_round_trip(tmp_path):
    state = _state(migrations=["m1"])
    write_state(tmp_path, state)
    assert load_state(tmp_path) == state
    assert load_state(tmp_path).level == 1


def test_file_starts_with_a_warning_header():
    assert dump_state(_state()).startswith("# Written by mlops-scaffold")


def test_missing_file_points_to_adopt(tmp_path):
    with pytest.raises(StateFileError, match="adopt"):
        load_state(tmp_path)


def test_invalid_yaml_names_the_line(tmp_path):
    (tmp_path / STATE_FILE).write_text("schema_version: 1\nanswers: [unclosed\n")
    with pytest.raises(StateFileError, match="not valid YAML at line"):
        load_state(tmp_path)


def test_not_a_mapping(tmp_path):
    (tmp_path / STATE_FILE).write_text("- a\n- b\n")
    with pytest.raises(StateFileError, match="mapping"):
        load_state(tmp_path)


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda t: t.replace("level: 1", "level: high"), "answers.level"),
        (lambda t: t.replace("schema_version: 1", "schema_version: 9"), "schema_version"),
        (lambda t: t.replace("ci: github", "ci: jenkins"), "answers.ci"),
        (lambda t: t.replace("tool_version: 0.1.0\n", ""), "tool_version"),
        (lambda t: t + "surprise: true\n", "surprise"),
    ],
)
def test_damaged_file_names_the_field(tmp_path, edit, field):
    path = write_state(tmp_path, _state())
    path.write_text(edit(path.read_text()))
    with pytest.raises(StateFileError, match=f"field '{field}'"):
        load_state(tmp_path)


def test_binary_garbage(tmp_path):
    (tmp_path / STATE_FILE).write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(StateFileError):
        load_state(tmp_path)

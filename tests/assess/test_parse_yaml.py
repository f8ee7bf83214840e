import pytest

from scaffolder.assess.parse_yaml import YamlSyntaxError, load_yaml_documents


def test_on_key_stays_a_string_where_yaml_1_1_reads_true():
    import yaml

    text = "on:\n  push:\n  pull_request:\n"
    assert True in yaml.safe_load(text)  # the trap: PyYAML's own loader turns `on` into True
    doc = load_yaml_documents(text)[0]
    assert list(doc) == ["on"]
    assert doc.line_of("on") == 1


def test_lines_of_keys_and_items_and_merge_keys():
    doc = load_yaml_documents("a: &x {k: 1}\nb:\n  <<: *x\n  z: 2\nc:\n  - 1\n  - 2\n")[0]
    assert doc["b"] == {"k": 1, "z": 2}
    assert doc.line_of("c") == 5
    assert doc["c"].item_lines == [6, 7]


def test_multiple_documents():
    assert len(load_yaml_documents("a: 1\n---\nb: 2\n")) == 2


def test_syntax_error_carries_the_line():
    with pytest.raises(YamlSyntaxError) as info:
        load_yaml_documents("a: [1,\nb: 2\n")
    assert info.value.line >= 2

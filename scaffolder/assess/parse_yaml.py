"""YAML by a parser, keeping line numbers, and keys as written.

Mapping keys keep their source text, so GitHub's `on:` stays "on" (a YAML 1.1 loader such as
PyYAML's would read it as the boolean True). Values are resolved as usual.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


class YMap(dict):
    """A mapping that remembers the line of each key (1-based) and its own."""

    line: int = 1
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class YList(list):
    line: int = 1
    item_lines: list[int]


def _loader():
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


MAX_NODES = 100_000  # nodes after aliases are expanded: a 1 kB alias bomb expands to billions
MAX_DEPTH = 100


class _Budget:
    def __init__(self) -> None:
        self.nodes = 0


def _convert(node, constructor, budget: _Budget | None = None, depth: int = 0) -> Any:
    import yaml

    budget = budget or _Budget()
    budget.nodes += 1
    if budget.nodes > MAX_NODES:
        raise YamlSyntaxError(
            node.start_mark.line + 1,
            f"more than {MAX_NODES} nodes once aliases are expanded (an alias bomb?); not read",
        )
    if depth > MAX_DEPTH:
        raise YamlSyntaxError(
            node.start_mark.line + 1, f"nested deeper than {MAX_DEPTH} levels; not read"
        )
    if isinstance(node, yaml.MappingNode):
        result = YMap()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        constructor.flatten_mapping(node)
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key = key_node.value
            else:
                key = str(_convert(key_node, constructor, budget, depth + 1))
            result[key] = _convert(value_node, constructor, budget, depth + 1)
            result.key_lines[key] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        items = YList(_convert(item, constructor, budget, depth + 1) for item in node.value)
        items.line = node.start_mark.line + 1
        items.item_lines = [item.start_mark.line + 1 for item in node.value]
        return items
    try:
        return constructor.construct_object(node, deep=True)
    except yaml.YAMLError:
        return node.value


def load_yaml_documents(text: str) -> list[Any]:
    """All documents of a YAML stream; raises ValueError with the line on a syntax error."""
    import yaml

    loader_cls = _loader()
    loader = loader_cls(text)
    docs = []
    budget = _Budget()  # for the whole stream
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                docs.append(_convert(node, loader, budget))
    except RecursionError:
        raise YamlSyntaxError(1, "nested too deeply to read") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise YamlSyntaxError(line, problem) from None
    finally:
        loader.dispose()
    return docs


class YamlSyntaxError(ValueError):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def line_of(value: Any, default: int = 1) -> int:
    return getattr(value, "line", default)


def load_repo_file_key(path: Path, key: str, fix: str) -> Any:
    """The value under `key` in a repo's own YAML file (None when the file or key is absent);
    a file that does not parse is an error naming its line, not a silent skip."""
    from scaffolder.assess.models import AssessError
    from scaffolder.safe_read import read_text

    try:
        # A regular file inside the repository only, size-capped (not a FIFO, not /dev/zero).
        text = read_text(path, root=path.parent, what=path.name)
    except FileNotFoundError:
        return None
    try:
        docs = load_yaml_documents(text)
    except YamlSyntaxError as exc:
        raise AssessError(
            f"{path.name}:{exc.line} is not valid YAML ({exc.message}); {fix}"
        ) from None
    doc = docs[0] if docs else {}
    return doc.get(key) if isinstance(doc, dict) else None

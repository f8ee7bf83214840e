"""Read generated files with their own language's parser (tests only).

Each reader raises when the file is not valid in its language and returns the string values
it holds, so a test can check an answer landed as data, whole, and nowhere as code.
"""

from __future__ import annotations

import ast
import io
import json
import subprocess
import sys
import tokenize
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DOCKER_INSTRUCTIONS = {
    "FROM", "RUN", "CMD", "LABEL", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT", "VOLUME",
    "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL",
}  # fmt: skip


def docker_words(text: str) -> list[str]:
    """Split a Dockerfile LABEL/ENV argument into words as Docker does; an unescaped `$`
    (variable expansion) is an error here, since answers must never expand."""
    words, word, quote, i, started = [], [], None, 0, False
    while i < len(text):
        ch = text[i]
        if ch == "\\" and quote != "'" and i + 1 < len(text):
            word.append(text[i + 1])
            i += 2
            started = True
            continue
        if ch == "$" and quote != "'":
            raise ValueError(f"unescaped $ would expand: {text!r}")
        if quote:
            if ch == quote:
                quote = None
            else:
                word.append(ch)
        elif ch in "\"'":
            quote, started = ch, True
        elif ch.isspace():
            if started:
                words.append("".join(word))
            word, started = [], False
        else:
            word.append(ch)
            started = True
        i += 1
    if quote:
        raise ValueError(f"unterminated quote: {text!r}")
    if started:
        words.append("".join(word))
    return words


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    instructions, pending = [], ""
    for line in text.splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if pending and line.lstrip().startswith("#"):
            continue  # Docker drops comment lines inside a continuation
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = (pending + line).strip()
        pending = ""
        keyword, _, args = full.partition(" ")
        if keyword.upper() not in DOCKER_INSTRUCTIONS:
            raise ValueError(f"unknown Dockerfile instruction {keyword!r}")
        instructions.append((keyword.upper(), args))
    if pending:
        raise ValueError("Dockerfile ends inside a continuation line")
    return instructions


def dockerfile_strings(text: str) -> list[str]:
    """Every LABEL/ENV value (key=value words), read as Docker reads them."""
    values = []
    for keyword, args in dockerfile_instructions(text):
        if keyword in ("LABEL", "ENV"):
            for word in docker_words(args):
                key, sep, value = word.partition("=")
                if not sep:
                    raise ValueError(f"{keyword} word without '=': {word!r}")
                values.append(value)
    return values


def markdown_plain_text(text: str) -> str:
    """The text of one paragraph of inline Markdown (GitHub's table and strikethrough
    included); raises when it turned into anything but plain text."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    tokens = md.parse(text)
    kinds = [t.type for t in tokens]
    if not text.strip():
        return ""
    if kinds != ["paragraph_open", "inline", "paragraph_close"]:
        raise ValueError(f"not one paragraph: {kinds}")
    children = tokens[1].children or []
    if any(child.type != "text" for child in children):
        raise ValueError(f"markup in {text!r}: {[c.type for c in children]}")
    return "".join(child.content for child in children)


def markdown_texts(text: str) -> list[str]:
    """Plain text of every inline run of a whole document (markup removed)."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    out = []
    for token in md.parse(text):
        if token.type == "inline":
            out.append("".join(c.content for c in token.children or [] if c.type == "text"))
    return out


def python_strings(text: str, path: str) -> list[str]:
    """Parse as Python (a SyntaxError when it is not); return its string constants."""
    tree = ast.parse(text, filename=path)
    return [
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


def python_code_tokens(text: str) -> list[str]:
    """Every token that is code: not a string, comment or layout."""
    skip = {tokenize.STRING, tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
            tokenize.DEDENT, tokenize.ENCODING, tokenize.ENDMARKER}  # fmt: skip
    for name in ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END"):
        if hasattr(tokenize, name):
            skip.add(getattr(tokenize, name))
    tokens = tokenize.generate_tokens(io.StringIO(text).readline)
    return [t.string for t in tokens if t.type not in skip]


def _strings_in(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _strings_in(k) + _strings_in(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings_in(v)]
    return []


def codeowners_owners(text: str) -> list[str]:
    """The owners of a CODEOWNERS file: every rule is a path pattern and @handles."""
    owners = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        pattern, *names = line.split()
        if not names or not all(n.startswith("@") and len(n) > 1 for n in names):
            raise ValueError(f"CODEOWNERS line {number}: {pattern!r} needs @owners")
        owners += names
    return owners


def constraint_pins(text: str) -> list[str]:
    """pip constraints: every line a requirement pinned with `==` (markers allowed)."""
    from packaging.requirements import InvalidRequirement, Requirement

    pins = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        try:
            requirement = Requirement(line)
        except InvalidRequirement as error:
            raise ValueError(f"constraints line {number}: {error}") from None
        if [spec.operator for spec in requirement.specifier] != ["=="]:
            raise ValueError(f"constraints line {number}: {line!r} is not pinned with ==")
        pins.append(str(requirement))
    return pins


def read_strings(path: Path, root: Path) -> list[str]:
    """Parse `path` with the parser of its type; return the string values it holds.

    Raises ValueError for a file type no parser here knows, so new kinds of generated file
    get a parser before they get answers."""
    import yaml

    name = path.name
    text = path.read_text(encoding="utf-8")
    if name.endswith(".py"):
        return python_strings(text, str(path))
    if name.endswith(".toml"):
        return _strings_in(tomllib.loads(text))
    if name.endswith((".yml", ".yaml")):
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        return [s for doc in yaml.load_all(text, Loader=loader) for s in _strings_in(doc)]
    if name.endswith(".json"):
        return _strings_in(json.loads(text))
    if name == "Makefile":
        result = subprocess.run(
            ["make", "-n", "-f", name, "help"], cwd=path.parent, capture_output=True, text=True
        )
        if result.returncode != 0:
            raise ValueError(f"make cannot read {path}: {result.stderr.strip()}")
        return []
    if name.startswith("Dockerfile"):
        return dockerfile_strings(text)
    if name.endswith(".md"):
        return markdown_texts(text)
    if name in (".gitignore", ".dockerignore", ".dvcignore"):
        return []
    if name == "config" and path.parent.name == ".dvc":  # DVC's INI file (configobj)
        import configparser

        config = configparser.ConfigParser(interpolation=None)
        config.read_string(text)
        return [v for section in config.sections() for v in config[section].values()]
    if name == "CODEOWNERS":
        return codeowners_owners(text)
    if name == "constraints.txt":
        return constraint_pins(text)
    raise ValueError(f"no parser for {path.relative_to(root)}; add one to tests/file_parsers.py")

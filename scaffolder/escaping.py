"""Write an answer into a generated file as data of that file's language, never as code.

Templates use these through the Jinja filters of `scaffolder.jinja_filters` (see
docs/templates.md): `{{ description | py_str }}` is a Python string literal whatever the
description holds, `{{ author | toml_str }}` a TOML string, and so on. Every filter that
adds quotes returns a complete literal; put it where a value goes, not inside other quotes.
"""

from __future__ import annotations

import re
import shlex


def _escape(text: str, printable, quote: str = '"') -> str:
    r"""Backslash-escape `\`, the quote and every character `printable` rejects (as \uXXXX or
    \UXXXXXXXX, which Python, TOML, YAML and JSON all read)."""
    out = []
    for ch in text:
        if ch == "\\" or ch == quote:
            out.append("\\" + ch)
        elif printable(ch):
            out.append(ch)
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return "".join(out)


def _ascii_visible(ch: str) -> bool:
    return " " <= ch <= "~"


def _plain_unicode(ch: str) -> bool:
    """Printable in every format here: no C0/C1 controls, no DEL, no Unicode line or paragraph
    separator, no BOM, no surrogate, no noncharacter (YAML's printable set, the strictest)."""
    code = ord(ch)
    if code < 0xA0:
        return _ascii_visible(ch)
    if code in (0x2028, 0x2029, 0xFEFF) or 0xD800 <= code <= 0xDFFF:
        return False
    return code not in (0xFFFE, 0xFFFF)


def py_str(text: str) -> str:
    """A double-quoted Python string literal whose value is `text`."""
    return '"' + _escape(text, _plain_unicode) + '"'


def py_doc(text: str) -> str:
    """`text` as the inside of a triple-quoted docstring (no quotes added)."""
    return _escape(text, _plain_unicode)


def toml_str(text: str) -> str:
    """A TOML basic string (double quotes) whose value is `text`."""
    return '"' + _escape(text, _plain_unicode) + '"'


def yaml_str(text: str) -> str:
    """A YAML double-quoted scalar whose value is `text` (never a number, bool or null)."""
    return '"' + _escape(text, _plain_unicode) + '"'


def json_str(text: str) -> str:
    """A JSON string whose value is `text`."""
    # JSON has no \U escape: characters outside the BMP are printable and stay as they are.
    return '"' + _escape(text, lambda ch: _plain_unicode(ch) or ord(ch) > 0xFFFF) + '"'


def docker_str(text: str) -> str:
    """A double-quoted Dockerfile word (LABEL, ENV values): `$` does not expand."""
    if any(not _plain_unicode(ch) for ch in text):
        raise ValueError("a Dockerfile word cannot hold control characters")
    body = text.rstrip("\\")
    quoted = '"' + re.sub(r'(["\\$])', r"\\\1", body) + '"'
    if body == text:
        return quoted
    # hadolint's parser reads `\\"` as an escaped quote, so trailing backslashes go after
    # the quotes, escaped, and an empty `""` ends the word (a line ending in `\` continues).
    return quoted + "\\\\" * (len(text) - len(body)) + '""'


def sh_word(text: str) -> str:
    """One POSIX shell word whose value is `text` (single-quoted when needed)."""
    return shlex.quote(text)


def make_word(text: str) -> str:
    """One shell word in a Makefile recipe: shell-quoted, then `$` doubled for make."""
    return shlex.quote(text).replace("$", "$$")


# Backslash-escaped wherever they stand: inline markup, HTML, entities, tables.
_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~&])")
# Markup only at the start of a line: headings, quotes, lists, setext underlines, numbers.
_MD_LEADING = re.compile(r"^([#>+=-]|\d+(?=[.)]))")


def md_text(text: str) -> str:
    """Markdown inline text that reads as `text`: no markup, link, HTML or heading."""
    escaped = _MD_INLINE.sub(r"\\\1", text.lstrip(" "))  # leading spaces: a code block
    match = _MD_LEADING.match(escaped)
    if match and match.group(1).isdigit():
        end = match.end()
        return escaped[:end] + "\\" + escaped[end:]
    return _MD_LEADING.sub(r"\\\1", escaped)


FILTERS = {
    "py_str": py_str,
    "py_doc": py_doc,
    "toml_str": toml_str,
    "yaml_str": yaml_str,
    "json_str": json_str,
    "docker_str": docker_str,
    "sh_word": sh_word,
    "make_word": make_word,
    "md_text": md_text,
}

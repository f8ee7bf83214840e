"""Read Python that does not parse as it stands, line numbers kept, so one odd file keeps its facts.

Three repairs, tried in order when `ast.parse` fails:

1. IPython/Databricks notebook exports: lines that are magics (`%pip install x`, `%run ./setup`,
   `!ls`, `x = !cmd`, `%%sql` cells) become `pass` at their indentation. Such a file is Python
   with commands around it; reading it this way is not a guess, so it is no problem at all.
2. Python 2: `print x`, `except E, e:`, `exec "..."`, backticks-free statements rewritten to
   Python 3 forms. The file is read, and noted as Python 2.
3. Lines: the line a syntax error names is blanked (`pass`, or `if True:` for a block header,
   at its indentation), again until the file parses: one statement written for a newer Python
   (a 3.12 f-string reusing its quotes, `f"{os.path.join(d, "m.joblib")}"`) costs that line,
   not the block around it. At most `MAX_LINES` lines; the file is read partly, and noted.
4. Top-level blocks: the file is cut at every statement that starts in column 0; the blocks that
   parse on their own are kept, the others blanked. The file is read partly, and noted.

What cannot be read at all stays a problem, as before (`parse_python`).
"""

from __future__ import annotations

import ast
import re

MAGIC = re.compile(r"^(\s*)(?:%|!|\?)")
ASSIGNED_MAGIC = re.compile(r"^(\s*)([\w.]+\s*=\s*)(?:!|%)\S")
PRINT2 = re.compile(r"^(\s*)print(?:\s+(?![\s(=.,)\[])(.*)|\s*)$")
PRINT2_SPACED = re.compile(r"^(\s*)print\s+(\(.*\)\s*[,%].*)$")
EXCEPT2 = re.compile(r"^(\s*)except\s+(.+?)\s*,\s*(\w+)\s*:(.*)$")
EXEC2 = re.compile(r"^(\s*)exec\s+(?!\()(.+)$")
RAISE2 = re.compile(r"^(\s*)raise\s+([\w.]+)\s*,\s*(.+)$")
OCTAL2 = re.compile(r"(?<![\w.])0([0-7]+)(?![\w.])")
UNICODE2 = re.compile(r"(?<![\w\"'])[uU][rR](?=['\"])")
CONTINUATION = ("else", "elif", "except", "finally", ")", "]", "}")
MAX_LINES = 20  # lines blanked one by one before the file is cut into top-level blocks


def _parses(text: str) -> bool:
    try:
        ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def strip_magics(text: str) -> str | None:
    """The text with IPython magics turned into `pass`, or None when it has none."""
    lines = text.split("\n")
    changed = False
    in_cell_magic = False
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("# COMMAND --") or stripped.startswith("# %%"):
            in_cell_magic = False  # a Databricks/Jupytext cell ends a %%cell magic
            continue
        if in_cell_magic:
            lines[i] = ""
            changed = True
            continue
        assigned = ASSIGNED_MAGIC.match(line)
        if assigned:
            lines[i] = f"{assigned.group(1)}{assigned.group(2)}[]"
            changed = True
        elif MAGIC.match(line) and not stripped.startswith("%%"):
            lines[i] = MAGIC.match(line).group(1) + "pass"
            changed = True
        elif stripped.startswith("%%"):
            lines[i] = ""
            in_cell_magic = True
            changed = True
    return "\n".join(lines) if changed else None


def python2_to_3(text: str) -> str | None:
    """The text with the commonest Python 2 statements rewritten, or None when nothing changed."""
    lines = text.split("\n")
    changed = False
    for i, line in enumerate(lines):
        new = line
        if match := EXCEPT2.match(new):
            new = f"{match.group(1)}except {match.group(2)} as {match.group(3)}:{match.group(4)}"
        elif match := PRINT2_SPACED.match(new):
            new = f"{match.group(1)}print({match.group(2)})"
        elif (match := PRINT2.match(new)) and not new.rstrip().endswith(("(", ",", "\\")):
            new = f"{match.group(1)}print({(match.group(2) or '').rstrip().rstrip(',')})"
        elif (match := EXEC2.match(new)) and not new.rstrip().endswith("\\"):
            new = f"{match.group(1)}exec({match.group(2)})"
        elif match := RAISE2.match(new):
            new = f"{match.group(1)}raise {match.group(2)}({match.group(3)})"
        new = UNICODE2.sub("r", new)
        if "0" in new and not new.lstrip().startswith("#"):
            new = OCTAL2.sub(r"0o\1", new)
        if new != line:
            lines[i] = new
            changed = True
    return "\n".join(lines) if changed else None


def _error_line(text: str) -> int | None:
    try:
        ast.parse(text)
    except SyntaxError as error:
        return error.lineno
    except (ValueError, RecursionError, MemoryError):
        return None
    return 0


def blank_failing_lines(text: str) -> tuple[str, int] | None:
    """Blank the lines syntax errors name, one at a time, until the text parses. Returns (text,
    lines blanked), or None when that does not make it parse within `MAX_LINES` lines."""
    lines = text.split("\n")
    blanked: set[int] = set()
    while len(blanked) < MAX_LINES:
        line = _error_line("\n".join(lines))
        if line == 0:
            kept = [
                i
                for i, text_line in enumerate(lines)
                if i not in blanked and text_line.strip() and not text_line.lstrip().startswith("#")
            ]
            return ("\n".join(lines), len(blanked)) if kept else None
        if line is None or not 1 <= line <= len(lines) or line - 1 in blanked:
            return None
        original = lines[line - 1]
        indent = original[: len(original) - len(original.lstrip())]
        header = original.split("#", 1)[0].rstrip().endswith(":")
        lines[line - 1] = indent + ("if True:" if header else "pass")
        blanked.add(line - 1)
    return None


def top_level_blocks(text: str) -> tuple[str, int, int] | None:
    """Keep the top-level blocks that parse on their own, blank the others (lines kept).
    Returns (text, blocks kept, blocks in all), or None when no block parses."""
    lines = text.split("\n")
    starts: list[int] = []
    previous = ""
    for i, line in enumerate(lines):
        if line and not line[0].isspace() and not line.startswith("#"):
            if not line.startswith(CONTINUATION) and not previous.startswith("@"):
                starts.append(i)
            previous = line
    if not starts:
        return None
    starts.append(len(lines))
    kept, total = 0, len(starts) - 1
    out = lines[: starts[0]]
    out = ["" for _ in out]
    for start, end in zip(starts, starts[1:], strict=False):
        block = lines[start:end]
        if _parses("\n".join(block)):
            out.extend(block)
            kept += 1
        else:
            out.extend("" for _ in block)
    if not kept:
        return None
    result = "\n".join(out)
    return (result, kept, total) if _parses(result) else None


def recover(text: str) -> tuple[ast.Module, str | None] | None:
    """A tree of what can be read of `text`, and a note when the reading is partial or converted
    (None: read in full). None when nothing can be read."""
    magics = strip_magics(text)
    if magics is not None:
        if _parses(magics):
            return ast.parse(magics), None
        text = magics
    converted = python2_to_3(text)
    if converted is not None and _parses(converted):
        return ast.parse(converted), "Python 2 syntax; read after rewriting print/except/exec"
    lines = blank_failing_lines(converted or text)
    if lines is not None:
        result, count = lines
        return ast.parse(result), f"read partly: {count} line(s) that do not parse left out"
    blocks = top_level_blocks(converted or text)
    if blocks is None:
        return None
    result, kept, total = blocks
    return ast.parse(result), f"read partly: {kept} of {total} top-level blocks parse"

"""YAML config files by key: a block mapping is cut into one entry per key (with the comments
above it), nested mappings recursively, so a value one side changed and keys either side
added merge cleanly; only the same key changed both ways conflicts, inside that key. Text
outside the keys is kept as written; a clean result PyYAML cannot read falls back to git's
line merge."""

from __future__ import annotations

import re

from scaffolder.merge.entries import (
    Entry,
    Labels,
    MergeResult,
    line_clash,
    merge_entries,
    split_lines,
    unique_keys,
)

_KEY = re.compile(r"""^( *)((?:"[^"]*"|'[^']*'|[^\s#'"\-?:][^:#]*?)):(?:\s|$)""")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def entries(text: str) -> list[Entry] | None:
    """One entry per key at the shallowest indentation; None when the text is not a plain
    block mapping (documents, top-level lists, flow style)."""
    lines = split_lines(text)
    body = [x for x in lines if x.strip() and not x.lstrip().startswith("#")]
    if not body:
        return unique_keys([("tail", "".join(lines))]) if lines else []
    level = _indent(body[0])
    pairs: list[tuple[str, list[str]]] = []
    trivia: list[str] = []
    for line in lines:
        blank = not line.strip() or (line.lstrip().startswith("#") and _indent(line) <= level)
        if blank:
            trivia.append(line)
            continue
        if _indent(line) == level and line.lstrip().startswith("- ") and pairs:
            pairs[-1][1].extend(trivia + [line])  # an indentless list under the last key
            trivia = []
        elif _indent(line) == level:
            key = _KEY.match(line)
            if key is None:
                return None
            pairs.append((f"key:{key.group(2).strip()}", trivia + [line]))
            trivia = []
        elif _indent(line) > level and pairs:
            pairs[-1][1].extend(trivia + [line])
            trivia = []
        else:
            return None
    if trivia:
        pairs.append(("tail", trivia))
    return unique_keys([(key, "".join(chunk)) for key, chunk in pairs])


def _split_head(text: str) -> tuple[str, str, str]:
    """(comments above, the key's own line, the nested lines)."""
    lines = split_lines(text)
    n = 0
    while n < len(lines) and (not lines[n].strip() or lines[n].lstrip().startswith("#")):
        n += 1
    return "".join(lines[:n]), lines[n] if n < len(lines) else "", "".join(lines[n + 1 :])


def _merge(base: str, ours: str, theirs: str, labels: Labels) -> MergeResult | None:
    sides = [entries(x) for x in (base, ours, theirs)]
    if any(side is None for side in sides):
        return None
    fallback = line_clash(labels)

    def clash(key: str, b: str | None, o: str | None, t: str | None):
        if key.startswith("key:") and o is not None and t is not None:
            parts = [_split_head(x) if x is not None else ("", "", "") for x in (b, o, t)]
            (bt, bh, bb), (ot, oh, ob), (tt, th, tb) = parts
            nested = oh == th and oh.rstrip().endswith(":") and ob.strip() and tb.strip()
            if nested:
                inner = _merge(bb if bh == oh else "", ob, tb, labels)
                if inner is not None:
                    trivia = tt if ot == bt else ot
                    return trivia + oh + inner.text, inner.conflicts
        return fallback(key, b, o, t)

    return merge_entries(sides[0], sides[1], sides[2], clash)  # type: ignore[arg-type]


def merge(base: str, ours: str, theirs: str, labels: Labels) -> MergeResult | None:
    return _merge(base, ours, theirs, labels)


def valid(text: str) -> bool:
    import yaml

    try:
        yaml.safe_load(text)
    except yaml.YAMLError:
        return False
    return True

"""`pyproject.toml` by table and key. Dependency arrays (`project.dependencies`, optional
dependencies, `build-system.requires`, dependency groups) merge as sets by package name: a
package either side added is kept, one side's version bump wins over an untouched line, and
only the same package changed both ways conflicts, on that item's line.

The file is cut into entries on its text (a scanner that knows TOML strings, brackets and
comments), so everything not merged is kept byte for byte; a clean result that `tomllib`
cannot read falls back to git's line merge."""

from __future__ import annotations

import re
from dataclasses import dataclass

from scaffolder.merge.entries import (
    Clashing,
    Entry,
    Labels,
    MergeResult,
    line_clash,
    merge_entries,
    resolve,
    split_lines,
    unique_keys,
)

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(
    r"""^\s*((?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+)(?:\s*\.\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+))*)\s*="""
)
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
DEPENDENCY_ARRAYS = {
    ("project", "dependencies"),
    ("build-system", "requires"),
    ("project.optional-dependencies", "*"),
    ("dependency-groups", "*"),
}


class _Scanner:
    """Tracks, line by line, whether the next line starts inside a value (an open bracket or
    a multi-line string) or at the top level where a header or a key may begin."""

    def __init__(self) -> None:
        self.depth = 0
        self.string: str | None = None  # the open multi-line string's delimiter

    @property
    def top(self) -> bool:
        return self.depth == 0 and self.string is None

    def feed(self, line: str) -> None:
        i, n = 0, len(line)
        while i < n:
            if self.string:
                end = line.find(self.string, i)
                if end < 0:
                    return
                i = end + 3
                self.string = None
                continue
            c = line[i]
            if c == "#":
                return
            if line.startswith('"""', i) or line.startswith("'''", i):
                self.string = line[i : i + 3]
                i += 3
                continue
            if c in "\"'":
                i += 1
                while i < n and line[i] != c:
                    i += 2 if c == '"' and line[i] == "\\" else 1
            elif c in "[{":
                self.depth += 1
            elif c in "]}":
                self.depth = max(0, self.depth - 1)
            i += 1


def _norm_key(key: str) -> str:
    return ".".join(part.strip().strip("\"'") for part in key.split("."))


def tables(text: str) -> list[Entry]:
    """Top-level entries: the root table (keys before any header), then one per table."""
    scanner = _Scanner()
    pairs: list[tuple[str, list[str]]] = [("table:", [])]
    trivia: list[str] = []
    for line in split_lines(text):
        header = _HEADER.match(line) if scanner.top else None
        if header:
            kind = "aot" if header.group(1) == "[[" else "table"
            pairs.append((f"{kind}:{_norm_key(header.group(2))}", trivia + [line]))
            trivia = []
        elif scanner.top and (not line.strip() or line.lstrip().startswith("#")):
            trivia.append(line)
        else:
            pairs[-1][1].extend(trivia + [line])
            trivia = []
            scanner.feed(line)
    if trivia:
        pairs.append(("tail", trivia))
    return unique_keys([(key, "".join(lines)) for key, lines in pairs if lines])


def keys(text: str) -> list[Entry]:
    """A table's entries: its header line, then one per key (with the comments above it)."""
    scanner = _Scanner()
    pairs: list[tuple[str, list[str]]] = []
    trivia: list[str] = []
    for line in split_lines(text):
        if scanner.top:
            if not line.strip() or line.lstrip().startswith("#"):
                trivia.append(line)
                continue
            header = _HEADER.match(line)
            key = _KEY.match(line)
            name = "header" if header else f"key:{_norm_key(key.group(1))}" if key else "line"
            pairs.append((name, trivia + [line]))
            trivia = []
        else:
            pairs[-1][1].append(line)
        scanner.feed(line)
    if trivia:
        pairs.append(("tail", trivia))
    return unique_keys([(key, "".join(lines)) for key, lines in pairs])


def _table_name(key: str) -> str:
    return key.split(":", 1)[1].split("#")[0]


def _is_dependency_array(table: str, key: str) -> bool:
    return (table, key) in DEPENDENCY_ARRAYS or (table, "*") in DEPENDENCY_ARRAYS


def merge(base: str, ours: str, theirs: str, labels: Labels) -> MergeResult:
    fallback = line_clash(labels)

    def key_clash(table: str):
        def clash(key: str, b: str | None, o: str | None, t: str | None):
            name = key[4:].split("#")[0]
            both = key.startswith("key:") and o is not None and t is not None
            # Adopting, the team's build backend stays, and with it its build requirements.
            theirs_backend = labels.adopting and b is None and table == "build-system"
            if both and _is_dependency_array(table, name) and not theirs_backend:
                merged = merge_array(b, o, t, labels)
                if merged is not None:
                    return merged.text, merged.conflicts
            return fallback(key, b, o, t)

        return clash

    def table_clash(key: str, b: str | None, o: str | None, t: str | None):
        if key.startswith(("table:", "aot:")) and o is not None and t is not None:
            theirs_keys = keys(t)
            if labels.adopting and b is None and key == "table:project" and _dynamic_version(o):
                # The team's build sets the version: a static one beside it breaks the build.
                theirs_keys = [e for e in theirs_keys if e.key != "key:version"]
            result = merge_entries(keys(b or ""), keys(o), theirs_keys, key_clash(_table_name(key)))
            return result.text, result.conflicts
        return fallback(key, b, o, t)

    return merge_entries(tables(base), tables(ours), tables(theirs), table_clash)


def _dynamic_version(table: str) -> bool:
    """Whether a `[project]` table's text declares `dynamic = [... "version" ...]`."""
    try:
        project = _loads(table).get("project", {})
    except Exception:  # noqa: BLE001 - unreadable: as if it did not
        return False
    dynamic = project.get("dynamic") if isinstance(project, dict) else None
    return isinstance(dynamic, list) and "version" in dynamic


# --- dependency arrays -------------------------------------------------------------------


def _loads(text: str) -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    return tomllib.loads(text)


def _package(spec: str) -> str:
    """The key an item merges by: its normalized package name and environment marker."""
    match = _NAME.match(spec)
    name = re.sub(r"[-_.]+", "-", match.group(1).lower()) if match else spec.strip()
    marker = spec.split(";", 1)[1].replace(" ", "") if ";" in spec else ""
    return f"{name};{marker}" if marker else name


@dataclass
class _Item:
    value: str
    literal: str  # the string as written, quotes included
    source: str  # its lines as written (comments above it and after it), without the comma


class _Array:
    """One `key = [ ... ]` entry cut into parts: the comments above it, the text up to `[`,
    each item as written, anything after the last item, and the text from `]` on."""

    def __init__(self, text: str) -> None:
        self.source = text
        self.trivia, body = _leading(text)
        key = _KEY.match(body)
        if key is None:
            raise ValueError("not a key")
        open_at = body.index("[", key.end())
        close_at = body.rindex("]")
        if body[key.end() : open_at].strip():
            raise ValueError("not an array")
        self.head, self.foot = body[: open_at + 1], body[close_at:]
        inner = body[open_at + 1 : close_at]
        self.multiline = "\n" in inner
        self.items, self.trailing = _items(inner)
        values = _loads("x = [" + inner + "\n]")["x"]
        if len(values) != len(self.items) or not all(isinstance(v, str) for v in values):
            raise ValueError("not an array of strings")
        for item, value in zip(self.items, values, strict=True):
            item.value = value
        indents = [re.match(r"[ \t]*", i.source.lstrip("\n")).group(0) for i in self.items]
        self.indent = next((i for i in indents if i), "    ")

    def entries(self) -> list[Entry]:
        return unique_keys([(_package(i.value), i.value) for i in self.items])

    def by_key(self) -> dict[str, _Item]:
        """Each item by its entry key (a repeated package is `name#2`: its own item, with
        its own comments)."""
        return {e.key: item for e, item in zip(self.entries(), self.items, strict=True)}


def _items(inner: str) -> tuple[list[_Item], str]:
    """The items of an array's inside, split at top-level commas; each item's source runs to
    the end of its line so a comment after it stays with it."""
    items: list[_Item] = []
    i, start, depth, n = 0, 0, 0, len(inner)
    literal: tuple[int, int] | None = None
    while i < n:
        c = inner[i]
        if c == "#":
            eol = inner.find("\n", i)
            i = n if eol < 0 else eol
            continue
        if c in "\"'":
            quote = c * 3 if inner.startswith(c * 3, i) else c
            end = i + len(quote)
            while end < n and not inner.startswith(quote, end):
                end += 2 if quote[0] == '"' and inner[end] == "\\" else 1
            if depth == 0 and literal is None:
                literal = (i, end + len(quote))
            i = end + len(quote)
            continue
        if c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
        elif c == "," and depth == 0:
            if literal is None:
                raise ValueError("not an array of strings")
            if "\n" in inner:  # one item per line: its comment stays with it
                eol = inner.find("\n", i)
                stop = n if eol < 0 else eol
                rest = inner[i + 1 : stop].strip()
                if rest and not rest.startswith("#"):
                    raise ValueError("several items on one line")
                source, start = inner[start:i] + inner[i + 1 : stop], stop
            else:
                source, start = inner[start:i], i + 1
            items.append(_Item("", inner[literal[0] : literal[1]], source))
            literal = None
            i = max(start, i + 1)
            continue
        i += 1
    if literal is not None:  # a last item with no comma after it
        items.append(_Item("", inner[literal[0] : literal[1]], inner[start:].rstrip()))
        return items, ""
    return items, inner[start:]


def _leading(text: str) -> tuple[str, str]:
    lines = split_lines(text)
    n = 0
    while n < len(lines) and (not lines[n].strip() or lines[n].lstrip().startswith("#")):
        n += 1
    return "".join(lines[:n]), "".join(lines[n:])


def merge_array(base: str | None, ours: str, theirs: str, labels: Labels) -> MergeResult | None:
    """Merge two edits of one dependency array by package; None when it is not an array of
    strings or an inline array clashes (the caller then merges its lines)."""
    try:
        b = _Array(base) if base is not None else None
        o, t = _Array(ours), _Array(theirs)
    except Exception:  # noqa: BLE001 - not an array of strings (tomllib's error type varies)
        return None
    outcomes = resolve(b.entries() if b else [], o.entries(), t.entries())
    cut: dict[str, str] = {}  # the team's item -> its range cut to what the pipeline needs
    if labels.adopting:  # a package both pin differently: the team's pin stays, narrowed
        for i, (key, outcome) in enumerate(outcomes):
            if isinstance(outcome, Clashing) and outcome.base is None and outcome.ours:
                value = _narrowed(outcome.ours, outcome.theirs)
                if value != outcome.ours:
                    labels.kept.append(f"dependency {key} (`{outcome.ours}` narrowed to `{value}`, "
                                       "what the pipeline needs)")  # fmt: skip
                    cut[outcome.ours] = value
                else:
                    labels.kept.append(f"dependency {key}")
                outcomes[i] = (key, outcome.ours)
    clashes = sum(1 for _, outcome in outcomes if isinstance(outcome, Clashing))
    if clashes and not o.multiline:
        return None

    keyed = [(owner, owner.by_key()) for owner in (o, t, b) if owner is not None]
    expand = False  # adopting around a one-line array: written one item per line instead
    ours_items = keyed[0][1]
    base_items = b.by_key() if b is not None else {}

    def render(key: str, value: str) -> str:
        text = _render(key, value)
        if value in cut:  # a TOML basic string: the requirement has no quote or backslash
            text = text.replace(o.by_key()[key].literal, f'"{cut[value]}"', 1)
        return text

    def _render(key: str, value: str) -> str:
        for owner, items in keyed:
            item = items.get(key)
            if item is None or item.value != value:
                continue
            if expand and owner is o:
                return f"    {item.literal},"
            if not o.multiline and not expand:
                return item.literal
            mine, was = ours_items.get(key), base_items.get(key)
            if owner is not o and mine is not None and _edited(mine, was):
                # Their value, in our lines: the comments we added stay.
                return mine.source.lstrip("\n").replace(mine.literal, item.literal + ",", 1)
            source = item.source.lstrip("\n")  # its comments come with it
            if owner is not o and not source.startswith((" ", "\t")):
                source = o.indent + source
            return source.replace(item.literal, item.literal + ",", 1)
        raise AssertionError(value)

    if not o.multiline:
        kept = [(key, out) for key, out in outcomes if isinstance(out, str)]
        text = o.trivia + o.head + ", ".join(render(k, v) for k, v in kept) + o.foot
        if _keeps_comments(text, b, o, t):
            return MergeResult(text)
        if not labels.adopting:
            return None
        # The template's items carry comments a one-line array cannot hold; git's line merge
        # would keep the team's line alone, and the pipeline's dependencies would be lost.
        expand = True
    lines = []
    size = labels.marker_size
    for key, outcome in outcomes:
        if isinstance(outcome, str):
            lines.append(render(key, outcome))
        elif isinstance(outcome, Clashing):
            lines.append(f"{'<' * size} {labels.ours}")
            lines += [render(key, outcome.ours)] if outcome.ours is not None else []
            lines.append("=" * size)
            lines += [render(key, outcome.theirs)] if outcome.theirs is not None else []
            lines.append(f"{'>' * size} {labels.theirs}")
    trailing = o.trailing if o.trailing.strip() else "\n"
    text = o.trivia + o.head + "\n" + "\n".join(lines) + trailing + o.foot
    # Keep every line or conflict: a comment the merge would drop sends the array to git's
    # line merge instead, which keeps it or conflicts.
    return MergeResult(text, clashes) if _keeps_comments(text, b, o, t) else None


def _narrowed(team: str, tool: str | None) -> str:
    """The team's requirement with its range cut to the tool's (compatible ranges only; an
    incompatible pin was refused before the merge), as a requirement string."""
    if tool is None:
        return team
    try:
        from packaging.requirements import Requirement

        from scaffolder.upgrade.team_env import compatible, narrowed

        mine, theirs = Requirement(team), Requirement(tool)
    except Exception:  # noqa: BLE001 - not a requirement packaging reads: keep the team's
        return team
    if not compatible(mine.specifier, theirs.specifier):
        return team
    from scaffolder.upgrade.team_env import _candidates

    inside = [v for v in _candidates([mine.specifier, theirs.specifier])
              if mine.specifier.contains(v, prereleases=True)]  # fmt: skip
    if inside and all(theirs.specifier.contains(v, prereleases=True) for v in inside):
        return team  # already within what the pipeline needs
    spec = narrowed(mine.specifier, theirs.specifier)
    if spec == mine.specifier or any(c in str(spec) for c in '"\\'):
        return team
    mine.specifier = spec
    return str(mine)


def _edited(mine: _Item, was: _Item | None) -> bool:
    """Our item differs from the base's: its code, or a comment we added (a comment that
    only moved away, above an item we inserted, is no edit of this one)."""
    if was is None:
        return True

    def code(item: _Item) -> list[str]:
        return [line.strip() for line in item.source.splitlines()
                if line.strip() and not line.strip().startswith("#")]  # fmt: skip

    return code(mine) != code(was) or bool(set(_comments(mine.source)) - set(_comments(was.source)))


def _comments(text: str) -> list[str]:
    """The comments of an array's text (a `#` outside quotes to the end of its line)."""
    found = []
    for line in text.splitlines():
        quote = None
        for i, c in enumerate(line):
            if quote:
                quote = None if c == quote else quote
            elif c in "\"'":
                quote = c
            elif c == "#":
                found.append(line[i:].strip())
                break
    return found


def _keeps_comments(text: str, b: _Array | None, o: _Array, t: _Array) -> bool:
    """Every comment of ours (but those theirs removed), and every comment theirs added, is
    in the merged text."""
    from collections import Counter

    have = Counter(_comments(text))
    base, ours, theirs = (Counter(_comments(a.source)) if a is not None else Counter()
                          for a in (b, o, t))  # fmt: skip
    wanted = (ours - (base - theirs)) | (theirs - base)  # the larger count of each
    return all(have[c] >= n for c, n in wanted.items())


def valid(text: str) -> bool:
    try:
        _loads(text)
    except Exception:  # noqa: BLE001 - tomllib's error type differs by Python version
        return False
    return True

"""README.md by sections. The template marks the parts it owns:

    <!-- mlops-scaffold:begin NAME -->
    ...
    <!-- mlops-scaffold:end NAME -->

Each section merges as one entry (a line merge inside it when both sides changed it); the text
between sections is the team's: kept whatever the template does there, and three-way merged
only when the template changed it too. Files without sections merge by lines."""

from __future__ import annotations

import re

from scaffolder.merge.entries import (
    Entry,
    Labels,
    MergeResult,
    line_clash,
    merge_entries,
    split_lines,
)

_BEGIN = re.compile(r"^<!-- mlops-scaffold:begin ([\w.-]+) -->\s*$")
_END = re.compile(r"^<!-- mlops-scaffold:end ([\w.-]+) -->\s*$")


def sections(text: str) -> list[Entry] | None:
    """Gaps and sections in order; None when the markers are missing, unpaired or repeated."""
    pairs: list[Entry] = []
    gap: list[str] = []
    current: tuple[str, list[str]] | None = None
    previous = "^"
    seen: set[str] = set()
    for line in split_lines(text):
        if current is None:
            begin = _BEGIN.match(line)
            if begin is None:
                gap.append(line)
                continue
            name = begin.group(1)
            if name in seen:
                return None
            seen.add(name)
            pairs.append(Entry(f"gap:{previous}", "".join(gap)))
            gap, current = [], (name, [line])
        else:
            current[1].append(line)
            end = _END.match(line)
            if end and end.group(1) == current[0]:
                pairs.append(Entry(f"section:{current[0]}", "".join(current[1])))
                previous, current = current[0], None
    if current is not None or not seen:
        return None
    pairs.append(Entry(f"gap:{previous}", "".join(gap)))
    return [e for e in pairs if e.text]


def merge(base: str, ours: str, theirs: str, labels: Labels) -> MergeResult | None:
    b, o, t = sections(base), sections(ours), sections(theirs)
    if t is None or o is None and not (base.strip() == "" and ours.strip()):
        return None
    if b is None and base.strip():
        return None  # a README from before the sections: git's line merge
    if o is None:  # adopting: the team's README, unmarked, is one gap of theirs
        o = [Entry("gap:^", ours)]
    fallback = line_clash(labels)

    def clash(key: str, bt: str | None, ot: str | None, tt: str | None):
        if key.startswith("gap:") and ot is not None and (bt is None or tt is None):
            return ot, 0  # the team's text: kept when the template adds or drops its own
        return fallback(key, bt, ot, tt)

    return merge_entries(b or [], o, t, clash)


def valid(text: str) -> bool:
    return True

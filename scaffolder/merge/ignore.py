"""`.gitignore` / `.dockerignore` as line sets: lines either side added are kept, lines one
side removed (and the other left alone) go, and ours' order is kept with theirs' new lines
placed after the line that precedes them in theirs."""

from __future__ import annotations

from scaffolder.merge.entries import (
    Entry,
    Labels,
    MergeResult,
    line_clash,
    merge_entries,
    split_lines,
    unique_keys,
)


def entries(text: str) -> list[Entry]:
    return unique_keys([(line.rstrip(), line) for line in split_lines(text)])


def merge(base: str, ours: str, theirs: str, labels: Labels) -> MergeResult:
    if not base.strip() and ours.strip():
        # Adopting: the team's rules first, as they were, then the template's new ones.
        have = {line.strip() for line in split_lines(ours)}
        lines = split_lines(ours)
        added = [
            x for x in split_lines(theirs) if x.strip().startswith("#") or x.strip() not in have
        ]
        if any(x.strip() and not x.strip().startswith("#") for x in added):
            lines += ["\n"] + added
        return MergeResult("".join(lines))
    return merge_entries(entries(base), entries(ours), entries(theirs), line_clash(labels))


def valid(text: str) -> bool:
    return True

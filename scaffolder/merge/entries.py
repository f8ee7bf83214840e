"""The shared engine: files cut into keyed entries, merged three-way entry by entry.

An entry is a piece of text (a TOML table or key, a make target, a README section) with a
key that identifies it across the three versions. An entry only one side changed takes that
side's text; only an entry both sides changed differently is a clash, handed to a finer
merge or, at the end, to git's line merge of that entry alone, so markers stay inside it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Labels:
    """Marker labels, and the adoption policy: with `adopting` (no common ancestor), an entry
    both sides define differently keeps the team's version and is listed in `kept`."""

    ours: str = "HEAD"
    theirs: str = "theirs"
    marker_size: int = 7
    adopting: bool = False
    kept: list[str] = field(default_factory=list)


@dataclass
class MergeResult:
    text: str
    conflicts: int = 0


@dataclass(frozen=True)
class Entry:
    key: str
    text: str


# (key, base, ours, theirs) -> merged text (None: the entry is gone) and its conflict count.
Clash = Callable[[str, "str | None", "str | None", "str | None"], "tuple[str | None, int]"]


def unique_keys(pairs: list[tuple[str, str]]) -> list[Entry]:
    """Entries from (key, text) pairs; a repeated key gets `#2`, `#3`... in order of appearance."""
    seen: dict[str, int] = {}
    entries = []
    for key, text in pairs:
        seen[key] = seen.get(key, 0) + 1
        entries.append(Entry(key if seen[key] == 1 else f"{key}#{seen[key]}", text))
    return entries


def merged_order(ours: list[Entry], theirs: list[Entry]) -> list[str]:
    """Ours' order; an entry only theirs has goes right after its predecessor in theirs."""
    order = [e.key for e in ours]
    present = set(order)
    position = -1
    for entry in theirs:
        if entry.key in present:
            position = order.index(entry.key)
        else:
            order.insert(position + 1, entry.key)
            present.add(entry.key)
            position += 1
    return order


@dataclass(frozen=True)
class Clashing:
    """An entry both sides changed differently (None: that side deleted it)."""

    base: str | None
    ours: str | None
    theirs: str | None


def resolve(
    base: list[Entry], ours: list[Entry], theirs: list[Entry]
) -> list[tuple[str, str | None | Clashing]]:
    """Each key in merged order with its outcome: the text to keep, None when it is gone, or
    a Clashing when both sides changed it differently."""
    b = {e.key: e.text for e in base}
    o = {e.key: e.text for e in ours}
    t = {e.key: e.text for e in theirs}
    outcomes: list[tuple[str, str | None | Clashing]] = []
    for key in merged_order(ours, theirs):
        bt, ot, tt = b.get(key), o.get(key), t.get(key)
        if ot == tt:
            outcomes.append((key, ot))
        elif ot == bt:
            outcomes.append((key, tt))
        elif tt == bt:
            outcomes.append((key, ot))
        else:
            outcomes.append((key, Clashing(bt, ot, tt)))
    return outcomes


def merge_entries(
    base: list[Entry], ours: list[Entry], theirs: list[Entry], clash: Clash
) -> MergeResult:
    pieces: list[str] = []
    conflicts = 0
    for key, outcome in resolve(base, ours, theirs):
        text = outcome
        if isinstance(outcome, Clashing):
            text, count = clash(key, outcome.base, outcome.ours, outcome.theirs)
            conflicts += count
        if text is not None:
            pieces.append(text if text.endswith("\n") else text + "\n")
    return MergeResult("".join(pieces), conflicts)


def line_merge(base: str, ours: str, theirs: str, labels: Labels) -> MergeResult:
    """Git's own three-way line merge (`git merge-file`)."""
    from scaffolder import git_merge

    text, conflicts = git_merge.merge_file(
        base, ours, theirs, labels=(labels.ours, "base", labels.theirs),
        marker_size=labels.marker_size,
    )  # fmt: skip
    return MergeResult(text, conflicts)


def line_clash(labels: Labels) -> Clash:
    """The last resort for a clashing entry: a line merge of that entry alone."""

    def clash(key: str, base: str | None, ours: str | None, theirs: str | None):
        if ours is not None and theirs is not None and _solid(ours) == _solid(theirs):
            return ours, 0  # the same entry, spaced differently: not worth a conflict
        if labels.adopting and base is None and ours is not None and theirs is not None:
            labels.kept.append(key)  # the team's own definition wins over the template's
            return ours, 0
        result = line_merge(base or "", ours or "", theirs or "", labels)
        return result.text, result.conflicts

    return clash


def _solid(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines() if line.strip()]


def split_lines(text: str) -> list[str]:
    """Lines with their endings; a last line without one gets a newline."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    return lines

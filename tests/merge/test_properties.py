"""Property: ordinary team edits merge with the next level's template without a conflict, and
every edit is kept (the mergers alone, in-process; the git-level run is in tests/e2e)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scaffolder.merge import Labels, merge_text

from .edits import apply_edits, edits, render_files


def merged_files(base: dict, ours: dict, theirs: dict) -> tuple[dict, list[str]]:
    """A three-way merge of two file maps, file by file, as git would with the driver."""
    result, conflicts = {}, []
    for path in sorted(set(ours) | set(theirs)):
        b, o, t = base.get(path), ours.get(path), theirs.get(path)
        if o == t or t == b:
            result[path] = o
        elif o == b:
            result[path] = t
        else:
            merged = merge_text(path, b or "", o or "", t or "", Labels())
            result[path] = merged.text
            if merged.conflicts:
                conflicts.append(path)
    return result, conflicts


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(level=st.sampled_from([0, 1]), chosen=edits)
def test_ordinary_edits_merge_cleanly_and_are_kept(level, chosen):
    base, theirs = render_files(level), render_files(level + 1)
    ours = dict(base)
    kept = apply_edits(ours, theirs, chosen)
    result, conflicts = merged_files(base, ours, theirs)
    assert conflicts == []
    for path, text in kept:
        assert text in result[path], f"{text!r} lost from {path}"

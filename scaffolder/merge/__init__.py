"""Structure-aware three-way merges for the files the template and the team both edit.

`merge_text` picks a merger by the file's path (pyproject by table and key, ignore files as
line sets, the Makefile by target, YAML config by key, README by template sections) and falls
back to git's line merge for anything else, or when a structured result would not parse.
Git runs it as a merge driver (`python -m scaffolder.merge`), configured per command by
`gitops.structured_merge_args`, so markers, `git merge --abort` and mergetools keep working.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from scaffolder.merge.entries import Labels, MergeResult, line_merge

__all__ = ["Labels", "MergeResult", "kind_of", "merge_text"]


def kind_of(path: str) -> str:
    """Which merger handles `path` ("lines" when no structure is known)."""
    posix = PurePosixPath(path)
    name = posix.name
    if name == "pyproject.toml":
        return "pyproject"
    if name in (".gitignore", ".dockerignore"):
        return "ignore"
    if name in ("Makefile", "GNUmakefile", "makefile"):
        return "makefile"
    if name == "README.md":
        return "readme"
    if posix.parts[:1] == ("config",) and posix.suffix in (".yaml", ".yml"):
        return "yaml"
    return "lines"


def merge_text(path: str, base: str, ours: str, theirs: str, labels: Labels) -> MergeResult:
    """Merge three versions of `path`; a conflict's markers sit inside the clashing entry."""
    kind = kind_of(path)
    if kind == "lines":
        return line_merge(base, ours, theirs, labels)
    from importlib import import_module

    module = import_module(f"scaffolder.merge.{kind}")
    result: MergeResult | None = module.merge(base, ours, theirs, labels)
    if result is None:  # the merger does not apply to these texts (e.g. no README sections)
        return line_merge(base, ours, theirs, labels)
    if not result.conflicts and not module.valid(result.text):
        return line_merge(base, ours, theirs, labels)
    return result

"""Structure-aware three-way merges for the files the template and the team both edit.

`merge_text` picks a merger by the file's path (pyproject by table and key, ignore files as
line sets, the Makefile by target, YAML config by key, README by template sections; a team's
hashed constraints.txt, its lock export, stays whole) and falls back to git's line merge for
anything else, or when a structured result would not parse.
Git runs it as a merge driver (`python -m scaffolder.merge`), configured per command by
`git_merge.structured_merge_args`, so markers, `git merge --abort` and mergetools keep working.
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
    # Adopting, a file of unknown structure, or a .dockerignore (the template's is a whitelist
    # starting with `*`, which added to the team's rules would change what they mean), stays
    # the team's whole.
    whole = kind == "lines" or PurePosixPath(path).name == ".dockerignore"
    if labels.adopting and not base and ours.strip() and theirs.strip() and whole:
        labels.kept.append("whole file")  # the team's file, the template's is on the base
        return MergeResult(ours)
    if path == "constraints.txt" and "--hash" in ours and ours != base:
        # The team's lock export (hashed pins, kept at adopt): the template's tested pins stay
        # on the base branch, where scripts/team_requirements.py reads them.
        if ours != theirs:
            labels.kept.append("whole file")
        return MergeResult(ours)
    if kind == "lines":
        return line_merge(base, ours, theirs, labels)
    from importlib import import_module

    module = import_module(f"scaffolder.merge.{kind}")
    result: MergeResult | None = module.merge(base, ours, theirs, labels)
    if result is None:  # the merger does not apply to these texts (e.g. no README sections)
        labels.kept.clear()
        return line_merge(base, ours, theirs, labels)
    if not result.conflicts and not module.valid(result.text):
        labels.kept.clear()
        return line_merge(base, ours, theirs, labels)
    return result

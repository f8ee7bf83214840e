"""Property, through git itself: ordinary team edits (a dependency added or bumped, a tool
section, README text outside the template's sections, a make target, ignore lines, config
values, new functions in modules the template leaves alone) merged with the next level's
render by `git merge-tree` with the tool's merge driver -- the merge step `upgrade` makes --
give no conflict, and every edit is kept. 0 -> 1, 1 -> 2 (and each further level there is)."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scaffolder import git_merge, gitops
from scaffolder.catalog import builtin_catalog

from .edits import apply_edits, edits, render_files

pytestmark = pytest.mark.e2e

STEPS = [(n, n + 1) for n in builtin_catalog().levels()[:-1]]
_REPOS: dict[int, tuple[Path, str, str]] = {}


def _step_repo(level: int) -> tuple[Path, str, str]:
    """A repo holding the render of `level` (the base) and of `level + 1` on top of it."""
    if level not in _REPOS:
        repo = Path(tempfile.mkdtemp(prefix="merge-prop-"))
        gitops.init_repo(repo, "main")
        commits: list[str] = []
        for n in (level, level + 1):
            tree = Path(tempfile.mkdtemp(prefix="render-"))
            for path, text in render_files(n).items():
                (tree / path).parent.mkdir(parents=True, exist_ok=True)
                (tree / path).write_text(text)
            commits.append(gitops.commit_tree_from_dir(repo, tree, commits[-1:], f"level {n}"))
        _REPOS[level] = (repo, commits[0], commits[1])
    return _REPOS[level]


def _show(repo: Path, tree: str, path: str) -> str:
    out = subprocess.run(["git", "cat-file", "blob", f"{tree}:{path}"], cwd=repo,
                         capture_output=True, text=True, check=True)  # fmt: skip
    return out.stdout


@settings(max_examples=210, deadline=None, suppress_health_check=list(HealthCheck))
@given(step=st.sampled_from(STEPS), chosen=edits)
def test_ordinary_edits_upgrade_without_conflict_through_git(step, chosen):
    level, _ = step
    repo, base, theirs = _step_repo(level)
    files = render_files(level)
    edited = dict(files)
    kept = apply_edits(edited, render_files(level + 1), chosen)
    changed = {p: t.encode() for p, t in edited.items() if files.get(p) != t}
    ours = gitops.commit_files(repo, base, changed, [base], "team edits")
    tree, conflicts = git_merge.merge_tree(repo, ours, theirs, theirs_label="mlops-scaffold/base")
    assert conflicts == []
    for path, text in kept:
        assert text in _show(repo, tree, path), f"{text!r} lost from {path}"

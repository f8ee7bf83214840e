"""Property tests: random user edits on a project, then an upgrade to the next level
(0 -> 1, 1 -> 2 and 2 -> 3).

Every line and file the user added is still there, or inside a conflict region."""

from __future__ import annotations

import shutil

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scaffolder.upgrade.apply import UpgradeRequest, upgrade

from .helpers import commit, git, new_project

EDITABLE = [
    "README.md", "Makefile", "pyproject.toml", "src/churn/model.py", "src/churn/features.py",
    "src/churn/train.py", "src/churn/data.py", "tests/test_model.py", ".gitignore",
    # level-1 files (skipped when the project does not have them yet)
    "config/pipeline.yaml", "src/churn/pipeline/steps.py", "src/churn/config.py",
    ".pre-commit-config.yaml", "Dockerfile",
    # level-2 files
    "src/churn/serving/app.py", "src/churn/scoring.py", "config/environments.yaml",
    "dags/churn_training.py",
]  # fmt: skip

line_text = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_ =#", min_size=1, max_size=30).map(
    lambda s: f"user {s.strip() or 'x'} marker"
)
edit = st.one_of(
    st.tuples(st.just("insert"), st.sampled_from(EDITABLE), st.integers(0, 400), line_text),
    st.tuples(st.just("replace"), st.sampled_from(EDITABLE), st.integers(0, 400), line_text),
    st.tuples(st.just("delete"), st.sampled_from(EDITABLE), st.integers(0, 400), st.just("")),
    st.tuples(st.just("add_file"), st.sampled_from(["notes.md", "src/churn/extra.py", "docs/a.md"]),
              st.just(0), line_text),
    st.tuples(st.just("rename"), st.sampled_from(["tests/test_data.py", "scripts/explore.py"]),
              st.just(0), st.just("")),
)  # fmt: skip


@settings(
    max_examples=16, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(level=st.sampled_from([0, 1, 2]), edits=st.lists(edit, min_size=1, max_size=6))
def test_user_lines_survive_upgrade(tmp_path_factory, level, edits):
    base = tmp_path_factory.mktemp("prop")
    repo = new_project(base, level=level)
    added: dict[str, list[str]] = {}
    for kind, path, position, text in edits:
        target = repo / path
        if kind == "add_file":
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text + "\n")
            added[path] = [text]
            continue
        if not target.is_file():
            continue
        if kind == "rename":
            renamed = target.with_name("renamed_" + target.name)
            shutil.move(target, renamed)
            added[str(renamed.relative_to(repo))] = renamed.read_text().splitlines()
            continue
        lines = target.read_text().splitlines()
        index = position % (len(lines) + 1)
        if kind == "insert":
            lines.insert(index, text)
            added.setdefault(path, []).append(text)
        elif kind == "replace" and lines:
            lines[min(index, len(lines) - 1)] = text
            added.setdefault(path, []).append(text)
        elif kind == "delete" and lines:
            del lines[min(index, len(lines) - 1)]
        target.write_text("\n".join(lines) + "\n")
    # A later replace or delete may have removed a line an earlier edit added: expect only the
    # team's lines still in the file when it commits.
    added = {
        path: [line for line in lines if line in (repo / path).read_text().splitlines()]
        for path, lines in added.items()
    }
    commit(repo)

    result = upgrade(UpgradeRequest(path=repo, to=level + 1, defaults=True))
    for path, lines in added.items():
        text = (repo / path).read_text() if (repo / path).is_file() else ""
        for line in lines:
            # The line is still in the file (clean merge, or inside a conflict region).
            assert line in text, f"{line!r} lost from {path} (conflicts: {result.conflicts})"
    if result.conflicts:
        git(repo, "merge", "--abort")
    else:
        assert git(repo, "status", "--porcelain") == ""
        second = upgrade(UpgradeRequest(path=repo, to=level + 1, defaults=True))
        assert not any(p.due for p in second.plans)

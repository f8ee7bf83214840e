"""Templates 2.0.0: the platform's code moves out of the project into mlops-scaffold-runtime.

Projects rendered by earlier releases hold copies of modules that now come with the
`mlops-scaffold-runtime` dependency (monitoring, records, settings, ...). The new render no
longer has them, so the merge removes every copy the team never touched. A copy the team edited
would stand as a modify/delete conflict; before the merge this migration keeps the team's
version beside it as `<file>.team-edit` (never deleted, not importable, so it cannot shadow the
runtime) and puts the pristine text back at the old path, which the merge then removes or
replaces cleanly. The notes name each kept file and the command that compares it with the
runtime's module (`python -m mlops_runtime.compare FILE`).
"""

from __future__ import annotations

from pathlib import Path

from scaffolder.state import ProjectState
from scaffolder.upgrade.migrations import Migration

KEPT_SUFFIX = ".team-edit"
# Paths inside the package (`src/<package>/`), by the level that first rendered them.
PACKAGE_FILES = {
    1: ["pipeline/records.py", "pipeline/metrics.py"],
    2: [
        "contract.py",
        "validation.py",
        "model_checks.py",
        "model_card.py",
        "registry.py",
        "serving/app.py",
        "serving/loader.py",
        "serving/metrics.py",
        "serving/schemas.py",
    ],  # fmt: skip
    3: [
        "canary.py",
        "serving/ab_compare.py",
        "serving/variants.py",
        "serving/hooks.py",
        "settings.py",
        *(
            f"monitoring/{name}.py"
            for name in (
                "__init__",
                "__main__",
                "config",
                "drift",
                "decay",
                "profile",
                "prediction_log",
                "report",
                "metrics",
                "guards",
                "job",
                "retrain",
            )
        ),  # fmt: skip
        *(
            f"governance/{name}.py"
            for name in ("__init__", "__main__", "aliases", "audit", "lineage", "policy")
        ),
        *(
            f"remediation/{name}.py"
            for name in ("__init__", "__main__", "actions", "policy", "receiver")
        ),
    ],
}
# Tests of those modules: they moved to the runtime's own suite.
TEST_FILES = {
    1: ["tests/test_records.py", "tests/test_metrics.py"],
    3: [
        "tests/test_drift_and_decay.py",
        "tests/test_prediction_log.py",
        "tests/test_guards.py",
        "tests/test_governance.py",
        "tests/test_remediation.py",
    ],  # fmt: skip
}


def moved(state: ProjectState) -> list[str]:
    """The project files of `state`'s level that the runtime replaced."""
    if not state.answers.example:  # adopted packages never had these copies
        return []
    package = f"src/{state.answers.package_name}"
    found = []
    for level in range(1, state.level + 1):
        found += [f"{package}/{path}" for path in PACKAGE_FILES.get(level, [])]
        found += TEST_FILES.get(level, [])
    return found


def paths(state: ProjectState) -> list[str]:
    files = moved(state)
    return files + [path + KEPT_SUFFIX for path in files]


def is_applied(tree: Path, state: ProjectState) -> bool:
    return not any((tree / path).is_file() for path in moved(state))


def keep_team_edits(tree: Path, base: Path, files: list[str]) -> list[str]:
    """Before the merge: each of `files` the team edited is copied to `<file>.team-edit` and its
    pristine text (from `base`) put back, so the merge removes or replaces it cleanly; a note per
    kept file names the command that shows the team's changes."""
    notes = []
    for path in files:
        ours, pristine = tree / path, base / path
        if not ours.is_file() or not pristine.is_file():
            continue  # the team removed it, or it is the team's own file: nothing to merge
        if ours.read_bytes() == pristine.read_bytes():
            continue  # unchanged: the merge removes it (or replaces it with a thin binding)
        kept = tree / (path + KEPT_SUFFIX)
        kept.write_bytes(ours.read_bytes())
        ours.write_bytes(pristine.read_bytes())
        notes.append(f"{path}: your edits are kept in {path}{KEPT_SUFFIX}; {_compare_hint(path)}")
    return notes


def bindings_in_place(tree: Path, files: list[str], markers: dict[str, str]) -> bool:
    """Whether each of `files` is gone or already a binding: it holds the marker of the path
    ending it names (a file with no marker of its own never counts against)."""
    for path in files:
        marker = next((m for end, m in markers.items() if path.endswith(end)), None)
        target = tree / path
        if marker and target.is_file() and marker not in target.read_text("utf-8"):
            return False
    return True


def _compare_hint(path: str) -> str:
    kept = path + KEPT_SUFFIX
    if path.startswith("tests/"):  # a test of platform code: it moved to the runtime's suite
        return f"these tests now live in mlops-scaffold-runtime; see yours with `cat {kept}`"
    return (
        f"this code now comes from mlops-scaffold-runtime; see what you changed with "
        f"`python -m mlops_runtime.compare {kept}`"
    )


def apply_with_base(tree: Path, base: Path, state: ProjectState) -> list[str]:
    return keep_team_edits(tree, base, moved(state))


def apply(tree: Path, state: ProjectState) -> None:  # no base to compare: the merge shows it
    apply_with_base(tree, tree / ".no-base", state)


MIGRATION = Migration(
    id="m0005",
    from_level=1,
    stage="pre",
    summary="platform code moved to mlops-scaffold-runtime; the team's edited copies are kept "
    "as *.team-edit",
    paths=paths,
    is_applied=is_applied,
    apply=apply,
    release="2.0.0",
    apply_with_base=apply_with_base,
)

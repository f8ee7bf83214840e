"""Templates 2.1.0: continuous delivery and batch scoring move into mlops-scaffold-runtime 1.1.

A level-2 project's `scripts/deploy.py`, `scripts/smoke_test.py` and `scripts/promote_model.py`
become thin bindings of the runtime's deploy, smoke test and promotion (`mlops_runtime.cd`),
`scoring.py` one of `mlops_runtime.scoring`, and the tests of that code leave
`tests/test_serving_scripts.py` for the runtime's suite; at level 3 the prediction log's hook
(`serving/hooks.py`), the KFP recurring run (`scripts/kfp_recurring_run.py`) and their tests
shrink the same way. As in m0005, a copy the team edited
is kept beside its path as `<file>.team-edit` (never deleted) and its pristine text put back
before the merge, which then replaces it with the binding cleanly; the notes name each kept file
and the command that compares it with the runtime (`python -m mlops_runtime.compare FILE`).
"""

from __future__ import annotations

from pathlib import Path

from scaffolder.state import ProjectState
from scaffolder.upgrade.migrations import Migration
from scaffolder.upgrade.migrations.m0005_platform_code_to_runtime import (
    KEPT_SUFFIX,
    bindings_in_place,
    keep_team_edits,
)

# Every level-2 project has these; an adopted package keeps its own promotion (mlops/registry.py)
# and never had the example's modules and tests.
SCRIPTS = ["scripts/deploy.py", "scripts/smoke_test.py"]
EXAMPLE_ONLY = {
    2: [
        "scripts/promote_model.py", "tests/test_serving_scripts.py", "src/{package}/scoring.py",
    ],
    3: ["src/{package}/serving/hooks.py", "tests/test_serving_logging.py"],
}  # fmt: skip
# Level 3 with Kubeflow: the recurring run's scheduling moved to mlops_runtime.kfp_schedule.
KFP_FILES = ["scripts/kfp_recurring_run.py", "tests/test_kfp_recurring_run.py"]
# Files the team owns that only lost platform code (tests/conftest.py, registry.py, test_ab.py,
# test_monitoring_job.py) are left to the merge: a team's edit there is its own and must stay.


# An adopted package's copy of the pipeline metrics writer (level 1 and up).
ADOPTED_FILES = ["{package_dir}/mlops/metrics.py"]


def moved(state: ProjectState) -> list[str]:
    """The project files of `state`'s level that became bindings of the runtime (or shrank)."""
    found: list[str] = []
    if not state.answers.example and state.level >= 1 and state.answers.package_dir:
        found += [p.format(package_dir=state.answers.package_dir) for p in ADOPTED_FILES]
    if state.level < 2:
        return found
    found += SCRIPTS
    if state.answers.example:
        for level in range(2, state.level + 1):
            found += [p.format(package=state.answers.package_name) for p in EXAMPLE_ONLY[level]]
        if state.level >= 3 and state.answers.orchestrator in ("kubeflow", "both"):
            found += KFP_FILES
    return found


def paths(state: ProjectState) -> list[str]:
    files = moved(state)
    return files + [path + KEPT_SUFFIX for path in files]


# What each file holds once it is a binding (markers of templates 2.1.0).
BINDING_MARKERS = {
    "scripts/deploy.py": "mlops_runtime.cd", "scripts/smoke_test.py": "mlops_runtime.cd",
    "mlops/metrics.py": "mlops_runtime import pipeline_metrics",
}  # fmt: skip


def is_applied(tree: Path, state: ProjectState) -> bool:
    """Nothing to set aside once the scripts (and an adopted package's metrics writer) are gone
    or bindings of the runtime."""
    return bindings_in_place(tree, moved(state), BINDING_MARKERS)


def apply_with_base(tree: Path, base: Path, state: ProjectState) -> list[str]:
    return keep_team_edits(tree, base, moved(state))


def apply(tree: Path, state: ProjectState) -> None:  # no base to compare: the merge shows it
    apply_with_base(tree, tree / ".no-base", state)


MIGRATION = Migration(
    id="m0006",
    from_level=2,
    stage="pre",
    summary="CD scripts (deploy, smoke test, promotion) are bindings of mlops_runtime.cd; the "
    "team's edited copies are kept as *.team-edit",
    paths=paths,
    is_applied=is_applied,
    apply=apply,
    release="2.1.0",
    apply_with_base=apply_with_base,
)

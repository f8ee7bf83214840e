"""Templates 2.2.0: the DVC stage runner and an adopted package's serving app move into
mlops-scaffold-runtime 1.2.

A project with DVC stages (`data_versioning: dvc`, levels 1-3) kept the runner of its `dvc.yaml`
in `src/<package>/pipeline/stages.py`; it becomes a binding that hands the package's
`pipeline.steps` to `mlops_runtime.dvc_stages` (so `python -m <package>.pipeline.stages NAME`
and `dvc.yaml` keep working). A project adopted around a team's package (level 2) kept its own
serving app in `<package>/mlops/serving.py`; it becomes a binding of the platform's app served
by the model's signature (`mlops_runtime.serving.signature`), and `tests/test_mlops_serving.py`,
which tested the old app's internals, is replaced. As in m0005 and m0006, a copy the team edited
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

STAGES = "src/{package}/pipeline/stages.py"
ADOPTED_SERVING = ["{package_dir}/mlops/serving.py", "tests/test_mlops_serving.py"]
# What each file holds once it is a binding (markers of templates 2.2.0).
BINDING_MARKERS = {
    "pipeline/stages.py": "mlops_runtime import dvc_stages",
    "mlops/serving.py": "mlops_runtime.serving import signature",
}


def moved(state: ProjectState) -> list[str]:
    """The project files of `state` that became bindings of the runtime."""
    found: list[str] = []
    if state.level >= 1 and state.answers.example and state.answers.data_versioning == "dvc":
        found.append(STAGES.format(package=state.answers.package_name))
    if state.level >= 2 and not state.answers.example and state.answers.package_dir:
        found += [p.format(package_dir=state.answers.package_dir) for p in ADOPTED_SERVING]
    return found


def paths(state: ProjectState) -> list[str]:
    files = moved(state)
    return files + [path + KEPT_SUFFIX for path in files]


def is_applied(tree: Path, state: ProjectState) -> bool:
    """Nothing to set aside once each file is gone or a binding of the runtime."""
    return bindings_in_place(tree, moved(state), BINDING_MARKERS)


def apply_with_base(tree: Path, base: Path, state: ProjectState) -> list[str]:
    return keep_team_edits(tree, base, moved(state))


def apply(tree: Path, state: ProjectState) -> None:  # no base to compare: the merge shows it
    apply_with_base(tree, tree / ".no-base", state)


MIGRATION = Migration(
    id="m0007",
    from_level=1,
    stage="pre",
    summary="the DVC stage runner (pipeline/stages.py) and an adopted package's serving app "
    "(mlops/serving.py) are bindings of mlops_runtime; the team's edited copies are kept as "
    "*.team-edit",
    paths=paths,
    is_applied=is_applied,
    apply=apply,
    release="2.2.0",
    apply_with_base=apply_with_base,
)

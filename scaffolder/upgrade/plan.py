"""Plan one level step: render it, commit the render as an object, and classify the merge.

Nothing here moves a ref or touches the user's index or files: the render is committed with
a throwaway index and the merge is computed by `git merge-tree --write-tree`.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from scaffolder import __version__, git_merge, gitops
from scaffolder.answers import Answers, check_given, missing_answers, require_answers
from scaffolder.catalog import Catalog
from scaffolder.errors import InvalidAnswerError
from scaffolder.render import render
from scaffolder.state import STATE_FILE, ProjectState, write_state
from scaffolder.upgrade.migrations import Migration, for_release, for_step, release_ids
from scaffolder.upgrade.team_targets import with_teams_since

# Answers an upgrade cannot change: the project's folder, import and registry names.
FIXED_ANSWERS = ("project_name", "package_name")

# How each file fares, in the order reports list them.
KINDS = ("added", "updated", "merged", "removed", "conflict", "modify/delete")


@dataclass
class FileChange:
    path: str
    kind: str


@dataclass
class StepPlan:
    """Level `from_level` -> `to_level` (equal for a same-level template update)."""

    from_level: int
    to_level: int
    state_after: ProjectState
    head: str
    base_before: str | None  # None when adopting: the render becomes a root commit
    base_after: str
    merged_tree: str
    changes: list[FileChange] = field(default_factory=list)
    pre: list[Migration] = field(default_factory=list)
    post: list[Migration] = field(default_factory=list)
    # Dry run only: questions new at this level that a real run would ask, with the default
    # the plan was made with.
    would_ask: dict[str, object] = field(default_factory=dict)
    # What changed in the sources' releases: (source name, version, changelog notes).
    notes: list[tuple[str, str, str]] = field(default_factory=list)
    # The render records other source releases than the project has (even with no file change).
    release_changed: bool = False
    # Adopting: what the team must know before `make setup` (said with the result's notes).
    warnings: list[str] = field(default_factory=list)

    @property
    def conflicts(self) -> list[str]:
        return [c.path for c in self.changes if c.kind in ("conflict", "modify/delete")]

    def state_after_sources(self) -> str:
        """`template 1.1.0, overlay acme 2`: the releases this step renders."""
        state = self.state_after
        return f"template {state.template_version}" + "".join(
            f", overlay {o.name} {o.version}" for o in state.overlays
        )

    @property
    def due(self) -> bool:
        return bool(self.changes or self.pre or self.post or self.release_changed)


def answers_for(
    state: ProjectState, level: int, given: dict[str, object], *, defaults: bool, interactive: bool
) -> dict[str, object]:
    """The recorded answers at `level`, plus new ones from --data; ask only what is new."""
    recorded = {k: v for k, v in state.answers.model_dump().items() if v is not None}
    for key in FIXED_ANSWERS:
        if key in given and given[key] != recorded.get(key):
            raise InvalidAnswerError(
                f"{key} is {recorded.get(key)!r} in this project and an upgrade cannot change "
                f"it (files, imports and the registry use it); drop --data {key}"
            )
    merged = {**recorded, **check_given(given), "level": level}
    require_answers(merged, defaults=defaults, interactive=interactive)
    return merged


def unanswered(
    state: ProjectState, level: int, given: dict[str, object], catalog: Catalog
) -> dict[str, object]:
    """Questions new at `level` that neither the state file nor `given` answers, with their
    defaults (what a dry run plans with and a real run would ask)."""
    from scaffolder.prompts import default_of, load_questions

    recorded = {k: v for k, v in state.answers.model_dump().items() if v is not None}
    merged = {**recorded, **check_given(given), "level": level}
    missing = missing_answers(merged)
    questions = {q.name: q for q in load_questions(catalog.questions_file)}
    return {
        name: default_of(questions[name], merged) if name in questions else None for name in missing
    }


def render_commit(
    repo: Path,
    previous: ProjectState | None,
    given: dict[str, object],
    base_before: str | None,
    catalog: Catalog,
    *,
    interactive: bool,
) -> tuple[ProjectState, str]:
    """Render `given` and commit it on top of the base tip (a root commit when there is
    none), as an object only.

    Returns the state the render records and the new base commit (the old one when the
    render is identical to it, so re-running an interrupted upgrade makes no new commit).
    """
    with tempfile.TemporaryDirectory(prefix="mlops-scaffold-render-") as tmp:
        tree = Path(tmp) / "render"
        answers: Answers = render(catalog, given, tree, interactive=interactive)
        if previous is None:
            done = release_ids(catalog)
        else:
            had = {o.name for o in previous.overlays}
            added = {o.name for o in catalog.overlays} - had
            done = previous.migrations + [
                i for i in release_ids(catalog, added) if i not in previous.migrations
            ]
        state_after = ProjectState(
            tool_version=__version__,
            template_version=catalog.version,
            answers=answers,
            overlays=catalog.overlay_records(),
            migrations=done,
        )
        write_state(tree, state_after)
        commit = gitops.commit_tree_from_dir(
            repo,
            tree,
            [base_before] if base_before else [],
            f"mlops-scaffold: render level {answers.level} {catalog.describe()}",
        )
    if base_before and gitops.tree_of(repo, commit) == gitops.tree_of(repo, base_before):
        return state_after, base_before
    return state_after, commit


def classify(repo: Path, head: str, base_after: str, conflicts: dict[str, str]) -> list[FileChange]:
    """How each path the template changed fares when merged into `head`."""
    fork = gitops.merge_base(repo, head, base_after)
    if fork is None:  # unrelated histories (adopt): everything the template has is new
        template_side = {p: "A" for p in gitops.tracked_files(repo, base_after)}
        user_side = {p: "A" for p in gitops.tracked_files(repo, head)}
    else:
        template_side = gitops.diff_name_status(repo, fork, base_after)
        user_side = gitops.diff_name_status(repo, fork, head)
    changes = []
    for path, status in sorted(template_side.items()):
        if path in conflicts:
            kind = "modify/delete" if "delete" in conflicts[path] else "conflict"
        elif status == "D":
            kind = "removed"
        elif path in user_side:
            kind = "merged"
        elif status == "A":
            kind = "added"
        else:
            kind = "updated"
        changes.append(FileChange(path, kind))
    seen = {c.path for c in changes}
    changes += [FileChange(p, "conflict") for p in sorted(conflicts) if p not in seen]
    return changes


def merge_plan(
    repo: Path,
    head: str,
    base_before: str | None,
    base_after: str,
    state_after: ProjectState,
    from_level: int,
) -> StepPlan:
    """Classify merging `base_after` into `head`, computed in the object store alone."""
    merged_tree, conflict_list = git_merge.merge_tree(
        repo, head, base_after, allow_unrelated=base_before is None,
        theirs_label=state_after.base_branch,
    )  # fmt: skip
    conflicts = {p: kind for p, kind in conflict_list if p != STATE_FILE}
    changes = [c for c in classify(repo, head, base_after, conflicts) if c.path != STATE_FILE]
    return StepPlan(
        from_level=from_level,
        to_level=state_after.level,
        state_after=state_after,
        head=head,
        base_before=base_before,
        base_after=base_after,
        merged_tree=merged_tree,
        changes=changes,
    )


def plan_step(
    repo: Path,
    state: ProjectState,
    head: str,
    base_before: str,
    to_level: int,
    given: dict[str, object],
    catalog: Catalog,
    *,
    defaults: bool,
    interactive: bool,
    dry_run: bool = False,
) -> StepPlan:
    """Everything one upgrade step would do, without changing the repository's refs or files.

    A dry run never asks: questions without an answer take their defaults and are listed in
    the plan's `would_ask`."""
    would_ask = {}
    if dry_run and not defaults:
        would_ask = unanswered(state, to_level, given, catalog)
        defaults, interactive = True, False
    catalog.check_known(given)
    answers = answers_for(state, to_level, given, defaults=defaults, interactive=interactive)
    answers["team_targets"] = with_teams_since(
        str(answers.get("team_targets") or ""),
        gitops.file_text(repo, head, "Makefile"),
        gitops.file_text(repo, base_before, "Makefile"),
    )
    state_after, base_after = render_commit(
        repo, state, answers, base_before, catalog, interactive=interactive
    )
    plan = merge_plan(repo, head, base_before, base_after, state_after, state.level)
    plan.would_ask = would_ask
    if to_level > state.level:
        example = state.answers.example
        plan.pre = for_step(state.level, "pre", state.migrations, catalog, example=example)
        plan.post = for_step(state.level, "post", state.migrations, catalog, example=example)
    plan.pre += for_release("pre", state_after.migrations, catalog)
    plan.post += for_release("post", state_after.migrations, catalog)
    plan.notes = release_notes(state, catalog)
    plan.release_changed = _sources(state) != _sources(state_after)
    return plan


def _sources(state: ProjectState) -> list[tuple]:
    return [state.template_version] + [(o.name, o.version, o.commit) for o in state.overlays]


def release_notes(state: ProjectState, catalog: Catalog) -> list[tuple[str, str, str]]:
    """The changelog entries of every source's releases since the ones the project records."""
    from scaffolder.catalog import BUILTIN
    from scaffolder.releases import changes_since

    notes = [
        (BUILTIN, version, text)
        for version, text in changes_since(catalog.changelog, state.template_version,
                                           catalog.version)
    ]  # fmt: skip
    recorded = {o.name: o.version for o in state.overlays}
    for overlay in catalog.overlays:
        old = recorded.get(overlay.name)
        if old:
            notes += [
                (overlay.name, version, text)
                for version, text in changes_since(overlay.changelog, old, overlay.version)
            ]
    return notes

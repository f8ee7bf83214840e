"""Carry out upgrade steps: migrations and the merge are made as commit objects, and the
user's branch moves only at the end, so an interrupted run leaves the user's work as it was."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from scaffolder import git_merge, gitops
from scaffolder.catalog import Catalog, builtin_catalog
from scaffolder.merge.__main__ import NOTES_ENV
from scaffolder.state import STATE_FILE, ProjectState, dump_state, write_state
from scaffolder.upgrade import abort, data_notes, ignores, land, migrate_commits
from scaffolder.upgrade.land import UpgradeRefused
from scaffolder.upgrade.migrations import for_release, for_step
from scaffolder.upgrade.plan import StepPlan, plan_step
from scaffolder.upgrade.preflight import (  # noqa: F401 - re-exported: callers import them here
    Context,
    check_folder,
    check_work_tree,
    preflight,
    target_levels,
)

__all__ = ["UpgradeRefused", "UpgradeRequest", "UpgradeResult", "upgrade", "continue_upgrade"]


@dataclass
class UpgradeRequest:
    path: Path
    to: int | None = None
    given: dict[str, object] = field(default_factory=dict)
    defaults: bool = False
    interactive: bool = False
    add_overlays: list[str] = field(default_factory=list)  # SOURCE[@REF] to lay over too
    overlay_refs: dict[str, str] = field(default_factory=dict)  # overlay name -> tag/commit


@dataclass
class UpgradeResult:
    plans: list[StepPlan]
    conflicts: list[str] = field(default_factory=list)
    migrations_run: list[str] = field(default_factory=list)
    level: int = 0
    notes: list[str] = field(default_factory=list)  # adjustments the tool made and must say


def _merge_message(plan: StepPlan) -> str:
    if plan.base_before is None:
        what = f"adopt at level {plan.to_level}"
    elif plan.to_level != plan.from_level:
        what = f"upgrade level {plan.from_level} -> {plan.to_level}"
    else:
        what = f"upgrade to the level {plan.to_level} template {plan.state_after.template_version}"
    return (
        f"mlops-scaffold: {what}\n\n"
        f"Merges {plan.state_after.base_branch} ({plan.base_after[:12]}), the render of level "
        f"{plan.to_level} template {plan.state_after.template_version}."
    )


def apply_step(ctx: Context, plan: StepPlan, branch: str | None = None) -> UpgradeResult:
    """One step. Clean: every commit (migrations, merge, state) is made in the object store and
    the user's branch fast-forwards to the result at the very end, so an interrupted step
    changes nothing of the user's. Conflicts: the merge is redone in the user's tree, in git's
    standard state, for the user to resolve.

    With `branch` (fleet upgrades) the result becomes that new branch, with git's conflict
    markers in the files when there are conflicts; the user's branch, index and files stay as
    they are."""
    result = UpgradeResult(plans=[plan], level=plan.to_level)
    head, pre_ids = migrate_commits.migrate_commit(
        ctx.repo, ctx.head, plan.pre, ctx.state, base=ctx.base, notes=result.notes
    )
    state_merged = plan.state_after.model_copy(
        update={"migrations": [*plan.state_after.migrations, *pre_ids]}
    )
    unrelated = ctx.base is None
    label = plan.state_after.base_branch
    fd, notes_name = tempfile.mkstemp(prefix="mlops-scaffold-kept-")
    os.close(fd)  # only its name is wanted (the merge driver appends to it)
    notes_file = Path(notes_name)
    notes_env = {NOTES_ENV: str(notes_file)}
    tree, conflicts = git_merge.merge_tree(
        ctx.repo, head, plan.base_after, allow_unrelated=unrelated, theirs_label=label,
        env=notes_env,
    )  # fmt: skip
    try:
        return _finish_step(ctx, plan, result, head, pre_ids, state_merged, tree, conflicts,
                            notes_file, branch)  # fmt: skip
    finally:
        notes_file.unlink(missing_ok=True)


def _finish_step(
    ctx, plan, result, head, pre_ids, state_merged, tree, conflicts, notes_file, branch=None
):
    """apply_step, once the merge is computed: publish it, or redo it in the work tree."""
    unrelated = ctx.base is None
    label = plan.state_after.base_branch
    notes_env = {NOTES_ENV: str(notes_file)}
    if not [path for path, _ in conflicts if path != STATE_FILE]:
        # The state file is the tool's own: written, never merged.
        files = {STATE_FILE: dump_state(state_merged).encode()}
        guarded, dropped = _guard_ignores(
            ctx.repo, head, gitops.file_text(ctx.repo, tree, ignores.IGNORE_FILE)
        )
        if dropped:
            files[ignores.IGNORE_FILE] = guarded.encode()
            result.notes.append(ignores.describe(dropped))
        final = gitops.commit_files(
            ctx.repo, tree, files, [head, plan.base_after], _merge_message(plan)
        )
        final, post_ids = migrate_commits.migrate_commit(ctx.repo, final, plan.post, state_merged)
        final = migrate_commits.record_migrations(ctx.repo, final, state_merged, post_ids)
        if branch is not None:
            gitops.update_ref(
                ctx.repo, f"refs/heads/{branch}", final, None, "mlops-scaffold: upgrade branch"
            )
            _move_base(ctx, plan)
            result.migrations_run = pre_ids + post_ids
            result.notes += kept_notes(notes_file, plan.state_after.base_branch)
            return result
        writes = sorted(gitops.diff_name_status(ctx.repo, ctx.head, final))
        land.check_paths_free(ctx.repo, ctx.head, writes, plan.to_level)
        land.check_writable(ctx.repo, writes)
        abort.expect(ctx.repo, tip=final, base=plan.base_after)
        land.land_clean(
            ctx.repo, ctx.head, final, writes, lambda: _move_base(ctx, plan), plan.to_level,
            command=ctx.command,
        )  # fmt: skip
        result.migrations_run = pre_ids + post_ids
        result.notes += kept_notes(notes_file, plan.state_after.base_branch)
        return result

    if branch is not None:
        # Fleet: the merge with git's conflict markers in the files becomes the branch (its
        # parents the team's tip and the new render), for the team to resolve in the review
        # and finish with `upgrade --continue` (post-merge migrations); nothing else changes.
        result.conflicts = sorted({path for path, _ in conflicts if path != STATE_FILE})
        message = (
            _merge_message(plan)
            + "\n\nConflicts to resolve (git's markers are in the files): "
            + ", ".join(result.conflicts)
            + ".\nResolve them on this branch, commit, then run `mlops-scaffold upgrade "
            "--continue` (it runs what comes after the merge)."
        )
        final = gitops.commit_files(
            ctx.repo, tree, {STATE_FILE: dump_state(state_merged).encode()},
            [head, plan.base_after], message,
        )  # fmt: skip
        gitops.update_ref(
            ctx.repo, f"refs/heads/{branch}", final, None, "mlops-scaffold: upgrade branch"
        )
        _move_base(ctx, plan)
        result.migrations_run = pre_ids
        result.notes += kept_notes(notes_file, plan.state_after.base_branch)
        return result
    writes = sorted(
        set(gitops.diff_name_status(ctx.repo, ctx.head, head))
        | {c.path for c in plan.changes}
        | {STATE_FILE, ignores.IGNORE_FILE}
    )
    land.check_paths_free(ctx.repo, ctx.head, writes, plan.to_level)
    land.check_writable(ctx.repo, writes)

    def merge() -> list[str]:
        notes_file.write_text("")  # the in-tree merge reports again
        remaining = git_merge.merge_no_commit(
            ctx.repo, plan.base_after, allow_unrelated=unrelated, theirs_label=label,
            env=notes_env,
        )  # fmt: skip
        result.notes += kept_notes(notes_file, plan.state_after.base_branch)
        write_state(ctx.repo, state_merged)
        gitops.add_paths(ctx.repo, STATE_FILE)
        ignore_file = ctx.repo / ignores.IGNORE_FILE
        text = None
        if ignores.IGNORE_FILE not in remaining and ignore_file.is_file():
            from scaffolder.safe_read import read_optional

            text = read_optional(ignore_file, root=ctx.repo, what=ignores.IGNORE_FILE)
        if text is not None:
            guarded, dropped = _guard_ignores(ctx.repo, head, text)
            if dropped:
                ignore_file.write_text(guarded, encoding="utf-8")
                gitops.add_paths(ctx.repo, ignores.IGNORE_FILE)
                result.notes.append(ignores.describe(dropped))
        return remaining

    abort.expect(ctx.repo, tip=head, base=plan.base_after)
    remaining = land.land_conflicted(
        ctx.repo, ctx.head, head, writes, merge, lambda: _move_base(ctx, plan), plan.to_level,
        command=ctx.command,
    )  # fmt: skip
    abort.note_left(ctx.repo)
    result.conflicts = [p for p in remaining if p != STATE_FILE]
    result.migrations_run = pre_ids
    return result


_READABLE = {"rule": "target", "var": "variable", "key": "key", "define": "define"}


def kept_notes(notes_file: Path, base_branch: str) -> list[str]:
    """One line per file: the entries of the team's that adopting kept over the template's."""
    kept: dict[str, list[str]] = {}
    for line in notes_file.read_text(encoding="utf-8").splitlines():
        path, _, key = line.partition("\t")
        kind, _, name = key.partition(":")
        readable = f"{_READABLE[kind]} {name}" if kind in _READABLE and name else key
        if readable not in kept.setdefault(path, []):
            kept[path].append(readable)
    return [
        f"{path}: kept your {', '.join(keys)}; the template's differ(s), see "
        f"`git show {base_branch}:{path}`"
        for path, keys in kept.items()
    ]


def _guard_ignores(
    repo: Path, head: str, merged: str | None
) -> tuple[str, list[ignores.DroppedRule]]:
    """The merged `.gitignore` minus template rules that would hide files the team tracks."""
    if merged is None:
        return "", []
    ours = gitops.file_text(repo, head, ignores.IGNORE_FILE) or ""
    return ignores.guard(merged, ours, gitops.tracked_files(repo, head))


def _move_base(ctx: Context, plan: StepPlan) -> None:
    """Point the base branch at the new render (create it when adopting)."""
    if plan.base_after != ctx.base:
        gitops.update_ref(
            ctx.repo, f"refs/heads/{ctx.state.base_branch}", plan.base_after,
            ctx.base if ctx.base is not None else ctx.stale_base,
            f"mlops-scaffold: render level {plan.to_level}",
        )  # fmt: skip


def catalog_for(
    state: ProjectState,
    catalog: Catalog | None = None,
    *,
    newest: bool = True,
    refs: dict[str, str] | None = None,
    add: list[str] | None = None,
) -> Catalog:
    """The sources to render: the built-in templates, the recorded overlays at their newest
    release (or the ref asked for, or as recorded when not `newest`), then added overlays."""
    from scaffolder.overlay import resolve, resolve_recorded

    catalog = catalog or builtin_catalog()
    refs = dict(refs or {})
    names = [o.name for o in state.overlays]
    unknown = sorted(set(refs) - set(names))
    if unknown:
        have = ", ".join(n for n in names if n) or "none"
        raise UpgradeRefused(
            f"--overlay-ref names overlay {unknown[0]!r}, which the project does not use "
            f"(overlays: {have})"
        )
    if not state.overlays and not add:
        return catalog
    overlays = [
        resolve_recorded(o, newest=newest, ref=refs.get(o.name or "")) for o in state.overlays
    ]
    for spec in add or []:
        overlay = resolve(spec)
        if overlay.name in {o.name for o in overlays}:
            raise UpgradeRefused(
                f"overlay {overlay.name} is already used by the project; upgrade renders its "
                "newest release (or --overlay-ref NAME=REF)"
            )
        overlays.append(overlay)
    return catalog.with_overlays(overlays)


def _catalog(request: UpgradeRequest, state: ProjectState, catalog: Catalog | None) -> Catalog:
    from scaffolder.releases import is_newer

    catalog = catalog_for(state, catalog, refs=request.overlay_refs, add=request.add_overlays)
    if is_newer(state.template_version, catalog.version):
        raise UpgradeRefused(
            f"the project has template release {state.template_version}, newer than "
            f"{catalog.version} of this mlops-scaffold; upgrade mlops-scaffold first"
        )
    return catalog


def plan_upgrade(request: UpgradeRequest, catalog: Catalog | None = None) -> list[StepPlan]:
    """Dry run: the plan of every step, chained through hypothetical merge commits."""
    ctx = preflight(request.path, catalog)
    catalog = _catalog(request, ctx.state, catalog)
    plans = []
    state, head, base = ctx.state, ctx.head, ctx.base
    for level in target_levels(state.level, request.to, catalog):
        plan = plan_step(
            ctx.repo, state, head, base, level, request.given, catalog,
            defaults=request.defaults, interactive=False, dry_run=True,
        )  # fmt: skip
        plans.append(plan)
        if plan.conflicts:
            break  # later steps depend on how the user resolves these conflicts
        head = gitops.commit_tree_object(
            ctx.repo, plan.merged_tree, [head, plan.base_after], "dry run"
        )
        state, base = plan.state_after, plan.base_after
    return plans


def upgrade(request: UpgradeRequest, catalog: Catalog | None = None) -> UpgradeResult:
    """Step level by level to the target; stop at the first step left with conflicts.

    Each step lands whole or not at all; Ctrl-C is held while one lands, then stops the run
    there with a line saying which level the project is at. Until the run finishes, a record
    lets `upgrade --abort` go back to where it started."""
    ctx = preflight(request.path, catalog)
    catalog = _catalog(request, ctx.state, catalog)
    levels = target_levels(ctx.state.level, request.to, catalog)
    with abort.recorded(
        ctx.repo, "upgrade", ctx.branch, ctx.head, ctx.state.base_branch, ctx.base
    ) as record:
        start = gitops.file_text(ctx.repo, record.head, STATE_FILE)
        total = _steps(ctx, request, catalog, levels, load_level(start, ctx.state.level))
    if not total.conflicts:
        abort.remove(ctx.repo)
    return total


def load_level(state_text: str | None, default: int) -> int:
    """The level a state file's text records (the level an abort goes back to)."""
    import yaml

    try:
        return int(yaml.safe_load(state_text or "")["answers"]["level"])
    except (TypeError, KeyError, ValueError, yaml.YAMLError):
        return default


def _steps(ctx, request, catalog, levels, start_level) -> UpgradeResult:
    total = UpgradeResult(plans=[], level=ctx.state.level)
    landed = False
    for level in levels:
        try:
            plan = plan_step(
                ctx.repo, ctx.state, ctx.head, ctx.base, level, request.given, catalog,
                defaults=request.defaults, interactive=request.interactive,
            )  # fmt: skip
        except KeyboardInterrupt:
            if not landed:
                raise
            raise _stopped(total.level, levels[-1], start_level, finished=False) from None
        if not plan.due and level == ctx.state.level:
            total.plans.append(plan)
            continue
        with land.deferred_interrupts() as held:
            step = apply_step(ctx, plan)
        landed = True
        total.plans.append(plan)
        total.migrations_run += step.migrations_run
        total.notes += step.notes
        if not step.conflicts:  # the data stays where it is; say how DVC takes it over
            total.notes += data_notes.dvc_notes(
                ctx.repo, plan.from_level, plan.to_level,
                getattr(plan.state_after.answers, "data_versioning", None),
            )  # fmt: skip
        total.level = step.level
        if step.conflicts:
            total.conflicts = step.conflicts
            return total
        if held.interrupted:
            finished = level == levels[-1]
            if finished:
                abort.remove(ctx.repo)
            raise _stopped(step.level, levels[-1], start_level, finished=finished)
        ctx = preflight(ctx.repo, catalog)
    return total


def _stopped(level: int, target: int, start: int, *, finished: bool) -> land.UpgradeInterrupted:
    if finished:
        return land.UpgradeInterrupted(
            f"interrupted, but the upgrade had finished: the project is at level {level}; "
            "review it with `git log --stat`"
        )
    return land.UpgradeInterrupted(
        f"interrupted after level {level} was reached (the project is complete and consistent "
        f"there); run `mlops-scaffold upgrade --to {target}` to go on, or `mlops-scaffold "
        f"upgrade --abort` to go back to level {start}"
    )


def continue_upgrade(path: Path) -> UpgradeResult:
    """After the user resolved and committed a conflicted merge: run what remained."""
    ctx = preflight(path)
    record = abort.load(ctx.repo)
    if not gitops.is_ancestor(ctx.repo, ctx.base, ctx.head):
        if record is not None and abort.is_live(ctx.repo, record):
            raise UpgradeRefused(
                f"the merge of {ctx.state.base_branch} was backed out, so there is nothing to "
                f"continue; run `mlops-scaffold {record.command}` to merge it again, or "
                f"`mlops-scaffold {record.command} --abort` to put everything back"
            )
        raise UpgradeRefused(
            f"{ctx.branch} does not contain {ctx.state.base_branch}, so there is nothing to "
            f"continue; run `mlops-scaffold upgrade --to {ctx.state.level}` to merge it"
        )
    abort.remove(ctx.repo)  # the user's commit concluded the conflicted run
    # The sources as recorded: a conflicted release update leaves its release migrations too.
    catalog = catalog_for(ctx.state, newest=False)
    done = ctx.state.migrations
    example = ctx.state.answers.example
    pending = (
        for_step(ctx.state.level - 1, "post", done, catalog, example=example)
        if ctx.state.level
        else []
    )
    pending += for_release("post", done, catalog)
    result = UpgradeResult(plans=[], level=ctx.state.level)
    if pending:
        # As in a clean step: commit objects first, then one fast-forward (untracked files of
        # the user's are never swept into a commit).
        final, ids = migrate_commits.migrate_commit(ctx.repo, ctx.head, pending, ctx.state)
        final = migrate_commits.record_migrations(ctx.repo, final, ctx.state, ids)
        writes = sorted(gitops.diff_name_status(ctx.repo, ctx.head, final))
        land.check_paths_free(ctx.repo, ctx.head, writes, ctx.state.level)
        land.check_writable(ctx.repo, writes)
        with abort.recorded(
            ctx.repo, "upgrade", ctx.branch, ctx.head, ctx.state.base_branch, ctx.base
        ):
            abort.expect(ctx.repo, tip=final, base=ctx.base)
            with land.deferred_interrupts():
                land.land_clean(ctx.repo, ctx.head, final, writes, lambda: None, ctx.state.level)
        abort.remove(ctx.repo)
        result.migrations_run = ids
    return result

"""Migrations run on commit objects: each reads and writes the few files it names in a
scratch folder, and each change becomes a commit, so the user's files move only when the step
lands. Also the preview (`upgrade --dry-run --diff`) of what they would change."""

from __future__ import annotations

import tempfile
from pathlib import Path

from scaffolder import gitops
from scaffolder.state import STATE_FILE, ProjectState, dump_state
from scaffolder.upgrade.migrations import Migration
from scaffolder.upgrade.plan import StepPlan


def migration_message(migration: Migration) -> str:
    return f"mlops-scaffold: migration {migration.id}\n\n{migration.summary}"


def migrate_commit(
    repo: Path,
    commit: str,
    migrations: list[Migration],
    state: ProjectState,
    base: str | None = None,
    notes: list[str] | None = None,
) -> tuple[str, list[str]]:
    """Apply migrations to the files of `commit`, as new commit objects (no work tree needed:
    each migration names the few files it reads and writes). `base` is the pristine render the
    team's files started from, for migrations that compare with it; their notes go to `notes`."""
    done = []
    for migration in migrations:
        paths = migration.paths(state)
        with tempfile.TemporaryDirectory(prefix="mlops-scaffold-migrate-") as tmp:
            tree = Path(tmp) / "tree"
            tree.mkdir()
            gitops.read_files(repo, commit, paths, tree)
            before = {p: (tree / p).read_bytes() for p in paths if (tree / p).is_file()}
            if migration.is_applied(tree, state):
                pass
            elif migration.apply_with_base is not None:
                pristine = Path(tmp) / "base"
                pristine.mkdir()
                if base is not None:
                    gitops.read_files(repo, base, paths, pristine)
                said = migration.apply_with_base(tree, pristine, state)
                if notes is not None:
                    notes.extend(said)
            else:
                migration.apply(tree, state)
            after = {p: (tree / p).read_bytes() if (tree / p).is_file() else None for p in paths}
            changed = {p: c for p, c in after.items() if before.get(p) != c}
            if changed:
                commit = gitops.commit_files(
                    repo, commit, changed, [commit], migration_message(migration)
                )
        done.append(migration.id)
    return commit, done


def with_state(
    repo: Path, start: str, state: ProjectState, parents: list[str], message: str
) -> str:
    """A commit of `start` (a commit or tree) with the state file replaced by `state`."""
    return gitops.commit_files(
        repo, start, {STATE_FILE: dump_state(state).encode()}, parents, message
    )


def record_migrations(repo: Path, commit: str, state: ProjectState, ids: list[str]) -> str:
    """A last commit adding `ids` to the state file's migrations (none when `ids` is empty)."""
    if not ids:
        return commit
    recorded = state.model_copy(update={"migrations": [*state.migrations, *ids]})
    return with_state(
        repo, commit, recorded, [commit], "mlops-scaffold: record migrations " + ", ".join(ids)
    )


def migration_diff(repo: Path, plan: StepPlan) -> str:
    """What the step's migrations would change, shown by running them on commit objects."""
    migrations = plan.pre + plan.post
    if not migrations or plan.conflicts:
        return ""
    merged = gitops.commit_tree_object(
        repo, plan.merged_tree, [plan.head, plan.base_after], "preview"
    )
    # Pre-merge migrations are previewed on the merged tree too: their diff is the same.
    migrated, _ = migrate_commit(repo, merged, migrations, plan.state_after, base=plan.base_before)
    return gitops.diff(repo, merged, migrated)

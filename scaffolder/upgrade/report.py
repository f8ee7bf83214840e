"""Plain-text descriptions of upgrade plans and results, for the CLI to print."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from scaffolder import gitops
from scaffolder.upgrade.plan import KINDS, StepPlan


def _step_name(plan: StepPlan) -> str:
    if plan.base_before is None:
        return f"adopt at level {plan.to_level}"
    if plan.to_level == plan.from_level:
        return f"level {plan.to_level} template update ({plan.state_after_sources()})"
    return f"level {plan.from_level} -> {plan.to_level}"


def summary_line(plans: list[StepPlan]) -> str:
    """One line for `--check`."""
    due = [p for p in plans if p.due]
    if not due:
        level = plans[-1].to_level if plans else "?"
        return f"up to date at level {level}"
    files = sum(len(p.changes) for p in due)
    migrations = sum(len(p.pre) + len(p.post) for p in due)
    conflicts = sum(len(p.conflicts) for p in due)
    steps = ", ".join(_step_name(p) for p in due)
    return (
        f"upgrade due: {steps}: {files} file(s), {migrations} migration(s), {conflicts} conflict(s)"
    )


def plans_json(plans: list[StepPlan]) -> list[dict]:
    """The plans as plain data, for `--format json`."""
    return [
        {
            "step": _step_name(plan),
            "from_level": plan.from_level,
            "to_level": plan.to_level,
            "due": plan.due,
            "changes": [{"path": c.path, "kind": c.kind} for c in plan.changes],
            "conflicts": plan.conflicts,
            "migrations": [
                {"id": m.id, "stage": m.stage, "summary": m.summary} for m in plan.pre + plan.post
            ],
            "releases": [
                {"source": source, "version": version, "notes": notes}
                for source, version, notes in plan.notes
            ],
            "template_version": plan.state_after.template_version,
            "overlays": [o.model_dump(mode="json") for o in plan.state_after.overlays],
        }
        for plan in plans
    ]


def release_notes(plans: list[StepPlan]) -> str:
    """What changed in the template and overlay releases the plans bring, from their changelogs."""
    lines, seen = [], set()
    for plan in plans:
        for source, version, text in plan.notes:
            if (source, version) in seen:
                continue
            seen.add((source, version))
            lines.append(f"What changed in {source} {version}:")
            lines += [f"  {line}" for line in text.splitlines() if line.strip()]
    return "\n".join(lines)


def describe_plans(repo: Path, plans: list[StepPlan], *, with_diff: bool) -> str:
    """The dry run's full report: every file by how it fares, the migrations, optional diffs."""
    lines = []
    for plan in plans:
        counts = Counter(c.kind for c in plan.changes)
        tally = ", ".join(f"{counts[k]} {k}" for k in KINDS if counts[k]) or "no file changes"
        lines.append(f"{_step_name(plan)}: {tally}")
        for kind in KINDS:
            for change in plan.changes:
                if change.kind == kind:
                    lines.append(f"  {kind:<14} {change.path}")
        for migration in plan.pre + plan.post:
            lines.append(
                f"  migration      {migration.id} ({migration.stage}-merge): {migration.summary}"
            )
        for source, version, _ in plan.notes:
            lines.append(f"  release        {source} {version}")
        for name, default in plan.would_ask.items():
            lines.append(f"  would ask      {name} (planned with the default: {default})")
        if with_diff and plan.changes:
            lines.append(gitops.diff(repo, plan.head, plan.merged_tree).rstrip())
    asked = {name: default for plan in plans for name, default in plan.would_ask.items()}
    if asked:
        flags = " ".join(f"--data {name}={default}" for name, default in asked.items())
        lines.append(
            f"A real run asks for {', '.join(asked)} (on a terminal), or takes them from flags "
            f"({flags}) or --defaults."
        )
    return "\n".join(lines)


def conflict_message(conflicts: list[str], level: int, command: str = "upgrade") -> str:
    shown = ", ".join(conflicts[:8]) + (
        f" and {len(conflicts) - 8} more" if len(conflicts) > 8 else ""
    )
    return (
        f"level {level} is merged with conflicts in {shown}; resolve them, `git add` and "
        "`git commit`, then run `mlops-scaffold upgrade --continue` (or `mlops-scaffold "
        f"{command} --abort` to go back to where the {command} started)"
    )


def abort_message(done) -> str:
    """What `--abort` put back (an `abort.Aborted`)."""
    base = (
        f"{done.base_branch} back at {done.base[:12]}"
        if done.base
        else f"{done.base_branch} removed"
    )
    line = (
        f"Back to where the {done.command} started: {done.branch} at {done.head[:12]}, {base}, "
        "index and files as they were."
    )
    if done.saved:
        line += (
            f" Your edits since the {done.command} are kept in commit {done.saved[:12]} "
            f"(`git checkout {done.saved[:12]} -- PATH` brings a file back)."
        )
    return line

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
        return f"level {plan.to_level} template update"
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


def conflict_message(conflicts: list[str], level: int) -> str:
    shown = ", ".join(conflicts[:8]) + (
        f" and {len(conflicts) - 8} more" if len(conflicts) > 8 else ""
    )
    return (
        f"level {level} is merged with conflicts in {shown}; resolve them, `git add` and "
        "`git commit`, then run `mlops-scaffold upgrade --continue` (or `git merge --abort` "
        "to back out)"
    )

"""Make targets a team's Makefile shares with the template: the template's are then rendered
as `mlops-NAME` (answer `team_targets`), so both stay at every upgrade.

Adopt records the shared names it finds. An upgrade adds the ones the team defines and the
pristine render it started from does not -- a target the template gained since (a project
adopted before `test-model` was one, with a `test-model` of its own) or one the team wrote after
adopting -- so the step renders ours beside theirs instead of a conflict in the Makefile."""

from __future__ import annotations

# The template's make targets that a team's Makefile may also define.
RENAMABLE_TARGETS = (
    "help", "setup", "lock", "test", "test-slow", "test-all", "lint", "format", "train",
    "clean", "serve", "test-model", "dag-check", "dag-test", "kfp-compile", "kfp-run",
    "data", "data-push", "data-pull", "data-status", "repro",
)  # fmt: skip


def defined(makefile: str | None) -> set[str]:
    """The names of the rules a Makefile's text defines."""
    from scaffolder.merge.makefile import entries

    if not makefile:
        return set()
    return {n for e in entries(makefile) if e.key.startswith("rule:") for n in e.key[5:].split()}


def shared(makefile: str | None) -> list[str]:
    """The targets of a team's Makefile that the template defines too, in the template's order."""
    names = defined(makefile)
    return [n for n in RENAMABLE_TARGETS if n in names]


def with_teams_since(recorded: str, head_makefile: str | None, base_makefile: str | None) -> str:
    """The `team_targets` answer, plus every shared target the team's Makefile (`head`)
    defines that the pristine render (`base`) does not: the team's own."""
    kept = recorded.split()
    ours = defined(base_makefile)
    new = [n for n in shared(head_makefile) if n not in ours and n not in kept]
    return " ".join(kept + new)

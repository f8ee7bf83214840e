"""Release 2 reads rule exemptions from acme/lint-skip.txt: carry a team's `.acme-lint-skip`
(a file the team keeps, not rendered by the overlay) into it, then remove the old file."""

from pathlib import Path

from scaffolder.upgrade.migrations import Migration

OLD = ".acme-lint-skip"
NEW = "acme/lint-skip.txt"


def _paths(state):
    return [OLD, NEW]


def _is_applied(tree: Path, state) -> bool:
    return not (tree / OLD).is_file()


def _apply(tree: Path, state) -> None:
    old = tree / OLD
    new = tree / NEW
    kept = new.read_text(encoding="utf-8") if new.is_file() else ""
    listed = set(kept.splitlines())
    extra = [line for line in old.read_text(encoding="utf-8").splitlines() if line not in listed]
    new.parent.mkdir(parents=True, exist_ok=True)
    new.write_text(kept + "".join(f"{line}\n" for line in extra), encoding="utf-8")
    old.unlink()


MIGRATION = Migration(
    id="0001-lint-skip-into-acme-folder",
    from_level=0,
    stage="post",
    summary="move the team's .acme-lint-skip exemptions into acme/lint-skip.txt",
    paths=_paths,
    is_applied=_is_applied,
    apply=_apply,
    release="2",
)

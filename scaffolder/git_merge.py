"""Git's merges as the tool runs them: in the object store (merge-tree), in the work tree,
of three texts, with the structure-aware merge driver configured for one command only."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from scaffolder.errors import GitError
from scaffolder.gitops import git_executable, identity_env, run_git, unmerged_paths


def merge_tree(
    repo: Path,
    ours: str,
    theirs: str,
    *,
    allow_unrelated: bool = False,
    theirs_label: str | None = None,
    env: dict[str, str] | None = None,
) -> tuple[str, list[tuple[str, str]]]:
    """A merge computed in the object store alone: (result tree, [(path, conflict kind)]).

    With `theirs_label`, known files merge by their structure (see `structured_merge_args`).
    """
    args = [*(structured_merge_args(theirs_label, adopting=allow_unrelated)
              if theirs_label else []),
            "merge-tree", "--write-tree", "-z", "--name-only"]  # fmt: skip
    if allow_unrelated:
        args.append("--allow-unrelated-histories")
    full_env = {**os.environ, **(env or {})}
    result = subprocess.run(
        [git_executable(), *args, ours, theirs], cwd=repo, env=full_env,
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode not in (0, 1):
        raise GitError(f"git merge-tree failed in {repo}: {result.stderr.strip()}")
    # Output: tree NUL, conflicted paths NUL-separated, NUL, then messages:
    # <count> NUL <path>... NUL <kind> NUL <message> NUL
    head, _, messages = result.stdout.partition("\0\0")
    tree = head.split("\0")[0]
    conflicts: list[tuple[str, str]] = []
    fields = messages.split("\0")
    i = 0
    while i < len(fields) and fields[i].isdigit():
        count = int(fields[i])
        paths = fields[i + 1 : i + 1 + count]
        kind = fields[i + 1 + count]
        i += count + 3
        if kind.startswith("CONFLICT"):
            conflicts += [(p, kind) for p in paths]
    return tree, conflicts


def merge_no_commit(
    repo: Path,
    commit: str,
    *,
    allow_unrelated: bool = False,
    theirs_label: str | None = None,
    env: dict[str, str] | None = None,
) -> list[str]:
    """Merge `commit` into the index and work tree but stop before committing.

    Returns the paths left in conflict (empty when the merge went through cleanly). With
    `theirs_label`, known files merge by their structure (see `structured_merge_args`).
    """
    args = [*(structured_merge_args(theirs_label, adopting=allow_unrelated)
              if theirs_label else []),
            "merge", "--no-ff", "--no-commit", "--quiet"]  # fmt: skip
    if allow_unrelated:
        args.append("--allow-unrelated-histories")
    result = subprocess.run(
        [git_executable(), *args, commit], cwd=repo,
        env={**os.environ, **identity_env(repo), **(env or {})},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    conflicts = unmerged_paths(repo)
    if result.returncode != 0 and not conflicts:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise GitError(f"git merge failed in {repo}: {detail[-1] if detail else result.returncode}")
    return conflicts


def merge_file(
    base: str, ours: str, theirs: str, *, labels: tuple[str, str, str], marker_size: int = 7
) -> tuple[str, int]:
    """Git's three-way line merge of three texts: (result with markers, number of conflicts)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="mlops-scaffold-merge-") as tmp:
        paths = []
        for name, text in (("ours", ours), ("base", base), ("theirs", theirs)):
            path = Path(tmp) / name
            path.write_bytes(text.encode("utf-8", "surrogateescape"))
            paths.append(str(path))
        result = subprocess.run(
            [git_executable(), "merge-file", "-p", f"--marker-size={marker_size}",
             "-L", labels[0], "-L", labels[1], "-L", labels[2], *paths],
            cwd=tmp, capture_output=True, check=False,
        )  # fmt: skip
    if result.returncode < 0 or result.returncode > 127:
        raise GitError(f"git merge-file failed: {result.stderr.decode(errors='replace').strip()}")
    return result.stdout.decode("utf-8", "surrogateescape"), result.returncode


def merge_abort(repo: Path) -> None:
    run_git(repo, "merge", "--abort")


def remove_merge_leftovers(repo: Path) -> list[str]:
    """Delete the `.merge_file_XXXXXX` files git leaves at the top of the work tree when it is
    killed (SIGKILL) while a merge driver runs: untracked, git's own naming, regular files.
    Returns their names."""
    import re

    pattern = re.compile(r"^\.merge_file_[A-Za-z0-9]{6}$")
    try:
        names = [e.name for e in os.scandir(repo)
                 if pattern.match(e.name) and e.is_file(follow_symlinks=False)]  # fmt: skip
    except OSError:
        return []
    if not names:
        return []
    tracked = set(run_git(repo, "ls-files", "-z", "--", *names).split("\0"))
    removed = [n for n in names if n not in tracked]
    for name in removed:
        (repo / name).unlink(missing_ok=True)
    return removed


# The tool's own merges (merge-tree and the in-tree merge on conflict) run structure-aware
# merges as a git merge driver, configured for that one command only: nothing is written to
# the project's config, and a plain `git merge` there keeps git's line merge.
MERGE_DRIVER = "mlops-scaffold"


def structured_merge_args(theirs_label: str, *, adopting: bool = False) -> list[str]:
    """`-c` options that make one git command merge known files by their structure (with
    `adopting`: where the histories share nothing, the team's version of an entry both
    define stays)."""
    import shlex
    import sys

    # Adopting, every file goes through the driver: one both sides have keeps the team's.
    name = "gitattributes-adopt" if adopting else "gitattributes"
    attributes = Path(__file__).resolve().parent / "merge" / name
    command = " ".join([
        shlex.quote(sys.executable), "-m", "scaffolder.merge", "%O", "%A", "%B", "%P",
        "--marker-size", "%L", "--theirs-label", shlex.quote(theirs_label),
        *(["--adopting"] if adopting else []),
    ])  # fmt: skip
    return [
        "-c", f"core.attributesFile={attributes}",
        "-c", f"merge.{MERGE_DRIVER}.name=mlops-scaffold structure-aware merge",
        "-c", f"merge.{MERGE_DRIVER}.driver={command}",
    ]  # fmt: skip

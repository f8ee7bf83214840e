"""`upgrade --track-data`: with the team's consent, run the commands the data notes print
(`data_notes`): `dvc add` for the data files under data/ that git does not track, `git rm
--cached` then `dvc add` for those it does (their history stays in git), and commit the `.dvc`
files and the `.gitignore` entries DVC writes, as one commit. The data files keep their bytes
(DVC copies them into its cache). Anything that fails puts the index, the `.dvc` files and
the `.gitignore` files back as they were, and says so in one line.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from pathlib import Path

from scaffolder import gitops
from scaffolder.errors import GitError
from scaffolder.upgrade import data_notes
from scaffolder.upgrade.land import UpgradeRefused
from scaffolder.upgrade.preflight import preflight

MESSAGE = "mlops-scaffold: data under DVC (upgrade --track-data)"
AFTER = (
    "`mlops-scaffold upgrade --to 1`, `make setup`, then `mlops-scaffold upgrade --to 1 "
    "--track-data`"
)


def find_dvc(repo: Path) -> str | None:
    """The DVC command the project's `make setup` installed (.venv), else one on PATH."""
    for candidate in (repo / ".venv" / "bin" / "dvc", repo / ".venv" / "Scripts" / "dvc.exe"):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which("dvc")


def require_dvc(path: Path, to: int | None) -> str:
    """Refuse `--track-data` before anything changes when it cannot work; the DVC command."""
    if to is not None and to < 1:
        raise UpgradeRefused(
            "--track-data puts data under DVC, which starts at level 1; use --to 1"
        )
    dvc = find_dvc(gitops.toplevel(path) if gitops.is_repo(path) else path)
    if dvc is None:
        raise UpgradeRefused(
            f"--track-data needs DVC, which the project's .venv gets at level 1: {AFTER}"
        )
    return dvc


def track(path: Path, dvc: str) -> list[str]:
    """Put the project's data files under DVC and commit that; the notes to print."""
    ctx = preflight(path)  # a clean work tree, no operation in progress
    answers = ctx.state.answers
    if ctx.state.level < 1 or getattr(answers, "data_versioning", None) != "dvc":
        raise UpgradeRefused(
            f"--track-data: this project does not version data with DVC (level "
            f"{ctx.state.level}, data_versioning {getattr(answers, 'data_versioning', None)}); "
            "nothing changed"
        )
    found = data_notes.data_files(ctx.repo)
    if found is None:
        return ["data: DVC already tracks data here (.dvc files in git); --track-data did nothing"]
    loose, in_git = found
    files = loose + in_git
    if not files:
        return [
            "data: no data files under data/; nothing to put under DVC (`make data` writes "
            "the sample)"
        ]
    written = sorted(
        {f"{f}.dvc" for f in files} | {f"{Path(f).parent.as_posix()}/.gitignore" for f in files}
    )
    before = {p: (ctx.repo / p).read_bytes() if (ctx.repo / p).is_file() else None for p in written}
    try:
        if in_git:
            gitops.run_git(ctx.repo, "rm", "--cached", "--quiet", "--", *in_git)
        _dvc_add(ctx.repo, dvc, files)
        gitops.run_git(
            ctx.repo, "add", "--force", "--", *[p for p in written if (ctx.repo / p).is_file()]
        )
        gitops.run_git(
            ctx.repo, "-c", "commit.gpgsign=false", "commit", "--quiet", "--no-verify", "-m",
            f"{MESSAGE}\n\n" + "\n".join(files), env=gitops.identity_env(ctx.repo),
        )  # fmt: skip
    except (GitError, UpgradeRefused, OSError) as exc:
        _put_back(ctx.repo, before)
        raise UpgradeRefused(
            f"--track-data: {str(exc).removeprefix('--track-data: ')}; your data, the index and "
            "the .dvc/.gitignore files are as they were"
        ) from None
    sha = gitops.rev_parse(ctx.repo, "HEAD") or ""
    return [
        f"data: DVC tracks {data_notes._named(files)} now (commit {sha[:12]}; the bytes are "
        "unchanged and in DVC's cache); `make data-push` stores them in the DVC remote"
    ]


def _dvc_add(repo: Path, dvc: str, files: list[str]) -> None:
    try:
        result = subprocess.run(
            [dvc, "add", "--quiet", "--", *files], cwd=repo, capture_output=True, text=True,
            env={**os.environ, "DVC_NO_ANALYTICS": "1"}, check=False, timeout=3600,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError) as exc:
        raise UpgradeRefused(f"cannot run {dvc}: {exc}") from None
    if result.returncode != 0:
        lines = [ln.strip() for ln in (result.stderr or result.stdout).splitlines() if ln.strip()]
        reason = next((ln for ln in lines if ln.startswith("ERROR")), lines[-1] if lines else "")
        raise UpgradeRefused(f"dvc add failed (exit {result.returncode}): {reason[:300]}")


def _put_back(repo: Path, before: dict[str, bytes | None]) -> None:
    """The index as HEAD has it (the tree was clean), and the files DVC writes as they were."""
    for relative, content in before.items():
        target = repo / relative
        if content is None:
            target.unlink(missing_ok=True)
        else:
            target.write_bytes(content)
    with contextlib.suppress(GitError):
        gitops.run_git(repo, "reset", "--quiet")

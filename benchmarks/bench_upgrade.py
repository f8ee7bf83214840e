"""Upgrade 0 -> 1 of a big project: mlops-scaffold against `copier update`, same run.

The project has 5,000 user files committed and a git-ignored 200 MB data folder. copier gets
the same level change as two tagged versions of one template repo (level 0 and level 1 as
staged by mlops-scaffold), since copier has no notion of layers.
Goal (issue 3): at most 2 s, and at most half of copier's time.

Run: `python benchmarks/bench_upgrade.py [--files 5000] [--data-mb 200]`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
GIT_ID = {"GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@x", "GIT_COMMITTER_NAME": "b",
          "GIT_COMMITTER_EMAIL": "b@x"}  # fmt: skip


def sh(*cmd: str | Path, cwd: Path) -> None:
    subprocess.run([str(c) for c in cmd], cwd=cwd, check=True, env={**os.environ, **GIT_ID},
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip


def add_user_content(project: Path, files: int, data_mb: int) -> None:
    for i in range(files):
        folder = project / "team" / f"area{i % 50:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"note{i:05d}.md").write_text(f"# note {i}\n\nfindings {i}\n")
    data = project / "data" / "raw"
    data.mkdir(parents=True, exist_ok=True)
    chunk = os.urandom(1024 * 1024)
    with (data / "big.bin").open("wb") as handle:
        for _ in range(data_mb):
            handle.write(chunk)
    gitignore = project / ".gitignore"
    if "data/" not in gitignore.read_text():
        gitignore.write_text(gitignore.read_text() + "data/\n")
    sh("git", "add", "--all", cwd=project)
    sh("git", "commit", "-qm", "team work", cwd=project)


def template_repo(work: Path) -> Path:
    """One git repo: tag v0 = staged level 0, tag v1 = staged level 1, with an answers file."""
    from scaffolder.catalog import builtin_catalog
    from scaffolder.render import stage_template

    repo = work / "template"
    for level in (0, 1):
        staging = work / f"stage{level}"
        staging.mkdir()
        stage_template(builtin_catalog(), level, staging)
        (staging / "tree" / "{{ _copier_conf.answers_file }}.jinja").write_text(
            "{{ _copier_answers|to_nice_yaml }}"
        )
        if level == 0:
            staging.rename(repo)
            sh("git", "init", "-q", "-b", "main", cwd=repo)
        else:
            sh("rm", "-rf", repo / "tree", cwd=work)
            sh("cp", "-r", staging / "tree", repo / "tree", cwd=work)
        sh("git", "add", "--all", cwd=repo)
        sh("git", "commit", "-qm", f"level {level}", cwd=repo)
        sh("git", "tag", f"v{level}.0.0", cwd=repo)
    return repo


def timed(cmd: list[str | Path], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run([str(c) for c in cmd], cwd=cwd, check=True, env={**os.environ, **GIT_ID},
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--data-mb", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        ours = work / "ours"
        ours.mkdir()
        sh(BIN / "mlops-scaffold", "new", "p", "--level", "0", "--defaults", cwd=ours)
        add_user_content(ours / "p", args.files, args.data_mb)

        template = template_repo(work)
        theirs = work / "theirs"
        sh(BIN / "copier", "copy", "--trust", "--defaults", "--vcs-ref", "v0.0.0",
           "-d", "project_name=p", "-d", "level=0", template, theirs / "p", cwd=work)  # fmt: skip
        sh("git", "init", "-q", "-b", "main", cwd=theirs / "p")
        sh("git", "add", "--all", cwd=theirs / "p")
        sh("git", "commit", "-qm", "copier v0", cwd=theirs / "p")
        add_user_content(theirs / "p", args.files, args.data_mb)

        print(f"upgrade 0 -> 1 with {args.files} user files and {args.data_mb} MB ignored data")
        a = timed([BIN / "mlops-scaffold", "upgrade", ours / "p", "--defaults"], work)
        b = timed([BIN / "copier", "update", "--trust", "--defaults", "--vcs-ref", "v1.0.0",
                   "-d", "level=1", "-d", "orchestrator=both", theirs / "p"], work)  # fmt: skip
        print(f"mlops-scaffold upgrade   {a:6.2f} s (goal <= 2 s)")
        print(f"copier update            {b:6.2f} s")
        print(f"ratio {a / b:.2f} (goal <= 0.50)")


if __name__ == "__main__":
    main()

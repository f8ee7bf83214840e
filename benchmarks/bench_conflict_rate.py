"""How often an upgrade stops with conflicts after random team edits.

The edits are those of tests/upgrade/test_properties.py (insert, replace or delete a random
line of a file the template owns, add a file, rename one), drawn from a seeded generator so
two versions of the tool see the same edits. Each example: `new` at level 0 or 1, the edits,
one commit, `upgrade` to the next level. Reports examples, conflicts, the rate, and the files
that conflicted. Run it with the tool version to measure on the import path:

    python benchmarks/bench_conflict_rate.py [--examples 100] [--seed 7]
"""

from __future__ import annotations

import argparse
import collections
import random
import shutil
import subprocess
import tempfile
from pathlib import Path

EDITABLE = [
    "README.md", "Makefile", "pyproject.toml", "src/churn/model.py", "src/churn/features.py",
    "src/churn/train.py", "src/churn/data.py", "tests/test_model.py", ".gitignore",
    "config/pipeline.yaml", "src/churn/pipeline/steps.py", "src/churn/config.py",
    ".pre-commit-config.yaml", "Dockerfile",
]  # fmt: skip
USER = ["-c", "user.name=b", "-c", "user.email=b@x", "-c", "commit.gpgsign=false"]


def random_edits(rng: random.Random) -> list[tuple[str, str, int, str]]:
    def text() -> str:
        body = "".join(
            rng.choice("abcdefghijklmnopqrstuvwxyz_ =#") for _ in range(rng.randint(1, 30))
        )
        return f"user {body.strip() or 'x'} marker"

    edits = []
    for _ in range(rng.randint(1, 6)):
        kind = rng.choice(["insert", "replace", "delete", "add_file", "rename"])
        if kind == "add_file":
            path = rng.choice(["notes.md", "src/churn/extra.py", "docs/a.md"])
        elif kind == "rename":
            path = rng.choice(["tests/test_data.py", "scripts/explore.py"])
        else:
            path = rng.choice(EDITABLE)
        edits.append((kind, path, rng.randint(0, 400), text()))
    return edits


def apply(repo: Path, edits) -> None:
    for kind, path, position, text in edits:
        target = repo / path
        if kind == "add_file":
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text + "\n")
            continue
        if not target.is_file():
            continue
        if kind == "rename":
            shutil.move(target, target.with_name("renamed_" + target.name))
            continue
        lines = target.read_text().splitlines()
        index = position % (len(lines) + 1)
        if kind == "insert":
            lines.insert(index, text)
        elif kind == "replace" and lines:
            lines[min(index, len(lines) - 1)] = text
        elif kind == "delete" and lines:
            del lines[min(index, len(lines) - 1)]
        target.write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    from scaffolder.new import NewRequest, create_project
    from scaffolder.upgrade.apply import UpgradeRequest, upgrade

    rng = random.Random(args.seed)
    conflicted = 0
    by_file: collections.Counter[str] = collections.Counter()
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.examples):
            level = rng.choice([0, 1])
            edits = random_edits(rng)
            request = NewRequest(name="churn", output_dir=Path(tmp) / str(i),
                                 given={"level": level}, defaults=True)  # fmt: skip
            repo = create_project(request).path
            apply(repo, edits)
            subprocess.run(["git", "add", "--all"], cwd=repo, check=True)
            subprocess.run(["git", *USER, "commit", "-qm", "edits", "--allow-empty"], cwd=repo,
                           check=True)  # fmt: skip
            result = upgrade(UpgradeRequest(path=repo, to=level + 1, defaults=True))
            if result.conflicts:
                conflicted += 1
                by_file.update(result.conflicts)
            shutil.rmtree(repo)
    rate = conflicted / args.examples
    print(f"examples {args.examples}, with conflicts {conflicted} ({rate:.0%})")
    print("conflicts by file: " + ", ".join(f"{p} {n}" for p, n in by_file.most_common()))


if __name__ == "__main__":
    main()

"""Generated project size per level: Python lines under `src/` + `tests/` and files tracked.

Goals (issue 18, the runtime library): level 3 at most 3,000 lines, level 2 at most 2,500, and
`new --level 3` fewer files than before the split (112 at templates 2.0.0). The platform's code
lives in mlops-scaffold-runtime; a generated project keeps what its team owns.

Run: `make bench` (or `python benchmarks/bench_size.py [-d KEY=VALUE ...]`), e.g.
`-d data_versioning=none` to measure without the DVC stages.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

BIN = Path(sys.executable).parent
GOALS = {2: 2500, 3: 3000}


def measure(project: Path) -> tuple[int, int]:
    """(Python lines under src/ and tests/, files tracked by git) of a generated project."""
    lines = sum(
        len(path.read_text(encoding="utf-8").splitlines())
        for folder in ("src", "tests")
        for path in (project / folder).rglob("*.py")
    )
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=project, capture_output=True, text=True, check=True
    ).stdout.split()
    return lines, len(tracked)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-d", "--data", action="append", default=[], help="answer KEY=VALUE")
    args = parser.parse_args()
    extra = [arg for pair in args.data for arg in ("--data", pair)]
    missed = []
    with tempfile.TemporaryDirectory() as tmp:
        for level in (1, 2, 3):
            name = f"size{level}"
            subprocess.run(
                [str(BIN / "mlops-scaffold"), "new", name, "--level", str(level), "--defaults",
                 "--output-dir", tmp, *extra],
                check=True, capture_output=True,
            )  # fmt: skip
            lines, files = measure(Path(tmp) / name)
            goal = GOALS.get(level)
            verdict = "" if goal is None else f"  goal <= {goal}: "
            verdict += "" if goal is None else ("ok" if lines <= goal else "MISSED")
            print(f"level {level}: {lines:5d} Python lines in src/ + tests/, {files:3d} files"
                  f"{verdict}")  # fmt: skip
            if goal is not None and lines > goal:
                missed.append(level)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

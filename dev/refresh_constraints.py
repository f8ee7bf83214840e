"""Rewrite templates/level0/constraints.txt: the exact versions, in a venv where a level-3
project with both orchestrators was installed by its own `make setup` (the end-to-end tests'
shared venv), of every package that project depends on, directly or not, with its extras.

    python dev/refresh_constraints.py /path/to/venv/bin/python

Run it after the end-to-end tests pass on a venv built from new pins (tests/e2e/constraints.txt):
the generated projects' `make setup`, CI and Dockerfiles then install the versions the suite
tested. Each pin carries the Python version it was resolved on as a marker, so a project on
another Python falls back to its pyproject ranges (`make lock` there pins its own venv).
Dependencies are read from the installed packages' metadata, so tools that only the tests
install (pre-commit, checkers) are left out.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "templates" / "level0" / "constraints.txt.jinja"

# Runs inside the venv: the closure of the roots' requirements, with markers evaluated there.
CLOSURE = r"""
import json, re, sys
from importlib import metadata
from packaging.requirements import Requirement

def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()

roots = json.loads(sys.argv[1])
dists = {norm(d.metadata["Name"]): d for d in metadata.distributions()}
done = {}  # package -> the extras whose requirements were followed ("" is the base)
todo = [Requirement(r) for r in roots]
while todo:
    req = todo.pop()
    name = norm(req.name)
    if name not in dists or (req.marker is not None and not req.marker.evaluate({"extra": ""})):
        continue
    wanted = {""} | set(req.extras)
    new = wanted - done.setdefault(name, set())
    done[name] |= new
    for text in dists[name].requires or []:
        sub = Requirement(text)
        if any(sub.marker is None or sub.marker.evaluate({"extra": e}) for e in new):
            todo.append(Requirement(str(sub).split(";")[0]))
print(json.dumps({name: dists[name].version for name in done}))
"""


GROUP = re.compile(r"\{%-? if (level >= \d|use_airflow|use_kubeflow) -?%\}")


def groups() -> dict[str, list[str]]:
    """The project's requirements by the template condition that adds them ("" for always),
    read from the level-0 pyproject template (which every level's pyproject comes from)."""
    found: dict[str, list[str]] = {}
    condition = ""
    for raw in (TARGET.parent / "pyproject.toml.jinja").read_text().splitlines():
        line = raw.strip()
        if match := GROUP.fullmatch(line):
            condition = match[1]
        elif line.startswith("{%") and "endif" in line:
            condition = ""
        requirement = line.removesuffix(",").strip('"')
        is_requirement = line.startswith('"') and any(op in requirement for op in "<>=")
        if is_requirement and not requirement.startswith(("setuptools", "wheel")):
            found.setdefault(condition, []).append(requirement)
    return found


def closure(python: str, roots: list[str]) -> dict[str, str]:
    result = subprocess.run(
        [python, "-c", CLOSURE, json.dumps(roots)], capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def _simplest(conditions: set[str]) -> str:
    """One condition for a set of alternatives: `level >= N` covers higher levels, and level 1
    covers both orchestrators (each needs level >= 1)."""
    if "" in conditions:
        return ""
    levels = sorted(int(c.rsplit(" ", 1)[1]) for c in conditions if c.startswith("level"))
    others = sorted(c for c in conditions if not c.startswith("level"))
    if levels and levels[0] == 1:
        return "level >= 1"
    return " or ".join([f"level >= {levels[0]}" for _ in levels[:1]] + others)


def main(python: str) -> int:
    version = subprocess.run(
        [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    needed: dict[str, set[str]] = {}  # package -> the conditions that bring it in
    pins: dict[str, str] = {}
    for condition, roots in groups().items():
        for name, pinned in closure(python, roots).items():
            needed.setdefault(name, set()).add(condition)
            pins[name] = pinned
    blocks: dict[str, list[str]] = {}
    for name in sorted(pins):
        key = _simplest(needed[name])
        blocks.setdefault(key, []).append(f'{name}=={pins[name]} ; python_version == "{version}"')
    lines = [
        "{%- set use_airflow = level >= 1 and orchestrator in ['airflow', 'both'] -%}",
        "{%- set use_kubeflow = level >= 1 and orchestrator in ['kubeflow', 'both'] -%}",
        "# The exact versions this project's dependencies were tested with by mlops-scaffold's",
        f"# suite, on Python {version} (the marker: on another Python the pyproject ranges apply).",
        "# `make setup`, CI and the Dockerfiles install with `-c constraints.txt`. After changing",
        "# dependencies, `make lock` re-pins this file to what the venv has installed.",
        *blocks.pop(""),
    ]
    for condition in sorted(blocks):
        lines += [f"{{%- if {condition} %}}", *blocks[condition], "{%- endif %}"]
    TARGET.write_text("\n".join(lines) + "\n")
    print(f"{TARGET}: {len(pins)} pins for Python {version}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else sys.executable))

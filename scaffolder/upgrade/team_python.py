"""The team's Python requirement against the versions the templates support: the one an
adoption records, and whether `make setup` finds an interpreter that satisfies it."""

from __future__ import annotations

import re

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion


def python_for(requires: str, supported: tuple[str, ...]) -> str | None:
    """The lowest supported minor version `requires` (a specifier, or a version as in
    .python-version) admits; None when it admits none of them or cannot be read."""
    text = requires.strip()
    if re.fullmatch(r"\d+\.\d+(\.\d+)?", text):
        text = f"=={'.'.join(text.split('.')[:2])}.*"
    try:
        spec = SpecifierSet(text)
    except InvalidSpecifier:
        return None
    for minor in supported:
        # A minor is admitted when some release of it is (3.10.0 ... 3.10.99).
        if any(spec.contains(f"{minor}.{micro}", prereleases=False) for micro in range(0, 100)):
            return minor
    return None


def interpreter_notes(requires_python: str | None, python_version: str) -> list[str]:
    """`make setup` makes the venv with python{VERSION}, else python3: say so when neither
    satisfies the team's requirement."""
    import shutil
    import subprocess

    if shutil.which(f"python{python_version}"):
        return []
    python3 = shutil.which("python3")
    found = None
    if python3:
        done = subprocess.run(
            [python3, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        found = done.stdout.strip() or None
    wanted = SpecifierSet(requires_python or f">={python_version}")
    try:
        ok = found is not None and wanted.contains(found)
    except InvalidVersion:
        ok = False
    if ok:
        return []
    return [
        f"your project needs Python {wanted} and python{python_version} is not on PATH"
        f"{f' (python3 is {found})' if found else ''}: install it (e.g. `uv python install "
        f"{python_version}` or your system's package) before `make setup`"
    ]

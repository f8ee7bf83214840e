"""Re-pin constraints.txt to the versions installed in this venv: `make lock`.

Run it after changing dependencies in pyproject.toml and a `make setup` that installed them
(with `make setup CONSTRAINTS=` to let pip choose new versions). Every pin gets this Python's
version as a marker, so a machine on another Python uses the pyproject ranges instead of
versions that may not exist for it. The project itself (installed editable) is left out.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HEADER = """\
# The exact versions this project's dependencies are installed with, on Python {version}
# (the marker: on another Python the pyproject ranges apply). `make setup`, CI and the
# Dockerfiles install with `-c constraints.txt`; `make lock` rewrote this file from .venv.
"""


def main(target: str = "constraints.txt") -> int:
    existing = Path(target).read_text(encoding="utf-8") if Path(target).is_file() else ""
    if "--hash" in existing:  # a team's own lock export: pins without hashes would replace it
        print(f"lock: {target} holds --hash pins from your lock tool; re-export it with that "
              "tool (e.g. `uv export --format requirements-txt -o constraints.txt`) instead",
              file=sys.stderr)  # fmt: skip
        return 1
    frozen = subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--exclude-editable", "--disable-pip-version-check"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    pins = sorted(
        (line for line in frozen.splitlines() if "==" in line and not line.startswith("#")),
        key=str.lower,
    )
    marker = f' ; python_version == "{version}"'
    text = HEADER.format(version=version) + "".join(f"{pin}{marker}\n" for pin in pins)
    Path(target).write_text(text)
    print(f"{target}: {len(pins)} pins for Python {version}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))

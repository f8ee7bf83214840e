"""After the walk: what a Dockerfile's command runs. An image whose command starts the
project's module or script (`uvicorn deployment.app:app`, `python serve.py`) that the repository
does not hold, or holds only as an empty file, runs nothing of the project."""

from __future__ import annotations

import re
from pathlib import Path

from scaffolder.assess.models import Fact
from scaffolder.assess.parse_dockerfile import instruction_words

# `uvicorn pkg.app:app`, `gunicorn -b :8000 pkg.wsgi:app`: the module of an ASGI/WSGI app
_APP = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*(\(\))?$")
# the language's or an OS's own images, which run only what the Dockerfile copies in
PLAIN_BASE = re.compile(r"^(python|pypy|ubuntu|debian|alpine|continuumio|miniconda\d?)(:|$)", re.I)
_SERVERS = {"uvicorn", "gunicorn", "hypercorn", "daphne"}


def run_targets(runs: str) -> list[str]:
    """The project files a Dockerfile command runs (paths ending `.py`, as written or from a
    module's name); empty when it runs anything else (a shell, a variable, a tool)."""
    words = instruction_words(runs)
    if not words or any("$" in w for w in words):
        return []
    first = words[0].rsplit("/", 1)[-1]
    if first in _SERVERS:
        apps = [w for w in words[1:] if _APP.match(w)]
        return [apps[0].split(":")[0].replace(".", "/") + ".py"] if len(apps) == 1 else []
    if re.match(r"^python(\d+(\.\d+)*)?$", first) and len(words) > 1:
        rest = [w for w in words[1:] if w not in ("-u", "-O", "-B")]
        if rest[:1] == ["-m"] and len(rest) > 1 and rest[1] in _SERVERS:
            return run_targets(" ".join(rest[1:]))  # `python -m uvicorn app.main:app`
        if rest[:1] == ["-m"] and len(rest) > 1 and re.match(r"^[A-Za-z_][\w.]*$", rest[1]):
            return [rest[1].replace(".", "/") + ".py"]
        if rest and rest[0].endswith(".py") and not rest[0].startswith("-"):
            return [rest[0].lstrip("./") if rest[0].startswith("./") else rest[0]]
    return []


def _holds_code(root: Path, rel: str) -> bool:
    try:
        return bool((root / rel).read_bytes().strip())
    except OSError:
        return True  # unreadable: do not guess


def images_running_nothing(root: Path, walked: list[tuple[str, ...]], facts: list[Fact]) -> None:
    """Mark `runs_nothing` on a Dockerfile's image whose command runs a project file that no
    folder of the repository holds (or holds empty): `app.py`, or the package form
    `pkg/app/__init__.py`, wherever the build context puts it."""
    paths = ["/".join(p) for p in walked]
    for fact in facts:
        if fact.kind != "docker.image":
            continue
        targets = run_targets(str(fact.detail.get("runs") or ""))
        base = str(fact.detail.get("base") or "").rsplit("/", 1)[-1]
        if not targets or fact.detail.get("builds_with") or not PLAIN_BASE.match(base):
            # a base image that brings its own app (tiangolo/uvicorn-gunicorn-fastapi's
            # main.py), or project code run while building: the image runs something
            continue
        target = targets[0]
        if target.startswith("/"):  # copied to a folder of the image: found by its name
            target = target.rsplit("/", 1)[-1]
        tail = target.rsplit("/", 1)[-1]
        module = target[: -len(".py")]
        names = (target, f"{module}/__init__.py", f"{module}/__main__.py")
        # the file itself, anywhere (COPY may move its folder), or a package of that name
        found = [
            p
            for p in paths
            if p in names
            or p.endswith(tuple("/" + n for n in names))
            or ("/" not in target and p.endswith("/" + tail))
        ]
        top = target.split("/", 1)[0] + "/"
        if not found and "/" in target and not any(("/" + p).count("/" + top) for p in paths):
            continue  # `pkg.app` of no folder `pkg/` here: an installed package's module
        if not found or not any(_holds_code(root, p) for p in found):
            fact.detail["runs_nothing"] = True

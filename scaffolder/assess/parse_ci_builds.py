"""The Dockerfiles a CI build step names, for every CI provider's parser: read from the step's
command (`docker build -f ...`, the context's `Dockerfile`), its working directory, the folders
it `cd`s into and the workflow's variables (`scan_image_builds.py` reads them against the
repository)."""

from __future__ import annotations

import posixpath
import re

# the Dockerfile a build names: `-f path` / `--file=path`, else the context's `Dockerfile`
_DOCKER_BUILD = re.compile(r"\bdocker\s+(?:buildx\s+)?build\b([^\n;&|]*)")
_DOCKER_FILE = re.compile(r"(?:-f|--file)[=\s]+(\S+)")
# `cd folder` before the build: the folder its relative context and `-f` are read from
_CD = re.compile(r"(?:^|[\n;&|]\s*)cd\s+([^\s;&|]+)")
_VARIABLE = re.compile(r"\$\{\{\s*env\.(\w+)\s*\}\}|\$\{(\w+)\}|\$(\w+)")


def _expand(text: str, env: dict[str, str]) -> str:
    """`${{ env.X }}`, `${X}` and `$X` replaced by the workflow's own values (a value that is
    itself a variable, a secret or an output stays unknown: its `$` is kept)."""

    def value(match: re.Match[str]) -> str:
        name = next(g for g in match.groups() if g)
        known = env.get(name)
        return known if isinstance(known, str) and "$" not in known else match.group(0)

    return _VARIABLE.sub(value, text)


def built_dockerfiles(
    run: str, with_: object = None, cwd: str = "", env: dict[str, str] | None = None
) -> list[str]:
    """The Dockerfiles a step builds (`docker build` commands, or build-push-action's `file:` /
    `context:`), as paths from the repository root; none when one of them cannot be read.
    A run step's paths are read from its working directory (`cwd`) and the folders it `cd`s
    into; `env` holds the workflow's values of the variables they name."""
    env = env or {}
    if isinstance(with_, dict) and (with_.get("file") or with_.get("context")):
        context = _expand(str(with_.get("context") or "."), env)
        names = [_expand(str(with_.get("file")), env) if with_.get("file") else ""]
        names = [names[0] or f"{context}/Dockerfile"]
    else:
        names = []
        text = _expand(re.sub(r"\\+[ \t]*\n", " ", run), env)  # continued lines
        for match in _DOCKER_BUILD.finditer(text):
            folder = cwd
            for cd in _CD.finditer(text[: match.start()]):
                target = cd.group(1).strip("\"'")
                if "$" in target or target in ("-", "~") or target.startswith(("/", "~")):
                    return []
                folder = posixpath.join(folder, target)
            args = match.group(1)
            words = args.split()
            if file := _DOCKER_FILE.search(args):
                names.append(posixpath.join(folder, file.group(1).strip("\"'")))
            elif words and not words[-1].startswith("-"):
                names.append(posixpath.join(folder, words[-1].strip("\"'"), "Dockerfile"))
            else:
                return []
    names = [posixpath.normpath(n.strip("\"'")) for n in names]
    return [] if any("$" in n or "\\" in n or n.startswith("..") for n in names) else names

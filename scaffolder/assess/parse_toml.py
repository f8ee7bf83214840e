"""Facts from TOML: pyproject dependencies and tool configuration, lock files."""

from __future__ import annotations

import re

from scaffolder.assess.models import Fact, Problem, Zone

LINTERS = ("ruff", "black", "flake8", "pylint", "mypy", "isort")
LOCK_FILES = {"uv.lock", "poetry.lock", "pdm.lock", "Pipfile.lock", "conda-lock.yml", "pixi.lock"}
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


DEV_GROUP = re.compile(
    r"(dev|tests?|lint(ing)?|docs?|typing|format|style|check|ci)([-_].*)?$", re.I
)


def _loads(text: str) -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    return tomllib.loads(text)


def dependency_name(spec: str) -> str:
    match = _NAME.match(spec)
    return match.group(1).lower().replace("_", "-") if match else ""


def parse_pyproject(text: str, path: str, zone: Zone) -> tuple[list[Fact], list[Problem]]:
    try:
        data = _loads(text)
    except Exception as exc:  # tomllib.TOMLDecodeError; its message carries the line
        match = re.search(r"line (\d+)", str(exc))
        line = int(match.group(1)) if match else 1
        return [], [
            Problem(path=path, line=line, category="toml", message=f"TOML error: {exc}", zone=zone)
        ]
    facts: list[Fact] = []
    project = data.get("project") if isinstance(data.get("project"), dict) else {}
    deps = [d for d in project.get("dependencies") or [] if isinstance(d, str)]
    poetry = (data.get("tool") or {}).get("poetry") if isinstance(data.get("tool"), dict) else None
    if isinstance(poetry, dict) and isinstance(poetry.get("dependencies"), dict):
        deps += [k for k in poetry["dependencies"] if k.lower() != "python"]
    extras = project.get("optional-dependencies") or {}
    extra_deps = [
        d
        for group in extras.values()
        if isinstance(group, list)
        for d in group
        if isinstance(d, str)
    ]
    groups = data.get("dependency-groups") or {}
    extra_deps += [
        d
        for group in groups.values()
        if isinstance(group, list)
        for d in group
        if isinstance(d, str)
    ]
    # PEP 735 groups (`uv add --group train`) declare what the project runs on when its
    # [project] list is empty; groups of tools for developing it (dev, test, lint) do not
    deps += [
        d
        for name, group in groups.items()
        if isinstance(group, list) and not DEV_GROUP.match(str(name))
        for d in group
        if isinstance(d, str)
    ]
    facts.append(
        Fact(
            kind="deps.declared",
            path=path,
            line=_line_of(text, "dependencies"),
            zone=zone,
            detail={
                "count": len(deps),
                "names": sorted({dependency_name(d) for d in deps + extra_deps}),
            },
        )
    )
    tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
    for linter in LINTERS:
        if linter in tool:
            facts.append(
                Fact(
                    kind="lint.config",
                    path=path,
                    line=_line_of(text, f"[tool.{linter}"),
                    zone=zone,
                    detail={"tool": linter},
                )
            )
    if "pytest" in tool:
        facts.append(
            Fact(kind="test.config", path=path, line=_line_of(text, "[tool.pytest"), zone=zone)
        )
    return facts, []


def parse_lock(path: str, zone: Zone) -> list[Fact]:
    return [
        Fact(
            kind="deps.lock", path=path, line=1, zone=zone, detail={"via": path.rsplit("/", 1)[-1]}
        )
    ]


def parse_requirements(text: str, path: str, zone: Zone) -> list[Fact]:
    """requirements*.txt: declared dependencies, and a lock when every line is pinned."""
    specs = [ln.split("#")[0].strip() for ln in text.splitlines()]
    specs = [s for s in specs if s and not s.startswith(("-", "--"))]
    facts = [
        Fact(
            kind="deps.declared",
            path=path,
            line=1,
            zone=zone,
            detail={"count": len(specs), "names": sorted({dependency_name(s) for s in specs})},
        )
    ]
    if specs and all("==" in s or "@" in s for s in specs):
        facts.append(
            Fact(
                kind="deps.lock",
                path=path,
                line=1,
                zone=zone,
                detail={"via": "pinned requirements"},
            )
        )
    return facts


def _line_of(text: str, needle: str) -> int:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else 1

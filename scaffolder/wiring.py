"""`mlops-scaffold check --wiring`: is config/mlops.yaml of an adopted project connected to the
team's code? Read statically (no import of the team's code, no venv needed): each entry point
is `module:function` naming a module of the project's own package with that top-level function,
and the target column is set. One line per problem, each naming what to write where."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

CONFIG = "config/mlops.yaml"
REQUIRED = ("load_data", "train")
OPTIONAL = ("evaluate",)


@dataclass
class Wiring:
    problems: list[str] = field(default_factory=list)
    wired: list[str] = field(default_factory=list)  # "load_data -> module:function"
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def unwired(repo: Path) -> list[str]:
    """The settings of config/mlops.yaml still to set (for adopt's closing message)."""
    found = check_wiring(repo)
    return [p.split(" ", 1)[0] for p in found.problems]


def _module_file(repo: Path, module: str) -> Path | None:
    parts = module.split(".")
    for root in (repo, repo / "src"):
        base = root.joinpath(*parts)
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file():
                return candidate
    return None


def _defines(path: Path, name: str, repo: Path) -> bool:
    from scaffolder.safe_read import read_optional

    try:
        tree = ast.parse(read_optional(path, root=repo) or "")
    except SyntaxError:
        return False
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            if node.name == name:
                return True
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                return True
        elif isinstance(node, ast.ImportFrom | ast.Import) and any(
            (a.asname or a.name.split(".")[-1]) == name for a in node.names
        ):
            return True
    return False


def check_wiring(repo: Path) -> Wiring:
    import yaml

    from scaffolder.errors import ScaffoldError
    from scaffolder.safe_read import read_optional

    result = Wiring()
    path = repo / CONFIG
    if not path.is_file():
        raise ScaffoldError(
            f"{repo} has no {CONFIG}: --wiring checks a project adopted around its own package "
            "at level 1 or higher (`mlops-scaffold adopt --level 1`)"
        )
    try:
        config = yaml.safe_load(read_optional(path, root=repo) or "") or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise ScaffoldError(f"{CONFIG} is not valid YAML{where}; fix it and run again") from None
    entries = config.get("entrypoints") if isinstance(config, dict) else None
    entries = entries if isinstance(entries, dict) else {}
    adapter = "the adapter.py of your package's mlops/"
    try:
        from scaffolder.state import load_state

        adapter = f"{load_state(repo).answers.package_dir}/mlops/adapter.py"
    except Exception:  # noqa: BLE001 - no readable state file: the generic words do
        pass
    for name in REQUIRED + OPTIONAL:
        spec = entries.get(name)
        if not spec:
            if name in REQUIRED:
                result.problems.append(
                    f"entrypoints.{name} in {CONFIG} is not set: name your function as "
                    f"module:function (its signature is in {adapter})"
                )
            continue
        module, _, function = str(spec).partition(":")
        if not function:
            result.problems.append(
                f"entrypoints.{name} in {CONFIG} is {spec!r}: write module:function"
            )
            continue
        found = _module_file(repo, module)
        if found is None:
            result.warnings.append(
                f"entrypoints.{name}: {module} is not a module of this repository; if it is "
                "installed, `make train` imports it"
            )
            result.wired.append(f"{name} -> {spec}")
        elif not _defines(found, function, repo):
            rel = found.relative_to(repo).as_posix()
            result.problems.append(f"entrypoints.{name} in {CONFIG}: {rel} defines no {function}")
        else:
            result.wired.append(f"{name} -> {spec}")
    if not (isinstance(config, dict) and config.get("target")):
        result.problems.append(
            f"target in {CONFIG} is not set: name the label column of the table load_data returns"
        )
    return result

"""What a team's repository says about its environment, read before `adopt` writes anything:
its requirements (requirement files, `[project]` dependencies and extras, `[dependency-groups]`,
Poetry's `[tool.poetry]` tables, `setup.cfg`, `environment.yml`), how it locks them (hashes,
uv/poetry/pdm lock files), its Python requirement and whether its version is dynamic.

Specifiers are read with `packaging`; a line it cannot read (an option, a URL) is skipped."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import Specifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

LOCK_FILES = {"uv.lock": "uv", "poetry.lock": "poetry", "pdm.lock": "pdm"}
# The command each lock-managing tool adds or changes a requirement with.
ADD_COMMAND = {"uv": "uv add", "poetry": "poetry add", "pdm": "pdm add"}


@dataclass(frozen=True)
class TeamRequirement:
    name: str  # canonical
    text: str  # as written (without hashes and comments)
    source: str  # the file (and table) it came from
    written: str = ""  # as the team wrote it when that is no PEP 508 text (Poetry's `^2.0`)

    @property
    def specifier(self) -> SpecifierSet:
        return Requirement(self.text).specifier


@dataclass
class TeamEnv:
    requirements: list[TeamRequirement] = field(default_factory=list)
    requirement_files: list[str] = field(default_factory=list)  # requirements*.txt found
    groups: list[str] = field(default_factory=list)  # [dependency-groups] names
    hashed: list[str] = field(default_factory=list)  # files pinning with --hash
    lock: str | None = None  # "uv", "poetry" or "pdm" when its lock file is there
    requires_python: str | None = None
    dynamic_version: bool = False

    def names(self) -> set[str]:
        return {r.name for r in self.requirements}


def _read(path: Path, repo: Path) -> str:
    from scaffolder.safe_read import read_optional

    return read_optional(path, root=repo) or ""


def _loads_toml(text: str) -> dict:
    from scaffolder.assess.parse_toml import _loads

    try:
        data = _loads(text)
    except Exception:  # noqa: BLE001 - an unreadable file tells us nothing
        return {}
    return data if isinstance(data, dict) else {}


def parse_requirement(line: str, source: str) -> TeamRequirement | None:
    """One PEP 508 requirement, or None for an option, an include, a path or a URL."""
    text = line.split(" #", 1)[0].strip()
    text = re.split(r"\s--hash[=\s]", text, maxsplit=1)[0].strip().rstrip("\\").strip()
    if not text or text.startswith(("#", "-", ".", "/")):
        return None
    try:
        req = Requirement(text)
    except InvalidRequirement:
        return None
    if req.url:
        return None
    return TeamRequirement(canonicalize_name(req.name), text, source)


def _requirement_lines(text: str) -> list[str]:
    """A requirements file's logical lines (continuations joined)."""
    return text.replace("\\\r\n", " ").replace("\\\n", " ").splitlines()


def _strings(values: object) -> list[str]:
    return [v for v in values if isinstance(v, str)] if isinstance(values, list) else []


def read_team_env(repo: Path) -> TeamEnv:
    env = TeamEnv()

    def add(lines: list[str], source: str) -> None:
        for line in lines:
            req = parse_requirement(line, source)
            if req is not None:
                env.requirements.append(req)

    files = sorted({*repo.glob("requirements*.txt"), *repo.glob("requirements/*.txt")})
    for path in [*files, repo / "constraints.txt"]:
        if not path.is_file():
            continue
        rel = path.relative_to(repo).as_posix()
        text = _read(path, repo)
        if re.search(r"(^|\s)--hash[=\s]", text, re.MULTILINE):
            env.hashed.append(rel)
        if path.name != "constraints.txt":
            env.requirement_files.append(rel)
        add(_requirement_lines(text), rel)
    pyproject = _loads_toml(_read(repo / "pyproject.toml", repo))
    project = pyproject.get("project")
    if isinstance(project, dict):
        add(_strings(project.get("dependencies")), "pyproject.toml")
        extras = project.get("optional-dependencies")
        for name, values in extras.items() if isinstance(extras, dict) else []:
            add(_strings(values), f"pyproject.toml [project.optional-dependencies] {name}")
        if isinstance(project.get("requires-python"), str):
            env.requires_python = project["requires-python"].strip()
        env.dynamic_version = "version" in _strings(project.get("dynamic"))
    groups = pyproject.get("dependency-groups")
    if isinstance(groups, dict):
        for name, values in groups.items():
            env.groups.append(name)
            add(_strings(values), f"pyproject.toml [dependency-groups] {name}")
    tool = pyproject.get("tool")
    pdm = tool.get("pdm") if isinstance(tool, dict) else None
    pdm_dev = pdm.get("dev-dependencies") if isinstance(pdm, dict) else None
    for name, values in pdm_dev.items() if isinstance(pdm_dev, dict) else []:
        add(_strings(values), f"pyproject.toml [tool.pdm.dev-dependencies] {name}")
    from scaffolder.upgrade.poetry_tables import poetry_tables

    for text, written, table in poetry_tables(pyproject):
        req = parse_requirement(text, f"pyproject.toml [{table}]")
        if req is not None:
            env.requirements.append(TeamRequirement(req.name, req.text, req.source, written))
    env.requirements += _setup_cfg(repo)
    env.requirements += _environment_yml(repo)
    env.lock = next((tool for f, tool in LOCK_FILES.items() if (repo / f).is_file()), None)
    return env


def _setup_cfg(repo: Path) -> list[TeamRequirement]:
    import configparser

    path = repo / "setup.cfg"
    if not path.is_file():
        return []
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(_read(path, repo))
    except configparser.Error:
        return []
    found = []
    for section, key in (("options", "install_requires"), ("options.extras_require", None)):
        if not parser.has_section(section):
            continue
        values = [parser[section][key]] if key and key in parser[section] else (
            list(parser[section].values()) if key is None else []
        )  # fmt: skip
        for value in values:
            for line in value.splitlines():
                req = parse_requirement(line, "setup.cfg")
                if req is not None:
                    found.append(req)
    return found


def conda_requirement(spec: str) -> str:
    """A conda spec as PEP 508: conda's `=1.5` (and `1.5`, `1.5.*`) is every 1.5 release,
    `==1.5.2=py311h1` an exact version with a build string (dropped)."""
    match = re.match(r"([A-Za-z0-9._-]+)\s*(.*)$", spec.strip())
    if match is None:
        return spec
    name, rest = match.group(1), match.group(2).replace(" ", "")
    if rest.startswith("=="):
        rest = "==" + rest[2:].split("=")[0]
    elif rest[:1] not in ("", "<", ">", "!", "~"):
        rest = f"=={rest.lstrip('=').split('=')[0].removesuffix('.*')}.*"
    return name + rest


def _environment_yml(repo: Path) -> list[TeamRequirement]:
    """Conda's `dependencies` (`name=1.2` is conda's spelling of `==`) and its `pip:` list."""
    import yaml

    for name in ("environment.yml", "environment.yaml"):
        path = repo / name
        if not path.is_file():
            continue
        try:
            data = yaml.safe_load(_read(path, repo))
        except yaml.YAMLError:
            return []
        deps = data.get("dependencies") if isinstance(data, dict) else None
        found = []
        for item in deps if isinstance(deps, list) else []:
            if isinstance(item, dict):
                lines = _strings(item.get("pip"))
            elif isinstance(item, str):
                lines = [conda_requirement(item.split("::")[-1])]
            else:
                continue
            for line in lines:
                req = parse_requirement(line, name)
                if req is not None and req.name not in ("python", "pip"):
                    found.append(req)
        return found
    return []


# --- versions ----------------------------------------------------------------------------


def _candidates(specs: list[SpecifierSet]) -> list[Version]:
    """Versions at and just past every bound either set names: if two sets admit a common
    version, one of these is in both."""
    found: set[Version] = set()
    for spec in specs:
        for one in spec:
            try:
                version = Version(one.version.rstrip(".*"))
            except InvalidVersion:
                continue
            release = version.release
            found.add(version)
            found.add(Version(".".join(map(str, (*release, 1)))))
            bumped = (*release[:-1], release[-1] + 1)
            found.add(Version(".".join(map(str, bumped))))
    return sorted(found)


def compatible(a: SpecifierSet, b: SpecifierSet) -> bool:
    """Whether some version satisfies both sets."""
    candidates = _candidates([a, b]) or [Version("0")]
    return any(a.contains(v, prereleases=True) and b.contains(v, prereleases=True)
               for v in candidates)  # fmt: skip


def narrowed(team: SpecifierSet, tool: SpecifierSet) -> SpecifierSet:
    """The team's range cut to what the tool needs: the strongest lower bound and the
    tightest upper bound of both, and every other specifier of both."""
    lower: Specifier | None = None
    upper: Specifier | None = None
    rest: list[Specifier] = []
    for one in [*team, *tool]:
        if one.operator in (">=", ">"):
            if (
                lower is None
                or Version(one.version) > Version(lower.version)
                or (Version(one.version) == Version(lower.version) and one.operator == ">")
            ):
                lower = one
        elif one.operator in ("<", "<="):
            if (
                upper is None
                or Version(one.version) < Version(upper.version)
                or (Version(one.version) == Version(upper.version) and one.operator == "<")
            ):
                upper = one
        elif str(one) not in {str(r) for r in rest}:
            rest.append(one)
    kept = [s for s in (lower, upper) if s is not None] + rest
    return SpecifierSet(",".join(str(s) for s in kept))


def tool_requirements(pyproject_text: str) -> list[Requirement]:
    """What the rendered pyproject needs: `[project]` dependencies and its extras."""
    project = _loads_toml(pyproject_text).get("project", {})
    lines = _strings(project.get("dependencies"))
    extras = project.get("optional-dependencies")
    for values in extras.values() if isinstance(extras, dict) else []:
        lines += _strings(values)
    found = []
    for line in lines:
        try:
            found.append(Requirement(line))
        except InvalidRequirement:
            continue
    return found


def resolve_hint(env: TeamEnv, req: TeamRequirement, need: str) -> str:
    """The command (or edit) that makes the team's pin admit `need`."""
    name = Requirement(req.text).name
    tool = "poetry" if "[tool.poetry." in req.source else env.lock
    if tool in ADD_COMMAND and req.source.startswith("pyproject.toml"):
        import shlex

        where = _add_where(tool, req.source)
        return f"run `{ADD_COMMAND[tool]}{where} {shlex.quote(name + need)}`"
    return f"change it to `{name}{need}` in {req.source.split(' ')[0]}"


# How each tool's add command names the table a requirement is in.
_GROUP_FLAG = {"uv": "--group", "poetry": "--group", "pdm": "-dG"}  # [dependency-groups]
_EXTRA_FLAG = {"uv": "--optional", "poetry": "--optional", "pdm": "-G"}  # optional-dependencies


def _add_where(lock: str, source: str) -> str:
    group = re.search(r"\[tool\.poetry\.group\.(.+)\.dependencies\]$", source)
    if group:
        return f" --group {group[1]}"
    if source.endswith("[tool.poetry.dev-dependencies]"):
        return " --group dev"
    if "[dependency-groups]" in source or "[tool.pdm.dev-dependencies]" in source:
        return f" {_GROUP_FLAG[lock]} {source.split()[-1]}"
    if "[project.optional-dependencies]" in source:
        return f" {_EXTRA_FLAG[lock]} {source.split()[-1]}"
    return ""


def conflicts(env: TeamEnv, needs: list[Requirement]) -> list[str]:
    """One line for each team requirement no version the pipeline can use satisfies."""
    by_name = {canonicalize_name(r.name): r for r in needs}
    lines = []
    for req in env.requirements:
        tool = by_name.get(req.name)
        if tool is None or compatible(req.specifier, tool.specifier):
            continue
        need = str(tool.specifier)
        lines.append(
            f"your {req.source} pins `{req.written or req.text}` and the pipeline needs "
            f"`{tool.name}{need}`; {resolve_hint(env, req, need)}"
        )
    return lines


def check_environment(repo: Path, pyproject_text: str | None, python_version: str) -> list[str]:
    """Refuse (one line, before anything is written) what cannot work: a team pin no version
    the pipeline needs satisfies, a Python requirement the templates do not support. Returns
    notes on what the team must know (an interpreter that is missing)."""
    from scaffolder.choices import PYTHON_VERSIONS
    from scaffolder.upgrade.land import UpgradeRefused
    from scaffolder.upgrade.team_python import interpreter_notes, python_for

    env = read_team_env(repo)
    if env.requires_python and python_for(env.requires_python, PYTHON_VERSIONS) is None:
        raise UpgradeRefused(
            f"your pyproject.toml requires Python {env.requires_python} and the templates support "
            f"{PYTHON_VERSIONS[0]} to {PYTHON_VERSIONS[-1]}; widen requires-python in "
            "pyproject.toml and run `mlops-scaffold adopt` again"
        )
    found = conflicts(env, tool_requirements(pyproject_text or ""))
    if found:
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        raise UpgradeRefused(f"{found[0]}{more}, then run `mlops-scaffold adopt` again")
    return lock_notes(env) + interpreter_notes(env.requires_python, python_version)


def lock_notes(env: TeamEnv) -> list[str]:
    """What `make setup` does with a lock it does not install from."""
    import shutil

    if env.lock == "uv" and not shutil.which("uv"):
        return ["uv.lock: `make setup` installs its pins (`uv export`, hashes checked) with the "
                "uv it puts into the venv (not with ENV_MANAGER=pip and no uv on PATH: then "
                "pyproject's ranges)"]  # fmt: skip
    if env.lock in ("poetry", "pdm"):
        export = {"poetry": "`poetry export -f requirements.txt -o requirements.txt` (Poetry 2 "
                            "needs `poetry self add poetry-plugin-export` first)",
                  "pdm": "`pdm export -o requirements.txt`"}[env.lock]  # fmt: skip
        return [
            f"{env.lock}.lock: `make setup` installs with pip and does not read it; "
            f"{export} puts its pins (with hashes) where `make setup` reads them"
        ]
    return []

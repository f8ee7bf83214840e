"""What a repository already says about itself, as answers for `adopt`: names, description and
author from pyproject, the README or git; the Python version from `requires-python`,
`.python-version` or CI; the CI provider from the files that exist. A value found here is
never replaced by a template default."""

from __future__ import annotations

import re
from pathlib import Path

from scaffolder import gitops
from scaffolder.answers import PYTHON_VERSIONS

_MINOR = re.compile(r"3\.(\d+)")


def _read(path: Path, repo: Path) -> str | None:
    """A team's file: a regular file inside the repository, size-capped, or None."""
    from scaffolder.safe_read import read_optional

    return read_optional(path, root=repo)


def _one_line(text: str) -> str:
    """What the repo says, made a one-line answer: whitespace runs (newlines too) become one
    space, other control characters go (the user did not type it; refusing would not help)."""
    printable = "".join(ch if ch.isprintable() or ch.isspace() else " " for ch in text)
    return " ".join(printable.split())


def _pyproject(repo: Path) -> dict:
    path = repo / "pyproject.toml"
    if not path.is_file():
        return {}
    try:
        from scaffolder.assess.parse_toml import _loads

        data = _loads(_read(path, repo) or "")
    except Exception:  # noqa: BLE001 - an unreadable pyproject tells us nothing
        return {}
    return data if isinstance(data, dict) else {}


def supported_python(text: str) -> str | None:
    """The lowest Python version `text` (a specifier or a version) allows that the template
    supports: ">=3.9" -> "3.10", "3.12.4" -> "3.12", "~=3.11" -> "3.11", ">=3.14" -> "3.14";
    None when it allows none of them."""
    from scaffolder.upgrade.team_python import python_for

    if re.fullmatch(r"\d+\.\d+(\.\d+)?", text.strip()):  # a version, as in .python-version
        # An older one than the template supports becomes the oldest it does.
        minor = tuple(int(x) for x in text.strip().split(".")[:2])
        oldest = PYTHON_VERSIONS[0]
        if minor < tuple(int(x) for x in oldest.split(".")):
            return oldest
        return python_for(text, PYTHON_VERSIONS)
    lowest = python_for(text, PYTHON_VERSIONS)
    if lowest is not None:
        return lowest
    # Below what the template supports ("<3.10", ">=3.8"): the oldest supported it allows.
    return python_for(text + ",>=3.10", PYTHON_VERSIONS) if _MINOR.search(text) else None


def python_version(repo: Path, project: dict) -> str | None:
    requires = project.get("requires-python")
    if isinstance(requires, str) and supported_python(requires):
        return supported_python(requires)
    pinned = repo / ".python-version"
    if pinned.is_file():
        first = (_read(pinned, repo) or "").strip().splitlines()
        if first and supported_python(first[0]):
            return supported_python(first[0])
    for workflow in sorted((repo / ".github" / "workflows").glob("*.y*ml")):
        found = re.search(
            r"python-version:\s*['\"]?(3\.\d+)",
            _read(workflow, repo) or "",
        )
        if found:
            return supported_python(found.group(1))
    return None


def ci_provider(repo: Path) -> str | None:
    if (repo / ".gitlab-ci.yml").is_file():
        return "gitlab"
    if any((repo / ".github" / "workflows").glob("*.y*ml")):
        return "github"
    return None


def readme_description(repo: Path) -> str | None:
    """The README's first paragraph of prose (no heading, badge, HTML or code), one line."""
    for name in ("README.md", "README.rst", "README.txt", "README"):
        path = repo / name
        if not path.is_file():
            continue
        paragraph: list[str] = []
        for line in (_read(path, repo) or "").splitlines():
            text = line.strip()
            skip = text.startswith(("#", "[!", "![", "<", "```", "=", "-", "|", ".."))
            if not text or skip:
                if paragraph:
                    break
                continue
            paragraph.append(text)
        if paragraph:
            prose = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", " ".join(paragraph))
            prose = re.sub(r"[*_`]", "", prose).strip()
            sentence = re.split(r"(?<=[.!?])\s", prose)[0]
            return sentence[:200] or None
    return None


def infer_answers(repo: Path) -> dict[str, object]:
    """Answers read from the repository; keys are left out where it says nothing."""
    inferred: dict[str, object] = {}
    project = _pyproject(repo).get("project", {})
    project = project if isinstance(project, dict) else {}
    if isinstance(project.get("name"), str):
        inferred["project_name"] = project["name"]
    if isinstance(project.get("description"), str) and _one_line(project["description"]):
        inferred["description"] = _one_line(project["description"])
    elif description := readme_description(repo):
        inferred["description"] = _one_line(description)
    authors = project.get("authors")
    if isinstance(authors, list) and authors and isinstance(authors[0], dict):
        name = authors[0].get("name")
        if isinstance(name, str) and _one_line(name):
            inferred["author"] = _one_line(name)
    if "author" not in inferred and (author := gitops.first_author(repo)):
        inferred["author"] = _one_line(author)
    if version := python_version(repo, project):
        inferred["python_version"] = version
    if ci := ci_provider(repo):
        inferred["ci"] = ci
    inferred.setdefault("project_name", repo.name)
    packages = team_packages(repo)
    if len(packages) == 1:
        inferred["package_name"], inferred["package_dir"] = packages[0]
    return inferred


# Top-level folders with an __init__.py that are not the team's importable package.
_NOT_PACKAGES = {
    "tests", "test", "docs", "doc", "notebooks", "scripts", "dags", "pipelines", "src",
    "build", "dist", "data", "models", "references", "reports", "config", "configs",
    "examples", "benchmarks", "site-packages", "venv", "env",
}  # fmt: skip


def team_packages(repo: Path) -> list[tuple[str, str]]:
    """The repository's own packages as (import name, folder): `src/NAME/` or `NAME/` at the
    top level, each holding an __init__.py."""
    found = [(p.parent.name, f"src/{p.parent.name}") for p in (repo / "src").glob("*/__init__.py")]
    for init in repo.glob("*/__init__.py"):
        name = init.parent.name
        if name.isidentifier() and not name.startswith((".", "_")) and name not in _NOT_PACKAGES:
            found.append((name, name))
    return sorted(found)

"""Release notes (questionnaire 3.2.8): notes are written for every release of the model code.

Evidence: a kept changelog or release-notes file (`CHANGELOG.md`, `RELEASE_NOTES.md`,
`HISTORY.md`, `CHANGES.rst`, at the top or under docs/, or a `release_notes/`/`releases/` folder
of Markdown; a changelog counts once it notes a release, a version or a dated entry, not as an
unfilled template), CI that publishes releases with notes (`gh release create`, release-drafter,
semantic-release, release-please, towncrier, git-cliff, commitizen), or code that writes them
(the runtime's `write_release_notes` on every promotion, a function of the project's own named
for release notes that writes or logs something).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

from scaffolder.assess.models import Fact, Zone

KIND = "release.notes"

CALLS = [
    ("mlops_runtime.release_notes.write_release_notes", KIND, "mlops-scaffold-runtime"),
    ("release_notes.write_release_notes", KIND, "mlops-scaffold-runtime"),
]
IMPORTS = [
    ("mlops_runtime.release_notes", KIND, "mlops-scaffold-runtime"),
    # the runtime's CD promotion and governed alias moves write them on every champion move
    ("mlops_runtime.cd.promote", KIND, "mlops-scaffold-runtime promotion"),
    ("mlops_runtime.governance.cli", KIND, "mlops-scaffold-runtime governance"),
]
TRIGGER_WORDS = ["release_notes", "changelog"]
CI_STEP = re.compile(
    r"\bgh\s+release\s+create|softprops/action-gh-release|actions/create-release|"
    r"release-drafter/release-drafter|semantic-release|release-please|changesets/action|"
    r"towncrier\s+build|git-cliff|\bcz\s+bump|conventional-changelog",
    re.I,
)
FILE = re.compile(r"^(release[-_ ]?notes?|change[-_ ]?log|changes|history)(\.(md|rst|txt))?$", re.I)
FOLDER = {"release_notes", "release-notes", "releases", "changelog"}
# a release a changelog notes: a version (`## [1.2.0]`, `v0.3`, `Version 2.1`) or a date heading
RELEASE_ENTRY = re.compile(
    r"^\W{0,8}(\[?v?\d+\.\d+(\.\d+)?\b|(version|release)\s+v?\d+\.\d+|\d{4}-\d{2}-\d{2})",
    re.I | re.M,
)
NAME = re.compile(r"release_?notes?|changelog", re.I)
WRITES = {"write", "write_text", "open", "log_text", "log_artifact", "log_dict", "dump"}


def file_facts(parts: tuple[str, ...], zone: Zone, read: Callable[[], str | None]) -> list[Fact]:
    name, folders = parts[-1], parts[:-1]
    top = not folders or (len(folders) == 1 and folders[0].lower() in ("docs", "doc"))
    zone = Zone.SOURCE if zone is Zone.DOCS else zone  # notes are documentation by nature
    if top and FILE.match(name):
        text = read()
        if not text or not RELEASE_ENTRY.search(text):
            return []  # an unfilled template (`x.y.z`), "no releases yet": no release noted
        return [Fact(kind=KIND, path="/".join(parts), zone=zone, detail={"tool": "changelog"})]
    if (
        folders
        and folders[-1].lower() in FOLDER
        and len(folders) <= 2
        and name.lower().endswith((".md", ".rst"))
    ):
        return [Fact(kind=KIND, path="/".join(parts), zone=zone, detail={"tool": "release notes"})]
    return []


def function_facts(name: str, node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[tuple]:
    if not NAME.search(name):
        return []
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            func = call.func
            last = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if last in WRITES:
                return [(KIND, {"name": name, "tool": "own generator"})]
    return []

"""What a CI step's pytest commands run: the test files and folders they name
(`python -m pytest tests/test_temporal_safety.py tests/test_new_modules.py`). A suite a step
does not name is not run by it: an API test beside those files tests nothing on a change."""

from __future__ import annotations

import posixpath
import re
import shlex

_SEGMENTS = re.compile(r"\n|&&|\|\||;|\|")
_PYTEST = re.compile(r"(?:^|\s)(?:python[\d.]*\s+-m\s+)?(?:pytest|py\.test)(?=\s|$)")
_CHANGES_FOLDER = re.compile(r"(^|[\s;&|(])(cd|pushd)\s")
# pytest options whose value is the next word (`-k "not slow"`, `--cov src`, `--ignore tests/x`)
_VALUED = {
    "-k",
    "-m",
    "-c",
    "-p",
    "-n",
    "-o",
    "-W",
    "-r",
    "--rootdir",
    "--junitxml",
    "--junit-xml",
    "--cov",
    "--cov-report",
    "--cov-config",
    "--cov-fail-under",
    "--maxfail",
    "--durations",
    "--tb",
    "--log-level",
    "--ignore",
    "--ignore-glob",
    "--deselect",
    "--timeout",
    "--reruns",
    "--basetemp",
    "--confcutdir",
    "--html",
    "--dist",
}


def pytest_targets(text: str, folder: str = "") -> list[str] | None:
    """The paths (from the repository root) the step's pytest commands name; None when one of
    them names none (it collects every test) or the paths are not known (a `cd`, a variable,
    a glob, a working directory named by a variable)."""
    text = text.replace("\\\n", " ")
    if "$" in folder or _CHANGES_FOLDER.search(text):
        return None
    found: list[str] = []
    for segment in _SEGMENTS.split(text):
        command = _PYTEST.search(segment)
        if not command:
            continue
        try:
            words = shlex.split(segment[command.end() :])
        except ValueError:
            return None
        paths, skip = [], False
        for word in words:
            if skip:
                skip = False
            elif word.startswith("-"):
                skip = word in _VALUED
            else:
                paths.append(word)
        if not paths or any(re.search(r"[$*?{]", p) for p in paths):
            return None
        for path in paths:
            path = path.split("::")[0]
            path = posixpath.normpath(posixpath.join(folder.strip() or ".", path))
            if path.startswith(".."):
                return None
            found.append("" if path == "." else path)
    if "" in found:
        return None  # `pytest .`: every test of the repository
    return found or None

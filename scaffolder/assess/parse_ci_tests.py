"""What a CI step's test commands run: the test files and folders pytest is given
(`python -m pytest tests/test_temporal_safety.py tests/test_new_modules.py`), the dotted names
given to `python -m unittest`, the test folders a command names. A suite a step does not name
is not run by it: an API test beside those files tests nothing on a change."""

from __future__ import annotations

import posixpath
import re
import shlex

from scaffolder.assess.parse_ci import INSTALL, PRINTED, STEP_KINDS, _relative

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


# `python -m unittest a.b.C.test_x`: the dotted names it is given (not `discover`, no options)
_UNITTEST = re.compile(r"\bpython\d?(?:\.\d+)?\s+-m\s+unittest\b([^\n;&|]*)")

# options taking no value (`-k PATTERN` would read as a name)
_UNITTEST_FLAGS = {"-v", "-q", "-b", "-f", "-c", "--verbose", "--quiet", "--buffer", "--failfast"}


def unittest_targets(text: str) -> list[str]:
    """The dotted test names a step gives `python -m unittest`, when that command is the only
    test command of the step (a `pytest` beside it, or discovery, runs tests by itself)."""
    text = PRINTED.sub("", INSTALL.sub("", text))
    commands = list(_UNITTEST.finditer(text))
    if not commands or STEP_KINDS["test"].search(_UNITTEST.sub(" ", text)):
        return []
    targets: list[str] = []
    for command in commands:
        words = command.group(1).split()
        named = [w for w in words if not w.startswith("-")]
        if (
            not named
            or any(w.startswith("-") and w not in _UNITTEST_FLAGS for w in words)
            or "discover" in named
            or any(not w.isidentifier() for w in (p for n in named for p in n.split(".")))
        ):
            return []
        targets.extend(named)
    return targets


_TEST_PATH = re.compile(r"^(\./)?[\w./-]*tests?[\w./-]*(::\w+)?$", re.I)


def test_paths(text: str) -> list[str]:
    """Test folders/files a command names (`pytest tests/integration/ -v`): a step running an
    integration suite counts by what those hold."""
    paths = []
    for token in re.split(r"[\s;&|]+", INSTALL.sub("", text)):
        named = "/" in token or token.endswith(".py")
        if named and _TEST_PATH.match(token) and "$" not in token and not token.startswith("-"):
            path = _relative(token.split("::")[0]).rstrip("/")
            if path and path not in paths:
                paths.append(path)
    return paths

"""One pass over a tree: classify each file by zone and kind, parse it, collect the facts.

Tests, examples, docs, vendored code and notebooks are zones of their own, so a tutorial DAG
under `examples/` is seen but does not count as the project's pipeline. Virtual environments,
data, run outputs, dependency folders and the top-level folders `.gitignore` names are skipped.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from scaffolder.assess import (
    detect_dvc,
    parse_terraform,
)
from scaffolder.assess.config_names import named_config
from scaffolder.assess.models import AssessError, Fact, Facts, Problem
from scaffolder.assess.python_inert import mark_inert_stage_runs
from scaffolder.assess.scan_ci_links import (
    _gitlab_includes,
    _local_actions,
    _missing_pipeline_scripts,
    _scripts_of_ci,
    _seed_code_tests,
    _serving_builds,
)
from scaffolder.assess.scan_config_reads import unread_thresholds
from scaffolder.assess.scan_file import _file
from scaffolder.assess.scan_image_builds import image_builds
from scaffolder.assess.scan_images import images_running_nothing

SKIP_DIRS = {
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    ".env",
    "env",
    "node_modules",
    "data",
    "mlruns",
    "mlartifacts",
    "__pycache__",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    "site-packages",
    ".airflow",
    ".ipynb_checkpoints",
    ".eggs",
    "build",
    "dist",
    ".cache",
    ".idea",
    ".vscode",
    ".dvc",
    "htmlcov",
    "wandb",
    "lightning_logs",
}
SHALLOW_DIRS = {"data": (".py",), "build": (".py", ".yaml", ".yml")}
KEEP_HIDDEN = {
    ".github",
    ".gitlab",
    ".circleci",
    ".devcontainer",
    ".pipelines",
    ".azuredevops",
    ".azure-pipelines",
    ".azure",
    ".cloud-build",  # Cloud Build configs kept in a folder of their own
    ".cloudbuild",
}


def _gitignored_dirs(root: Path) -> set[str]:
    """Plain folder names and paths from the top-level .gitignore (no wildcards, no negation)."""
    from scaffolder.safe_read import read_optional

    result: set[str] = set()
    # A regular file inside the repository only: `.gitignore -> /dev/zero` is skipped.
    text = read_optional(root / ".gitignore", root=root, what=".gitignore")
    # `!.github/workflows/` after `.github/`: the author keeps what is under that folder, so
    # the folder is read (its files are in the repository, tracked before the rule or added)
    kept = [
        ln.strip()[1:].strip("/") for ln in (text or "").splitlines() if ln.strip().startswith("!")
    ]
    for raw in (text or "").splitlines():
        entry = raw.strip()
        if any(k == entry.strip("/") or k.startswith(entry.strip("/") + "/") for k in kept):
            continue
        if (
            not entry
            or entry.startswith(("#", "!"))
            or any(c in entry for c in "*?[")
            or not entry.endswith("/")
        ):
            continue
        result.add(entry.strip("/"))
    return result


def scan(root: Path) -> Facts:
    """Walk `root` once and return every fact found; never raises on a damaged file."""
    if not root.is_dir():
        raise AssessError(f"{root} is not a folder; pass the path of a repository checkout")
    facts: list[Fact] = []
    problems: list[Problem] = []
    skipped: list[str] = []
    files = 0
    walked: list[tuple[str, ...]] = []  # the files read, for the whole-tree passes
    ignored = _gitignored_dirs(root)
    if (root / ".git").exists():
        facts.append(Fact(kind="vcs.git", path=".git", line=1))
    if (root / ".mlops-scaffold.yml").is_file():
        facts.append(Fact(kind="scaffold.state", path=".mlops-scaffold.yml", line=1))
    stack = [(str(root), ())]
    while stack:
        directory, rel = stack.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            skipped.append("/".join(rel) or ".")
            continue
        for entry in entries:
            name = entry.name
            parts = (*rel, name)
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                relpath = "/".join(parts)
                if name in SHALLOW_DIRS and relpath not in ignored:
                    # data/ and build/ are skipped, but they must not hide code: their own
                    # Python files (data checks) and build definitions (Cloud Build YAML) are
                    # read, nothing deeper
                    files += _shallow(entry.path, parts, SHALLOW_DIRS[name], facts, problems)
                    if name == "data":
                        files += _data_parameters(entry.path, parts, facts, problems)
                if (
                    (name in SKIP_DIRS and not (name == "build" and _source_build(entry.path)))
                    or (name.startswith(".") and name not in KEEP_HIDDEN)
                    or relpath in ignored
                    or name.endswith(".egg-info")
                    or os.path.exists(os.path.join(entry.path, "pyvenv.cfg"))
                ):
                    skipped.append(relpath)
                    continue
                stack.append((entry.path, parts))
                continue
            if not entry.is_file(follow_symlinks=False):
                continue
            files += 1
            walked.append(parts)
            try:
                _file(entry.path, parts, facts, problems)
            except Exception as exc:  # noqa: BLE001 - one odd file must never stop an assessment
                problems.append(
                    Problem(
                        path="/".join(parts),
                        line=1,
                        category="internal",
                        message=f"not understood ({type(exc).__name__}: {exc})",
                    )
                )
    _gitlab_includes(root, facts, problems)
    _local_actions(root, facts)
    facts.extend(detect_dvc.dvc_facts(root))  # .dvc/config and .dvc files, data/ included
    _scripts_of_ci(facts)
    _missing_pipeline_scripts(root, facts)
    _seed_code_tests(facts)
    mark_inert_stage_runs(root, facts)
    image_builds(root, facts)  # before: it names the Dockerfiles as the walk found them
    _serving_builds(facts)
    images_running_nothing(root, walked, facts)
    unread_thresholds(root, walked, facts)
    parse_terraform.workspace_insights(facts)
    facts.sort(key=lambda f: (f.path, f.line, f.kind))
    problems.sort(key=lambda p: (p.path, p.line))
    return Facts(files_scanned=files, skipped=sorted(skipped), facts=facts, problems=problems)


def _source_build(directory: str) -> bool:
    """A `build/` folder of sources (CI definitions, build scripts), not a build's output
    (`build/lib`, `build/bdist.*`)."""
    try:
        names = os.listdir(directory)
    except OSError:
        return False
    outputs = [n for n in names if n == "lib" or n.startswith(("bdist.", "temp.", "scripts-"))]
    return not outputs and any(n.endswith((".py", ".yaml", ".yml", ".sh")) for n in names)


def _shallow(
    directory: str,
    rel: tuple[str, ...],
    suffixes: tuple[str, ...],
    facts: list[Fact],
    problems: list[Problem],
) -> int:
    count = 0
    try:
        entries = [e for e in os.scandir(directory) if e.name.endswith(suffixes)]
    except OSError:
        return 0
    for entry in entries:
        if entry.is_file(follow_symlinks=False):
            count += 1
            _file(entry.path, (*rel, entry.name), facts, problems)
    return count


PARAMETER_SUFFIXES = (".json", ".yaml", ".yml", ".toml")
CONFIG_FOLDERS = {"config", "configs", "conf", "confs", "params"}


def _data_parameters(
    directory: str, rel: tuple[str, ...], facts: list[Fact], problems: list[Problem]
) -> int:
    """Parameter files a team keeps beside its data (`data/input/hyperparameters.json`, the
    layout SageMaker mounts; `data/configs/03_fe.json`): read by name or by a config folder, two
    levels down at most, nothing else of data/ (a dataset's files are never opened)."""
    count = 0
    pending = [(directory, rel, 0)]
    while pending:
        folder, parts, depth = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries[:500]:
            path = (*parts, entry.name)
            if entry.is_dir(follow_symlinks=False):
                if depth < 2 and not entry.name.startswith("."):
                    pending.append((entry.path, path, depth + 1))
                continue
            if not entry.name.lower().endswith(PARAMETER_SUFFIXES):
                continue
            if entry.is_file(follow_symlinks=False) and (
                named_config(entry.name) or parts[-1].lower() in CONFIG_FOLDERS
            ):
                count += 1
                _file(entry.path, path, facts, problems)
    return count


def head_commit(root: Path) -> str | None:
    """The checked-out commit, read from .git without running git (a fleet needs no git calls)."""
    from scaffolder.safe_read import read_optional

    def read(path: Path) -> str:
        text = read_optional(path, limit=1 << 16)
        if text is None:
            raise OSError(str(path))
        return text

    git = root / ".git"
    try:
        if git.is_file():  # a worktree or submodule: "gitdir: <path>"
            target = read(git).split(":", 1)[1].strip()
            git = (root / target).resolve()
        head = read(git / "HEAD").strip()
    except (OSError, IndexError):
        return None
    if not head.startswith("ref:"):
        return head or None
    ref = head[4:].strip()
    common = git
    commondir = git / "commondir"
    try:
        if commondir.is_file():
            common = (git / read(commondir).strip()).resolve()
        for base in (git, common):
            ref_file = base / ref
            if ref_file.is_file():
                return read(ref_file).strip() or None
        packed = read(common / "packed-refs") if (common / "packed-refs").is_file() else ""
    except OSError:
        return None
    if packed:
        for line in packed.splitlines():
            if line.endswith(" " + ref):
                return line.split()[0]
    return None


__all__ = ["scan", "head_commit", "PurePosixPath"]

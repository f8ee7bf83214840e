"""DVC as evidence of versioned data: `.dvc/config` (a DVC repository and its default remote) and
`.dvc` files (data tracked by `dvc add`), wherever they are, `data/` included.

The main walk skips `.dvc/` and reads `data/` shallowly, so this detector walks for `*.dvc`
itself, bounded (depth, entries, file size), reading regular files inside the repository only
and parsing each `.dvc` file as YAML: a file counts only when it has `outs` with a `path`.
`dvc.yaml` stages, `dvc.lock` (`parse_manifests`) and `import dvc.api` (`detect_python`) are
found by the other scanners.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from scaffolder.assess.models import Fact, Zone
from scaffolder.assess.parse_yaml import YMap

MAX_DEPTH = 8
MAX_ENTRIES = 20_000  # directory entries looked at, so a huge data folder cannot stall a scan
MAX_DVC_FILE = 64 * 1024
# Never looked into: environments, caches, and DVC's own cache and remotes.
SKIP = {".git", ".dvc", ".venv", "venv", "node_modules", "__pycache__", "site-packages",
        "mlruns", ".airflow", ".tox", ".nox", "dvc-storage"}  # fmt: skip


def _outs(text: str) -> list[str]:
    import yaml

    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError:
        return []
    outs = doc.get("outs") if isinstance(doc, dict) else None
    return [str(o["path"]) for o in outs or [] if isinstance(o, dict) and o.get("path")]


def _remote(root: Path) -> str | None:
    """The default remote's name from `.dvc/config` ("" when none is set), None without DVC."""
    from scaffolder.safe_read import read_optional

    text = read_optional(root / ".dvc" / "config", root=root, limit=MAX_DVC_FILE)
    if text is None:
        return None
    section = ""
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("["):
            section = line.strip("[]").strip().strip("'\"")
        elif section == "core" and "=" in line:
            key, _, value = line.partition("=")
            if key.strip() == "remote":
                return value.strip()
    return ""


def dvc_facts(root: Path) -> list[Fact]:
    """`dvc.repo` for `.dvc/config` and `dvc.data` for each `.dvc` file with outputs (parsed;
    the main walk's `dvc.tracked` names the `.dvc` files it passes, unread)."""
    from scaffolder.safe_read import read_optional

    facts: list[Fact] = []
    remote = _remote(root)
    if remote is not None:
        facts.append(Fact(kind="dvc.repo", path=".dvc/config", detail={"remote": remote}))
    seen = 0
    stack: list[tuple[str, tuple[str, ...]]] = [(str(root), ())]
    while stack and seen < MAX_ENTRIES:
        directory, rel = stack.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            seen += 1
            parts = (*rel, entry.name)
            try:
                if entry.is_dir(follow_symlinks=False):
                    if (
                        entry.name not in SKIP
                        and len(parts) < MAX_DEPTH
                        and not (os.path.exists(os.path.join(entry.path, "pyvenv.cfg")))
                    ):
                        stack.append((entry.path, parts))
                    continue
                if not (entry.name.endswith(".dvc") and entry.is_file(follow_symlinks=False)):
                    continue
            except OSError:
                continue
            text = read_optional(entry.path, root=root, limit=MAX_DVC_FILE)
            outs = _outs(text) if text is not None else []
            if outs:
                facts.append(
                    Fact(
                        kind="dvc.data",
                        path="/".join(parts),
                        zone=Zone.SOURCE,
                        detail={"outs": outs[:10]},
                    )  # fmt: skip
                )
    return facts


def dvc_artifacts(doc: Any, path: str, zone: Zone) -> list[Fact]:
    """`artifacts:` of type model in dvc.yaml: the DVC model registry (GTO)."""
    artifacts = doc.get("artifacts") if isinstance(doc, YMap) else None
    if not isinstance(artifacts, YMap):
        return []
    return [
        Fact(
            kind="registry.model",
            path=path,
            line=artifacts.line_of(name),
            zone=zone,
            detail={"tool": "DVC model registry"},
        )
        for name, body in artifacts.items()
        if isinstance(body, dict) and str(body.get("type")) == "model"
    ]


def stage_runs(stage: Any, folder: str) -> dict[str, Any]:
    """The project's Python a `dvc.yaml` stage's `cmd` runs (`python src/train.py`, `python -m
    src.modeling.train`), as `runs`: script paths from the repository's root, or module names.
    A stage whose command runs anything else (a shell script, a tool) records none."""
    from scaffolder.assess.parse_ci import scripts_run

    if not isinstance(stage, dict):
        return {}
    cmd = stage.get("cmd")
    text = "\n".join(str(c) for c in cmd) if isinstance(cmd, list) else str(cmd or "")
    wdir = str(stage.get("wdir") or "")
    base = os.path.normpath(os.path.join(folder, wdir)) if (folder or wdir) else ""
    runs = []
    for run in scripts_run(text):
        if "module" in run:
            runs.append(str(run["module"]))
        elif str(run["script"]).endswith(".py"):
            script = str(run["script"])
            runs.append(os.path.normpath(os.path.join(base, script)) if base else script)
    return {"runs": runs} if runs else {}

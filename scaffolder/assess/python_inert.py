"""A module that runs nothing when it is run: its body only imports, defines functions and
classes, and names constants (a compatibility module re-exporting another's functions), with no
`if __name__ == "__main__":` block. `python -m src.modeling.train` over such a module imports it
and exits. After the walk, the scripts and modules `dvc.yaml` stages run (`runs`) are read so;
those that run nothing are recorded on the stage as `inert`."""

from __future__ import annotations

import ast
from pathlib import Path

from scaffolder.assess.models import Fact
from scaffolder.assess.scan_file import _text

DEFINITIONS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def runs_nothing(tree: ast.Module) -> bool:
    if not tree.body:
        return False  # an empty file says nothing
    for node in tree.body:
        if isinstance(node, DEFINITIONS):
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the docstring
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and not any(
            isinstance(n, ast.Call) for n in ast.walk(node)
        ):
            continue  # `__all__ = [...]`, a constant
        return False
    return True


def _module_file(root: Path, run: str) -> str | None:
    """The repository file a stage's script or module (`src.modeling.train`) is."""
    if run.endswith(".py"):
        candidates = [run]
    else:
        base = run.replace(".", "/")
        candidates = [f"{base}.py", f"{base}/__main__.py", f"src/{base}.py"]
    return next((c for c in candidates if (root / c).is_file()), None)


def mark_inert_stage_runs(root: Path, facts: list[Fact]) -> None:
    for stage in [f for f in facts if f.kind == "dvc.stage" and f.detail.get("runs")]:
        inert = []
        for run in stage.detail["runs"]:
            rel = _module_file(root, str(run))
            text = _text(str(root / rel)) if rel else None
            try:
                tree = ast.parse(text) if text is not None else None
            except (SyntaxError, ValueError):
                tree = None
            if tree is not None and runs_nothing(tree):
                inert.append(run)
        if inert:
            stage.detail["inert"] = inert

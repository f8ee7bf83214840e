"""`sys.path.insert(0, str(Path(__file__).parent.parent))`: the folder a script puts on the
import path, so its absolute imports (`from monitoring.drift_detector import DriftDetector`)
name modules under that folder of the project (`src_clean/monitoring/drift_detector.py`); and
the package of a folder above the file's own that an import names when the script runs from
there (`ancestor_module`)."""

from __future__ import annotations

import ast
import os

SYS_PATH_CALLS = ("sys.path.insert", "sys.path.append")


def _ups(node: ast.AST) -> int | None:
    """How many folders above the file's own folder `node` names (None: not one of them)."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "str":
        return _ups(node.args[0]) if node.args else None
    if isinstance(node, ast.Attribute) and node.attr == "parent":
        inner = _ups(node.value)
        return None if inner is None else inner + 1
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr in ("resolve", "absolute"):
            return _ups(node.func.value)
        if node.func.attr == "dirname" and node.args:
            inner = _ups(node.args[0])
            return None if inner is None else inner + 1
        if node.func.attr in ("abspath", "realpath") and node.args:
            return _ups(node.args[0])
        if node.func.attr == "join" and node.args:
            # os.path.join(os.path.dirname(__file__), "..", "../"): each ".." one folder up
            inner = _ups(node.args[0])
            parts = [a.value for a in node.args[1:] if isinstance(a, ast.Constant)]
            if inner is None or len(parts) < len(node.args) - 1:
                return None
            names = [n for p in parts if isinstance(p, str) for n in p.split("/") if n]
            if any(n != ".." for n in names):
                return None
            return inner + len(names)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "Path"
        and node.args
    ):
        return _ups(node.args[0])
    if isinstance(node, ast.Name) and node.id == "__file__":
        return -1  # the file itself: its folder is one `.parent`/`dirname` up
    return None


def import_base(call: ast.Call, qualified: str, path: str) -> str | None:
    """The dotted folder `sys.path.insert/append` adds, relative to the repository root."""
    if qualified not in SYS_PATH_CALLS or not call.args:
        return None
    folder = path.split("/")[:-1]
    arg = call.args[-1]
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return _relative_base(arg.value, folder)
    ups = _ups(arg)
    if ups is None or ups < 0:
        return None
    if ups > len(folder):
        return None
    return ".".join(folder[: len(folder) - ups])


def _relative_base(text: str, folder: list[str]) -> str | None:
    """`sys.path.append("..")`, `sys.path.append("../steps")`: a folder above the file's own,
    as a notebook (run from its folder, as Databricks runs them) names it. A path that does not
    start by going up (`"src"`, an absolute path) depends on where the script is run from."""
    parts = [p for p in text.strip().split("/") if p and p != "."]
    if not parts or parts[0] != "..":
        return None
    base = list(folder)
    for part in parts:
        if part == "..":
            if not base:
                return None
            base.pop()
        elif part.replace("_", "").replace("-", "").isalnum():
            base.append(part)
        else:
            return None
    return ".".join(base)


def ancestor_module(full: str, parts: tuple[str, ...], module: str) -> str | None:
    """The dotted name (from the repository's root) of `module` (`utils.model_mngt`) when a
    folder above the file's own holds it as a package's module: `machine_learning/utils/` for
    `machine_learning/transformers/batch_inference.py`. The nearest such folder wins; a module
    beside the file is a sibling (parse_python), not this."""
    names = module.split(".")
    folders = list(parts[:-1])
    root = full[: len(full) - len(os.path.join(*parts))]
    for depth in range(len(folders) - 1, -1, -1):
        base = os.path.join(root, *folders[:depth])
        if not os.path.isfile(os.path.join(base, names[0], "__init__.py")):
            continue  # a package there, not a stray module of the same name
        target = os.path.join(base, *names)
        if os.path.isfile(target + ".py") or os.path.isfile(os.path.join(target, "__init__.py")):
            return ".".join([*folders[:depth], *names])
    # the project's own package in a src layout (`src/pkg/`, installed by `pip install -e .`),
    # imported by a script outside it (`notebooks/train.py`: `from pkg.model import Model`)
    if folders[:1] != ["src"] and os.path.isfile(
        os.path.join(root, "src", names[0], "__init__.py")
    ):
        target = os.path.join(root, "src", *names)
        if os.path.isfile(target + ".py") or os.path.isfile(os.path.join(target, "__init__.py")):
            return ".".join(["src", *names])
    return None

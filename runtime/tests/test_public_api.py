"""The runtime's promise: importing it is cheap, its public API says what it does, and what
docs/runtime.md lists under "Public API" is what the code has, every callable of it tested."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import mlops_runtime

REPO = Path(__file__).resolve().parents[2]

HEAVY = ("pandas", "numpy", "sqlalchemy", "mlflow", "fastapi", "pyarrow", "scipy", "airflow")


def _public_modules():
    for info in pkgutil.walk_packages(mlops_runtime.__path__, "mlops_runtime."):
        if not any(part.startswith("_") for part in info.name.split(".")[1:]):
            yield importlib.import_module(info.name)


def test_importing_the_runtime_loads_nothing_heavy():
    code = (
        "import sys, mlops_runtime, mlops_runtime.project, mlops_runtime.settings\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_public_function_and_class_has_a_docstring():
    missing = [
        f"{module.__name__}.{name}"
        for module in _public_modules()
        for name, obj in vars(module).items()
        if not name.startswith("_")
        and getattr(obj, "__module__", None) == module.__name__
        and (inspect.isfunction(obj) or inspect.isclass(obj))
        and not inspect.getdoc(obj)
    ]
    assert missing == []


def test_the_version_is_the_one_the_templates_pin():
    from pathlib import Path

    templates = Path(__file__).resolve().parents[2] / "templates" / "level0"
    constraints = (templates / "constraints.txt.jinja").read_text()
    assert f"mlops-scaffold-runtime=={mlops_runtime.__version__} " in constraints
    major, minor = mlops_runtime.__version__.split(".")[:2]
    pyproject = (templates / "pyproject.toml.jinja").read_text()
    assert f">={major}.{minor},<{int(major) + 1}" in pyproject


# -- docs/runtime.md's Public API against the code and the tests ----------------------------------
# Written in call syntax on that page but no part of the runtime: a callback's parameter
# (`build(last_seq, last_line)`, the `scorer` given to `create_app`), the project's own functions
# (its `default_hooks()`, `compile_pipeline(output)`, `steps.prepare(...)`) and kfp's client.
NOT_RUNTIME = {
    "build",
    "scorer",
    "default_hooks",
    "compile_pipeline",
    "steps.prepare",
    "kfp.Client",
}

# `name(` or `a.b.name(` inside a backticked span, not preceded by a word character or a dot (so
# `LimitsChecker(...).assess(` gives `LimitsChecker` and `assess`).
_CALL = re.compile(r"(?<![\w.])\.?([A-Za-z_][\w.]*)\(")


def _public_api_sections() -> list[tuple[list[str], str]]:
    """(modules named in the `###` heading, the section's text) for each section of the page's
    "## Public API"."""
    text = (REPO / "docs" / "runtime.md").read_text(encoding="utf-8")
    api = text.split("\n## Public API\n", 1)[1].split("\n## ", 1)[0]
    sections = []
    for block in re.split(r"^### ", api, flags=re.M)[1:]:
        heading, _, body = block.partition("\n")
        modules = re.findall(r"`(mlops_runtime(?:\.\w+)*)`", heading)
        sections.append(([m.removesuffix(".Project") for m in modules], body))
    return sections


def _documented() -> list[tuple[str, str]]:
    """(the section's first module, a dotted name written in call syntax in a backticked span)."""
    found = []
    for modules, body in _public_api_sections():
        for span in re.findall(r"`([^`]+)`", body):
            for match in _CALL.finditer(span):
                found.append((modules, match.group(1)))
    return found


def _tree(name: str) -> list:
    """The module and its public submodules."""
    module = importlib.import_module(name)
    modules = [module]
    for info in pkgutil.walk_packages(getattr(module, "__path__", []), name + "."):
        if not any(part.startswith("_") for part in info.name.split(".")[1:]):
            modules.append(importlib.import_module(info.name))
    return modules


def _walk(obj, parts: list[str]):
    for part in parts:
        if hasattr(obj, part):
            obj = getattr(obj, part)
        elif hasattr(obj, "__path__") and importlib.util.find_spec(f"{obj.__name__}.{part}"):
            obj = importlib.import_module(f"{obj.__name__}.{part}")
        else:
            return None
    return obj


def _resolve(modules: list[str], dotted: str):
    """What a documented name is: a path from `mlops_runtime` (`serving.app.create_app`), or
    from the section's module or one of its public submodules (`aliases.move_alias`, `open_store`),
    or a method or attribute of a class defined there (`acquire` of `StateStore`)."""
    parts = dotted.split(".")
    if len(parts) > 1 and (found := _walk(mlops_runtime, parts)) is not None:
        return found
    for module in (m for name in modules for m in _tree(name)):
        if (found := _walk(module, parts)) is not None:
            return found
        for cls in vars(module).values():
            if (
                inspect.isclass(cls)
                and cls.__module__.startswith("mlops_runtime")
                and (found := _walk(cls, parts[-1:])) is not None
            ):
                return found
    return None


def test_the_public_api_page_is_read_whole():
    sections = _public_api_sections()
    assert len(sections) >= 30 and all(modules for modules, _ in sections), [
        body[:60] for modules, body in sections if not modules
    ]
    assert len({name for _, name in _documented()}) >= 200
    assert {name for _, name in _documented()} >= NOT_RUNTIME  # the list shrinks with the page


def test_every_documented_name_exists_in_its_module():
    missing = sorted(
        f"{modules[0]}: {name}"
        for modules, name in _documented()
        if name not in NOT_RUNTIME and _resolve(modules, name) is None
    )
    assert missing == []


def test_every_documented_function_and_class_is_exercised_by_a_runtime_test():
    tests = "\n".join(
        path.read_text(encoding="utf-8")
        for path in Path(__file__).parent.glob("*.py")
        if path.name != Path(__file__).name
    )
    untested = sorted(
        {
            f"{modules[0]}: {name}"
            for modules, name in _documented()
            if name not in NOT_RUNTIME
            and not re.search(rf"\b{re.escape(name.split('.')[-1])}\b", tests)
        }
    )
    assert untested == []


def test_every_public_module_is_on_the_public_api_page():
    text = "\n".join(body for _, body in _public_api_sections()) + "\n".join(
        " ".join(modules) for modules, _ in _public_api_sections()
    )
    missing = []
    for module in _public_modules():
        parts = module.__name__.split(".")
        tails = [".".join(parts[i:]) for i in range(1, len(parts))]
        if module.__name__ not in text and not any(
            f"`{tail}" in text or f"{tail}." in text for tail in tails
        ):
            missing.append(module.__name__)
    assert missing == []

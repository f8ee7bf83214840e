"""The runtime's promise: importing it is cheap, and its public API says what it does."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys

import mlops_runtime

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

"""The generated projects' constraints.txt: the versions the end-to-end suite installs, per
level and orchestrator, each pinned for the Python it was resolved on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scaffolder.catalog import builtin_catalog
from scaffolder.render import render

REPO = Path(__file__).parent.parent
PIN = re.compile(r'^([A-Za-z0-9._-]+)==(\S+) ; python_version == "(\d+\.\d+)"$')


def _pins(text: str) -> dict[str, str]:
    pins = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        match = PIN.match(line)
        assert match, f"not a pinned line with its Python marker: {line!r}"
        pins[match[1].lower()] = match[2]
    return pins


def _render(tmp_path: Path, level: int, orchestrator: str | None) -> dict[str, str]:
    given = {"project_name": "pinned", "level": level, "python_version": "3.11"}
    if orchestrator:
        given["orchestrator"] = orchestrator
    render(builtin_catalog(), given, tmp_path)
    return _pins((tmp_path / "constraints.txt").read_text())


def test_the_pins_are_the_versions_the_end_to_end_suite_installs(tmp_path):
    rendered = _render(tmp_path, 3, "both")
    tested = {}
    for line in (REPO / "tests/e2e/constraints.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            tested[name.strip().lower()] = version.strip()
    for name, version in tested.items():
        assert rendered.get(name) == version, (
            f"{name}: e2e installs {version}, projects pin {rendered.get(name)}"
        )


@pytest.mark.parametrize(
    ("level", "orchestrator", "present", "absent"),
    [
        (
            0,
            None,
            {"scikit-learn", "pandas", "pytest", "ruff"},
            {"mlflow", "apache-airflow", "kfp"},
        ),
        (1, "airflow", {"mlflow", "apache-airflow"}, {"kfp", "great-expectations"}),
        (1, "kubeflow", {"mlflow", "kfp"}, {"apache-airflow", "great-expectations"}),
        (2, "kubeflow", {"great-expectations", "fastapi", "httpx"}, {"apache-airflow"}),
        (3, "both", {"scipy", "pyarrow", "fsspec", "apache-airflow", "kfp"}, set()),
    ],
)
def test_each_project_pins_what_it_installs_and_nothing_of_other_levels(
    tmp_path, level, orchestrator, present, absent
):
    pins = _render(tmp_path, level, orchestrator)
    assert present <= set(pins), present - set(pins)
    assert not absent & set(pins), absent & set(pins)

"""The built-in templates rendered without copier make copier's tree, for every combination.

`scaffolder.render_direct` renders the built-in templates (copier still renders anything an
overlay brings). These tests render the same answers both ways, the direct renderer and copier's
Worker, and compare every file's bytes and mode, every folder, and the recorded answers. They
are also the render-only combination tests: each level with each orchestrator and CI provider,
and the answers that change files (data versioning, the environment manager, an adopted
project's layout, awkward free text), without running anything a render does not need.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scaffolder import render
from scaffolder.catalog import builtin_catalog
from scaffolder.errors import InvalidAnswerError

BASE = {"project_name": "churn-model", "description": "Churn", "author": "ML Team"}
COMBINATIONS = [
    {"level": level, "orchestrator": orchestrator, "ci": ci}
    for level, orchestrator, ci in itertools.product(
        range(4), ("airflow", "kubeflow", "both"), ("github", "gitlab")
    )
    if level > 0 or (orchestrator, ci) == ("both", "github")
]
VARIANTS = [
    {"level": 1, "data_versioning": "none", "env_manager": "pip"},
    {"level": 3, "data_versioning": "none", "python_version": "3.13"},
    {"level": 2, "env_manager": "pip", "default_branch": "trunk", "ci": "gitlab"},
    # an adopted project's layout: the team's package folder, no example code, its own DVC
    {"level": 2, "example": False, "package_dir": "churn_model", "team_dvc": True},
    {"level": 2, "example": False, "package_dir": "src/churn_model", "team_targets": "help lint"},
    # free text that must be escaped in every file it lands in
    {
        "level": 3,
        "description": "Churn \"model\" 'v2' $HOME `x` \\ # {{ not jinja }}",
        "author": "O'Brien & Co <ml@example.org>",
        "ci_runner": "self-hosted, gpu",
        "container_registry": "registry.example.com:5000/ml",
    },
    {"level": 0, "package_name": "churnpkg", "python_version": "3.10"},
    {"level": 2, "feature_store": "feast", "orchestrator": "kubeflow"},
    {
        "level": 3,
        "feature_store": "feast",
        "data_remote": "s3://bucket/churn",
        "base_image": "registry.example.com/python:3.11",
    },
]


def _snapshot(root: Path) -> dict[str, object]:
    found: dict[str, object] = {}
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        for name in dirs:
            found[str((here / name).relative_to(root)) + "/"] = "folder"
        for name in files:
            path = here / name
            found[str(path.relative_to(root))] = (path.stat().st_mode, path.read_bytes())
    return found


def _both_ways(tmp_path: Path, given: dict[str, object]):
    catalog = builtin_catalog()
    direct = render._render_direct(catalog, dict(given), tmp_path / "direct")
    copier = render._render_here(catalog, dict(given), tmp_path / "copier")
    return direct, copier


@pytest.mark.parametrize(
    "answers", COMBINATIONS + VARIANTS, ids=lambda a: "-".join(map(str, a.values()))[:60]
)
def test_the_direct_render_is_copiers_render(tmp_path, answers):
    direct, copier = _both_ways(tmp_path, {**BASE, **answers})
    assert direct == copier
    made, expected = _snapshot(tmp_path / "direct"), _snapshot(tmp_path / "copier")
    assert sorted(made) == sorted(expected)
    different = [path for path in expected if made[path] != expected[path]]
    assert different == []
    assert len(made) > 20  # a project, not an empty folder that would compare equal


@pytest.mark.parametrize(
    ("given", "needle"),
    [
        ({"level": 1, "orchestrator": "prefect"}, "orchestrator"),
        ({"level": 7}, "level"),
        ({"level": 1, "package_name": "not-a-package"}, "package_name"),
    ],
)
def test_both_renders_refuse_the_same_bad_answers(tmp_path, given, needle):
    for way in (render._render_direct, render._render_here):
        with pytest.raises(Exception) as caught:
            way(builtin_catalog(), {**BASE, **given}, tmp_path / way.__name__)
        assert needle in str(caught.value)
        assert not (tmp_path / way.__name__).exists() or not any(
            (tmp_path / way.__name__).iterdir()
        )


def test_a_question_copier_would_refuse_is_refused_in_one_line(tmp_path):
    # `example` is a bool: "maybe" casts to True in copier's rules (any non-false word)...
    direct, copier = _both_ways(tmp_path, {**BASE, "level": 1, "example": "no"})
    assert direct == copier and direct.example is False
    # ...and a choice outside the list is an answer error naming it, as copier's is.
    with pytest.raises(InvalidAnswerError, match="python_version"):
        render._render_direct(builtin_catalog(), {**BASE, "python_version": "2.7"}, tmp_path / "x")


def test_new_does_not_import_copier_for_the_built_in_templates(tmp_path):
    """What makes `new --level 3` as fast as ccds: copier's import alone is 0.4 s of CPU."""
    code = (
        "import sys\n"
        "from scaffolder.cli import main\n"
        "try:\n"
        "    main(['new', 'p', '--level', '3', '--defaults', '-o', sys.argv[1]])\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, None), exc.code\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('copier', 'questionary')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"
    assert (tmp_path / "p" / "dags").is_dir()

"""The `data_versioning` answer (dvc | none, from level 1) and `data_remote`: what each renders.

The generated project's DVC flow runs for real in tests/e2e/test_data_versioning.py."""

from __future__ import annotations

import ast
import configparser
import re
from pathlib import Path

import pytest
import tomllib
import yaml

from scaffolder.answers import missing_answers
from scaffolder.catalog import builtin_catalog
from scaffolder.errors import InvalidAnswerError
from scaffolder.render import render

DVC_FILES = (".dvc/config", ".dvc/.gitignore", ".dvcignore", "dvc.yaml",
             "src/churn/pipeline/stages.py")  # fmt: skip


def _render(tmp_path: Path, level: int = 1, **answers: object) -> tuple[Path, object]:
    given = {"project_name": "churn", "level": level, "python_version": "3.11", **answers}
    dest = tmp_path / "out"
    return dest, render(builtin_catalog(), given, dest)


def _pins(tree: Path) -> dict[str, str]:
    found = re.findall(r"^([A-Za-z0-9._-]+)==(\S+) ;", (tree / "constraints.txt").read_text(), re.M)
    return {name.lower(): version for name, version in found}


def _make_targets(tree: Path) -> set[str]:
    return set(re.findall(r"^([a-z][a-z-]*):", (tree / "Makefile").read_text(), re.M))


def test_level1_versions_its_data_with_dvc_by_default(tmp_path):
    tree, answers = _render(tmp_path)
    assert answers.data_versioning == "dvc" and answers.data_remote == ""
    for name in DVC_FILES:
        assert (tree / name).is_file(), name
    config = configparser.ConfigParser()
    config.read_string((tree / ".dvc/config").read_text())
    assert config["core"]["remote"] == "storage"
    assert config["'remote \"storage\"'"]["url"] == "../dvc-storage"  # dvc-storage/ in the project
    # dvc.yaml: one stage per pipeline step, each running the step through pipeline.stages.
    stages = yaml.safe_load((tree / "dvc.yaml").read_text())["stages"]
    assert list(stages) == ["prepare", "validate", "train", "evaluate", "register"]
    for name, stage in stages.items():
        assert stage["cmd"] == f"python -m churn.pipeline.stages {name}"
    assert "data/raw/sample.csv" in stages["prepare"]["deps"]
    module = ast.parse((tree / "src/churn/pipeline/stages.py").read_text())
    assert module.body  # parses; the e2e test runs it
    pipeline = yaml.safe_load((tree / "config/pipeline.yaml").read_text())
    assert pipeline["data"]["source"] == "data/raw/sample.csv"
    # DVC is an extra of its own, pinned with celery held below 5.7 (stack facts §9).
    pyproject = tomllib.loads((tree / "pyproject.toml").read_text())["project"]
    assert pyproject["optional-dependencies"]["dvc"] == ["dvc>=3.50,<4"]
    assert not any("dvc" in d for d in pyproject["dependencies"])
    pins = _pins(tree)
    assert pins["dvc"] == "3.67.1" and pins["celery"] == "5.6.3"
    assert {"data", "data-push", "data-pull", "data-status", "repro"} <= _make_targets(tree)
    makefile = (tree / "Makefile").read_text()
    assert re.search(r"^train: data ##", makefile, re.M)
    assert '-e ".[dev,airflow,kubeflow,dvc]"' in makefile
    ignored = (tree / ".gitignore").read_text().splitlines()
    assert "/data/" not in ignored and "/dvc-storage/" in ignored
    assert "/data/*" not in ignored  # DVC's own ignore check would skip data/raw/ (dulwich)


def test_none_renders_no_dvc_and_trains_on_the_sample(tmp_path):
    tree, answers = _render(tmp_path, data_versioning="none")
    assert answers.data_versioning == "none"
    for name in DVC_FILES:
        assert not (tree / name).exists(), name
    assert "dvc" not in _pins(tree) and "celery" not in _pins(tree)
    pyproject = tomllib.loads((tree / "pyproject.toml").read_text())["project"]
    assert "dvc" not in pyproject["optional-dependencies"]
    assert not {"data", "data-push", "data-pull", "repro"} & _make_targets(tree)
    assert "dvc" not in (tree / "Makefile").read_text().lower()
    assert "/data/" in (tree / ".gitignore").read_text().splitlines()
    assert yaml.safe_load((tree / "config/pipeline.yaml").read_text())["data"]["source"] is None
    assert "sample_data" not in (tree / "tests/conftest.py").read_text()


def test_level0_neither_asks_nor_renders_it(tmp_path):
    tree, answers = _render(tmp_path, level=0)
    assert answers.data_versioning is None
    assert not (tree / ".dvc").exists() and not (tree / "dvc.yaml").exists()
    assert "dvc" not in (tree / "pyproject.toml").read_text()
    assert "data_versioning" not in missing_answers({"level": 1, "project_name": "x"})


@pytest.mark.parametrize("level", [2, 3])
def test_higher_levels_add_their_steps_as_stages(tmp_path, level):
    tree, _ = _render(tmp_path, level=level)
    stages = yaml.safe_load((tree / "dvc.yaml").read_text())["stages"]
    assert list(stages) == ["prepare", "validate", "train", "evaluate", "test_model", "register"]
    assert "artifacts/dvc/model_tests.json" in stages["register"]["deps"]


def test_a_remote_url_lands_in_dvc_config_with_its_plugin(tmp_path):
    tree, answers = _render(tmp_path, data_remote="s3://ml-data/churn")
    assert answers.data_remote == "s3://ml-data/churn"
    config = configparser.ConfigParser()
    config.read_string((tree / ".dvc/config").read_text())
    assert config["'remote \"storage\"'"]["url"] == "s3://ml-data/churn"
    pyproject = tomllib.loads((tree / "pyproject.toml").read_text())["project"]
    assert pyproject["optional-dependencies"]["dvc"] == ["dvc[s3]>=3.50,<4"]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("data_versioning", "git-lfs"),
        ("data_remote", "s3://bucket/a b"),
        ("data_remote", "s3://bucket/x\n[core]"),
        ("data_remote", "/local/path"),
        ("data_remote", "s3://b/#comment"),
    ],
)
def test_bad_answers_are_refused_before_anything_renders(tmp_path, key, value):
    with pytest.raises(InvalidAnswerError) as refused:
        _render(tmp_path, **{key: value})
    assert "\n" not in str(refused.value) and key in str(refused.value)
    assert not (tmp_path / "out").exists()

"""The `feature_store` answer (feast | none, from level 2, default none): what each renders.

The generated project's Feast flow runs for real in tests/e2e/test_feature_store.py."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import tomllib
import yaml

from scaffolder.answers import missing_answers
from scaffolder.catalog import builtin_catalog
from scaffolder.choices import FEATURE_STORES
from scaffolder.errors import InvalidAnswerError
from scaffolder.prompts import is_asked, load_questions
from scaffolder.render import render

FEAST_FILES = ("features/feature_store.yaml", "features/definitions.py",
               "features/training_data.py", "features/requirements.txt",
               "src/churn/feature_store.py", "src/churn/online_features.py",
               "tests/test_feature_store.py")  # fmt: skip
FEAST_TARGETS = {"feast-setup", "feast-tables", "feast-plan", "feast-apply",
                 "feast-materialize", "feast-training-data", "feast-serve"}  # fmt: skip


def _render(tmp_path: Path, level: int = 2, **answers: object) -> tuple[Path, object]:
    given = {"project_name": "churn", "level": level, "python_version": "3.11", **answers}
    dest = tmp_path / "out"
    return dest, render(builtin_catalog(), given, dest)


def _make_rules(tree: Path) -> dict[str, str]:
    """Each target's prerequisites, from `target: prereqs ## help` lines."""
    found = re.findall(r"^([a-z][a-z-]*):([^#\n=]*)", (tree / "Makefile").read_text(), re.M)
    return {name: prereqs.strip() for name, prereqs in found}


def test_asked_from_level_2_with_the_cli_choices():
    questions = {q.name: q for q in load_questions(builtin_catalog().questions_file)}
    question = questions["feature_store"]
    assert sorted(v for _, v in question.choices) == sorted(FEATURE_STORES)
    assert question.default == "none"
    assert not is_asked(question, {"level": 1}) and is_asked(question, {"level": 2})


def test_level2_has_no_feature_store_by_default(tmp_path):
    tree, answers = _render(tmp_path)
    assert answers.feature_store == "none"
    for name in FEAST_FILES:
        assert not (tree / name).exists(), name
    assert not FEAST_TARGETS & set(_make_rules(tree))
    assert "feast" not in (tree / "Makefile").read_text().lower()
    source = yaml.safe_load((tree / "config/pipeline.yaml").read_text())["data"]["source"]
    assert source == "data/raw/sample.csv"
    steps = (tree / "src/churn/pipeline/steps.py").read_text()
    assert "feature_store" not in steps
    assert "feature_store" not in missing_answers({"level": 2, "project_name": "x"})


def test_feast_sets_up_features_in_their_own_environment(tmp_path):
    tree, answers = _render(tmp_path, feature_store="feast")
    assert answers.feature_store == "feast"
    for name in FEAST_FILES:
        assert (tree / name).is_file(), name
    # Feast's configuration: embedded stores, the registry a file (stack facts §9).
    config = yaml.safe_load((tree / "features/feature_store.yaml").read_text())
    assert config["project"] == "churn" and config["provider"] == "local"
    assert config["offline_store"] == {"type": "duckdb"}
    assert config["online_store"] == {"type": "sqlite", "path": "../data/features/online.db"}
    assert config["registry"] == "../data/features/registry.db"
    # Definitions apart from the transformation: they declare, build_features computes.
    definitions = (tree / "features/definitions.py").read_text()
    imported = {
        node.module for node in ast.walk(ast.parse(definitions)) if isinstance(node, ast.ImportFrom)
    }
    assert imported == {"datetime", "feast", "feast.types"}
    assert "build_features" in (tree / "src/churn/feature_store.py").read_text()
    # Feast's pins live in features/requirements.txt, never in the project's.
    lines = (tree / "features/requirements.txt").read_text().splitlines()
    pins = [line for line in lines if line and not line.startswith("#")]
    assert {"feast[duckdb]==0.67.0", "pandas==2.3.3", "tenacity==8.5.0",
            "prometheus-client==0.24.1"} <= set(pins)  # fmt: skip
    assert not any("ge]" in pin or ",ge" in pin for pin in pins)  # GX < 1: never
    project_pins = (tree / "constraints.txt").read_text()
    assert "feast" not in project_pins and re.search(r"^pandas==3\.", project_pins, re.M)
    pyproject = (tree / "pyproject.toml").read_text()
    assert "feast" not in pyproject.lower()
    tomllib.loads(pyproject)
    assert "features" not in (tree / "Dockerfile.serving").read_text()
    # make: the environment, the store's steps, and training through them.
    rules = _make_rules(tree)
    assert set(rules) >= FEAST_TARGETS
    assert rules["train"] == "feast-training-data"
    assert rules["feast-training-data"] == "feast-apply"
    assert rules["feast-apply"] == "feast-tables" and rules["feast-tables"] == "data"
    makefile = (tree / "Makefile").read_text()
    assert "FEAST_VENV ?= .venv-feast" in makefile
    assert "materialize-incremental" in makefile
    assert re.search(r"^\t@\$\(MAKE\) --no-print-directory feast-setup$", makefile, re.M)
    # Training reads the store's point-in-time data; the pipeline records the views used.
    data = yaml.safe_load((tree / "config/pipeline.yaml").read_text())["data"]
    assert data["source"] == "data/features/training.csv"
    steps = (tree / "src/churn/pipeline/steps.py").read_text()
    assert "feature_store.keep_lineage(project_root() / cfg.data.source, data_dir)" in steps
    assert "mlflow.set_tags(feature_store.lineage_tags(data_dir))" in steps
    stages = yaml.safe_load((tree / "dvc.yaml").read_text())["stages"]
    assert "data/features/training.csv" in stages["prepare"]["deps"]
    ignored = (tree / ".gitignore").read_text().splitlines()
    assert {".venv-feast/", "/data/features/"} <= set(ignored)
    # The Airflow DAG: the store's steps as tasks, Feast's in its own environment.
    dag = (tree / "dags/churn_training.py").read_text()
    assert "tables >> training_data() >> prepared" in dag and "tables >> materialize()" in dag
    assert 'FEAST_VENV = (PROJECT_ROOT / os.environ.get("FEAST_VENV", ".venv-feast"))' in dag
    assert re.search(r"^export FEAST_VENV$", (tree / "Makefile").read_text(), re.M)


def test_feast_without_dvc_makes_the_sample_itself(tmp_path):
    tree, _ = _render(tmp_path, feature_store="feast", data_versioning="none")
    rules = _make_rules(tree)
    assert rules["feast-tables"] == "data/raw/sample.csv"
    assert "--raw data/raw/sample.csv" in (tree / "Makefile").read_text()
    conftest = (tree / "tests/conftest.py").read_text()
    assert "PIPELINE_DATA_SOURCE" in conftest  # the tests never need the store's file


def test_level3_keeps_the_feature_store(tmp_path):
    tree, answers = _render(tmp_path, level=3, feature_store="feast")
    assert answers.feature_store == "feast"
    assert (tree / "features/definitions.py").is_file()
    assert _make_rules(tree)["retrain"] == "feast-training-data"


def test_level1_renders_no_feature_store(tmp_path):
    tree, _ = _render(tmp_path, level=1, feature_store="feast")
    assert not (tree / "features").exists()
    assert "feast" not in (tree / "Makefile").read_text().lower()


@pytest.mark.parametrize("value", ["hopsworks", "Feast", "feast\n"])
def test_bad_answers_are_refused_before_anything_renders(tmp_path, value):
    with pytest.raises(InvalidAnswerError) as refused:
        _render(tmp_path, feature_store=value)
    assert "\n" not in str(refused.value) and "feature_store" in str(refused.value)
    assert not (tmp_path / "out").exists()


def test_feast_readme_and_make_help_tell_the_truth(tmp_path):
    import subprocess

    tree, _ = _render(tmp_path, feature_store="feast")
    readme = (tree / "README.md").read_text()
    table = readme.split("## Make targets", 1)[1].split("<!-- mlops-scaffold:end", 1)[0]
    listed = set(re.findall(r"^\| `make ([a-z-]+)`", table, re.M))
    helped = set(re.findall(r"^([a-zA-Z_-]+):.*## ", (tree / "Makefile").read_text(), re.M))
    assert not helped - listed, f"README's make-target table lacks {sorted(helped - listed)}"
    section = readme.split("## Feature store (Feast)", 1)[1].split("<!-- mlops-scaffold:end", 1)[0]
    assert "`lineage.data_feature_views`" in section and ".venv-feast" in section
    assert "`data.source` in `config/pipeline.yaml`" not in readme  # the store's file is
    out = subprocess.run(
        ["make", "help"], cwd=tree, capture_output=True, text=True, check=True
    ).stdout
    assert "Create .venv-feast, Feast's own environment" in out


@pytest.mark.parametrize("ci", ["github", "gitlab"])
def test_ci_plans_the_feature_definitions(tmp_path, ci):
    tree, _ = _render(tmp_path, feature_store="feast", ci=ci)
    if ci == "github":
        jobs = yaml.safe_load((tree / ".github/workflows/ci.yml").read_text())["jobs"]
        commands = [step.get("run") for step in jobs["model"]["steps"]]
    else:
        commands = yaml.safe_load((tree / ".gitlab-ci.yml").read_text())["model"]["script"]
    assert commands.index("make setup") < commands.index("make feast-plan")
    assert commands.index("make feast-plan") < commands.index("make validate-data")


def test_upgrade_1_to_2_adds_the_store_only_when_asked(tmp_path, run_cli):
    from scaffolder.state import load_state
    from tests.upgrade.helpers import new_project

    for answer, expected in ((None, "none"), ("feast", "feast")):
        repo = new_project(tmp_path / expected, level=1)
        extra = ["--data", f"feature_store={answer}"] if answer else []
        result = run_cli("upgrade", repo, "--to", "2", "--defaults", *extra)
        assert result.exit_code == 0, result.stderr
        assert load_state(repo).answers.feature_store == expected
        assert (repo / "features/definitions.py").is_file() == (expected == "feast")
        assert ("feast-training-data" in (repo / "Makefile").read_text()) == (expected == "feast")


# Run in the rendered project (src/ on the path): the tables from the raw data, Feast's join
# stood in for by an exact merge (Feast cannot run in this environment; the e2e test runs it),
# then `prepare` as make train and the DAG (data_rev) run it.
PREPARE = """
import json, sys
import pandas as pd
from churn.data import generate
from churn.feature_store import FEATURES_DIR, write_tables
from churn.pipeline import steps
generate(n_rows=200, seed=1).to_csv("data/raw/sample.csv", index=False)
features, labels = write_tables("data/raw/sample.csv", FEATURES_DIR)
keys = ["customer_id", "event_timestamp"]
joined = pd.read_parquet(labels).merge(pd.read_parquet(features), on=keys)
joined.to_csv(FEATURES_DIR / "training.csv", index=False)
(FEATURES_DIR / "training.json").write_text(json.dumps({"feature_service": "churn_model",
    "feature_views": ["customer_features"], "definitions_digest": "d"}))
out = {}
for name, rev in (("make", None), ("dag", "")):
    prepared = steps.prepare(f"artifacts/{name}", "config/pipeline.yaml", data_rev=rev)
    out[name] = [prepared["data_version"],
                 json.load(open(f"artifacts/{name}/data_version.json"))]
print(json.dumps(out))
"""


def test_feast_training_records_the_raw_data_version_not_the_training_csv(tmp_path):
    import hashlib
    import json
    import os
    import subprocess
    import sys

    tree, _ = _render(tmp_path, feature_store="feast")
    (tree / "data/raw").mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(tree / "src"), "MLOPS_PROJECT_ROOT": str(tree)}
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", PREPARE], cwd=tree, env=env,
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    raw_md5 = hashlib.md5((tree / "data/raw/sample.csv").read_bytes()).hexdigest()  # noqa: S324
    runs = json.loads(result.stdout.strip().splitlines()[-1])
    for name in ("make", "dag"):
        md5, recorded = runs[name]
        assert md5 == raw_md5, name
        assert (recorded["path"], recorded["md5"]) == ("data/raw/sample.csv", raw_md5), name
    assert json.loads((tree / "data/features/data_version.json").read_text())["md5"] == raw_md5

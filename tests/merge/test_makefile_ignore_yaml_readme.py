"""The line-set, Makefile, YAML and README mergers on the edits teams make."""

from pathlib import Path

import yaml

from scaffolder.merge import Labels, kind_of, merge_text

LABELS = Labels(theirs="mlops-scaffold/base")
MAKEFILE = """VENV ?= .venv
PYTHON := $(VENV)/bin/python

.PHONY: help test train clean

help: ## List the targets
\t@grep -E '^[a-z]+:' $(MAKEFILE_LIST)

test: ## Run the tests
\t$(VENV)/bin/pytest

train: ## Train
\t$(PYTHON) -m churn.train

clean: ## Remove caches
\trm -rf .pytest_cache
"""


def test_kinds_by_path():
    assert kind_of("pyproject.toml") == "pyproject"
    assert kind_of(".gitignore") == kind_of(".dockerignore") == "ignore"
    assert kind_of("Makefile") == "makefile"
    assert kind_of("README.md") == "readme"
    assert kind_of("config/pipeline.yaml") == "yaml"
    assert kind_of("src/churn/model.py") == "lines"


def test_make_targets_added_on_both_sides_are_both_kept():
    ours = MAKEFILE.replace("test train clean", "test train clean notebook") + (
        "\nnotebook: ## Start Jupyter\n\t$(VENV)/bin/jupyter lab\n"
    )
    theirs = (
        MAKEFILE.replace("test train clean", "test train clean dag-test")
        .replace(
            "clean: ## Remove caches",
            "dag-test: ## Run the DAG\n\t$(VENV)/bin/airflow dags test churn\n\n"
            "clean: ## Remove caches",
        )
        .replace("churn.train", "churn.pipeline")
    )
    result = merge_text("Makefile", MAKEFILE, ours, theirs, LABELS)
    assert result.conflicts == 0
    assert ".PHONY: help test train clean notebook dag-test\n" in result.text
    assert "notebook: ## Start Jupyter\n\t$(VENV)/bin/jupyter lab\n" in result.text
    assert "dag-test: ## Run the DAG\n" in result.text
    assert "-m churn.pipeline" in result.text
    assert result.text.count("clean:") == 1


def test_a_target_changed_both_ways_conflicts_inside_it():
    ours = MAKEFILE.replace("-m churn.train", "-m churn.train --fast")
    theirs = MAKEFILE.replace("-m churn.train", "-m churn.pipeline")
    result = merge_text("Makefile", MAKEFILE, ours, theirs, LABELS)
    assert result.conflicts == 1
    before, _, after = result.text.partition("<<<<<<< HEAD")
    assert before.endswith("train: ## Train\n")  # the markers sit inside the train target
    assert "clean: ## Remove caches" in after.split(">>>>>>> mlops-scaffold/base")[1]


def test_ignore_lines_merge_as_sets():
    base = "# caches\n__pycache__/\n\n# data\ndata/\nmlflow.db\n"
    ours = base + "/secrets/\n*.parquet\n"
    theirs = base.replace("data/\nmlflow.db\n", "/data/\n/mlflow.db\n") + "\n# airflow\n.airflow/\n"
    result = merge_text(".gitignore", base, ours, theirs, LABELS)
    assert result.conflicts == 0
    lines = result.text.splitlines()
    assert {"/secrets/", "*.parquet", "/data/", "/mlflow.db", ".airflow/"} <= set(lines)
    assert "data/" not in lines and "mlflow.db" not in lines


def test_yaml_config_values_and_keys_merge_by_key():
    base = "# model\nmodel:\n  type: logistic\n  params:\n    C: 1.0\n    max_iter: 200\nseed: 42\n"
    ours = base.replace("C: 1.0", "C: 0.3").replace("seed: 42\n", "seed: 42\nowner: risk\n")
    theirs = (
        base.replace("max_iter: 200\n", "max_iter: 500\n    tol: 0.001\n")
        + "sample:\n  rows: 5000\n"
    )
    result = merge_text("config/pipeline.yaml", base, ours, theirs, LABELS)
    assert result.conflicts == 0
    data = yaml.safe_load(result.text)
    assert data == {
        "model": {"type": "logistic", "params": {"C": 0.3, "max_iter": 500, "tol": 0.001}},
        "seed": 42, "owner": "risk", "sample": {"rows": 5000},
    }  # fmt: skip
    assert result.text.startswith("# model\n")


def test_yaml_same_value_changed_both_ways_conflicts_on_that_key():
    base = "model:\n  params:\n    C: 1.0\n    max_iter: 200\n"
    result = merge_text(
        "config/pipeline.yaml", base, base.replace("1.0", "0.3"), base.replace("1.0", "2.0"), LABELS
    )
    assert result.conflicts == 1
    assert "    max_iter: 200\n" in result.text.split(">>>>>>>")[1]


README = """# churn

A project.

<!-- mlops-scaffold:begin about -->
Owner: ML Team. MLOps maturity level 0.
<!-- mlops-scaffold:end about -->

<!-- mlops-scaffold:begin make-targets -->
## Make targets

| `make test` | runs the tests |
<!-- mlops-scaffold:end make-targets -->
"""


def test_readme_team_text_outside_sections_never_conflicts():
    ours = README.replace("A project.\n", "A project.\n\nWe use the Q3 churn export.\n") + (
        "\n## Our results\n\nAUC 0.81 on the holdout.\n"
    )
    theirs = (
        README.replace("level 0.", "level 1.").replace(
            "| `make test` | runs the tests |\n",
            "| `make test` | runs the tests |\n| `make train` | x |\n",
        )
        + "\n<!-- mlops-scaffold:begin pipeline -->\n## The pipeline\n"
        + "<!-- mlops-scaffold:end pipeline -->\n"
    )
    result = merge_text("README.md", README, ours, theirs, LABELS)
    assert result.conflicts == 0
    for line in ("We use the Q3 churn export.", "AUC 0.81 on the holdout.", "level 1.",
                 "| `make train` | x |", "## The pipeline"):  # fmt: skip
        assert line in result.text


def test_readme_adopted_keeps_the_team_text_and_adds_the_sections():
    team = "# Churn study\n\nWhat we found.\n"
    result = merge_text("README.md", "", team, README, LABELS)
    assert result.conflicts == 0
    assert result.text.startswith(team)
    assert "<!-- mlops-scaffold:begin make-targets -->" in result.text
    assert "# churn\n" not in result.text  # the template's title is not added twice


def test_readme_without_sections_merges_by_lines():
    base = "# x\n\nold\n\nmore\n"
    result = merge_text("README.md", base, base + "ours\n", base.replace("old", "new"), LABELS)
    assert result.conflicts == 0 and result.text == "# x\n\nnew\n\nmore\nours\n"


def test_gitattributes_names_every_structured_file():
    import scaffolder.merge

    text = (Path(scaffolder.merge.__file__).parent / "gitattributes").read_text()
    for path in ("pyproject.toml", ".gitignore", ".dockerignore", "Makefile", "README.md"):
        assert f"/{path} merge=mlops-scaffold" in text


def test_adopting_keeps_the_team_makefile_lines_and_adds_the_template_targets():
    team = ".PHONY: requirements\nrequirements:\n\tpip install -e .\n\n"
    team += ".PHONY: clean\nclean:\n\trm x\n"
    labels = Labels(adopting=True)
    result = merge_text("Makefile", "", team, MAKEFILE, labels)
    assert result.conflicts == 0
    lines = result.text.splitlines()
    assert [x for x in team.splitlines() if x not in lines] == []  # every team line, as written
    assert ".PHONY: help test train" in lines  # the template's other targets, declared phony
    assert "train: ## Train" in lines and "test: ## Run the tests" in lines
    assert labels.kept == ["rule:clean"]  # both define clean: the team's stays, and is named

"""TOML, Dockerfile and the small text formats."""

from scaffolder.assess.models import Zone
from scaffolder.assess.parse_dockerfile import parse_dockerfile
from scaffolder.assess.parse_text import (
    parse_codeowners,
    parse_json,
    parse_makefile,
    parse_notebook,
)
from scaffolder.assess.parse_toml import parse_pyproject, parse_requirements


def test_pyproject_dependencies_linters_and_broken_toml():
    found, problems = parse_pyproject(
        '[project]\ndependencies = ["mlflow>=3", "Scikit_Learn"]\n[tool.ruff]\nline-length = 100\n',
        "pyproject.toml",
        Zone.SOURCE,
    )
    deps = [f for f in found if f.kind == "deps.declared"][0]
    assert deps.detail["names"] == ["mlflow", "scikit-learn"] and deps.line == 2
    assert ("lint.config", 3) in {(f.kind, f.line) for f in found}
    assert not problems
    _, problems = parse_pyproject("[project\nname = 1\n", "pyproject.toml", Zone.SOURCE)
    assert problems[0].category == "toml" and problems[0].line == 1


def test_pinned_requirements_are_a_lock():
    assert "deps.lock" in {
        f.kind for f in parse_requirements("a==1\nb==2 # x\n", "requirements.txt", Zone.SOURCE)
    }
    assert "deps.lock" not in {
        f.kind for f in parse_requirements("a>=1\n", "requirements.txt", Zone.SOURCE)
    }


def test_dockerfile_pinning_user_and_serving():
    text = (
        "FROM python:3.11-slim AS build\nRUN pip install . \\\n  && true\nFROM build\nUSER 10001\n"
        'CMD ["uvicorn", "app:app"]\n'
    )
    image = parse_dockerfile(text, "Dockerfile", Zone.SOURCE)[0]
    assert image.detail["pinned"] and image.detail["non_root"] and image.detail["serving"]
    latest = parse_dockerfile("FROM python\n", "Dockerfile", Zone.SOURCE)[0]
    assert not latest.detail["pinned"] and not latest.detail["non_root"]
    assert parse_dockerfile("# nothing\n", "Dockerfile", Zone.SOURCE)[0].kind == "docker.invalid"


def test_makefile_codeowners_json_and_notebooks():
    targets = parse_makefile(
        "VENV ?= .venv\n.PHONY: x\nsetup: ## s\n\tx\ntrain:\n\ty\n", "Makefile", Zone.SOURCE
    )
    assert [(f.detail["name"], f.line) for f in targets] == [("setup", 3), ("train", 5)]
    assert (
        parse_codeowners("# owners\n* @team\n", "CODEOWNERS", Zone.SOURCE)[0].detail["entries"] == 1
    )
    dash, _ = parse_json('{"dashboard": {"panels": [{}]}}', "grafana/d.json", Zone.SOURCE)
    assert dash[0].kind == "grafana.dashboard"
    _, problems = parse_json("{oops", "grafana/d.json", Zone.SOURCE)
    assert problems[0].category == "json"
    import json

    nb = json.dumps(
        {
            "cells": [
                {
                    "cell_type": "code",
                    "source": [
                        "%pip install x\n",
                        "import mlflow\n",
                        "mlflow.log_metric('a', 1)\n",
                    ],
                }
            ]
        }
    )
    found, _ = parse_notebook(nb, "explore.ipynb")
    assert [(f.kind, f.zone) for f in found if f.kind == "mlflow.tracking"] == [
        ("mlflow.tracking", Zone.NOTEBOOK)
    ]

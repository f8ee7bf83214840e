"""Fixture repositories for the assess tests, built in tmp_path by small helper functions."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from scaffolder.assess.checks import run_checks
from scaffolder.assess.models import CheckResult, Facts
from scaffolder.assess.scan import scan


def write(root: Path, files: dict[str, str]) -> Path:
    """Write `files` (relative path -> text, dedented) under root; return root."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def git_dir(root: Path, commit: str = "0123456789abcdef0123456789abcdef01234567") -> Path:
    """A minimal .git folder on branch main at `commit` (enough for the scanner)."""
    (root / ".git" / "refs" / "heads").mkdir(parents=True, exist_ok=True)
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (root / ".git" / "refs" / "heads" / "main").write_text(commit + "\n")
    return root


def notebook(cells: list[str]) -> str:
    return json.dumps(
        {
            "cells": [
                {"cell_type": "code", "source": c, "metadata": {}, "outputs": []} for c in cells
            ]
            + [{"cell_type": "markdown", "source": "# notes", "metadata": {}}],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


def checks(root: Path) -> dict[str, CheckResult]:
    return {r.id: r for r in run_checks(scan(root))}


def facts(root: Path) -> Facts:
    return scan(root)


def kinds(root: Path) -> set[str]:
    return {f.kind for f in scan(root).facts}


LEVEL0_FILES = {
    "README.md": "# demo\n\n    pip install -e .\n",
    ".gitignore": "data/\nmodels/\n.venv/\n",
    "pyproject.toml": """
        [project]
        name = "demo"
        version = "0.1.0"
        dependencies = ["pandas>=2", "scikit-learn>=1.5"]
        [tool.ruff]
        line-length = 100
    """,
    "Makefile": "train:\n\tpython -m demo.train\n",
    "src/demo/__init__.py": "",
    "src/demo/train.py": """
        import joblib
        from sklearn.linear_model import LogisticRegression
        from sklearn.metrics import accuracy_score
        from sklearn.model_selection import train_test_split


        def train(df):
            x_tr, x_te, y_tr, y_te = train_test_split(df, df.y, random_state=42)
            model = LogisticRegression().fit(x_tr, y_tr)
            joblib.dump(model, "models/model.joblib")
            return accuracy_score(y_te, model.predict(x_te))


        if __name__ == "__main__":
            train(None)
    """,
    "src/demo/predict.py": """
        import joblib


        def load():
            return joblib.load("models/model.joblib")
    """,
    "tests/test_train.py": """
        from demo.train import train


        def test_train():
            assert callable(train)
    """,
}


def level0_repo(root: Path) -> Path:
    """A hand-written repo that meets every level-0 check and no level-1 check."""
    return git_dir(write(root, LEVEL0_FILES))

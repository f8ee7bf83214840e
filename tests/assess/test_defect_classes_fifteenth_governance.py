"""Defect classes read from the fifteenth held-out batch's governance misses once it joined the
calibration part: the workflows of a `.github/` folder that `.gitignore` ignores but re-includes
(`!.github/workflows/`) left unread, so CI on pull requests went unseen; a README written in Org
mode or AsciiDoc (`README.org`, `README.adoc`) read as no README.
Each test fails on the code before the fix; each reads a shape of a stack, not one repository's
files, and the near misses beside them pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

WORKFLOW = """
    name: CI
    on:
      push:
        branches: [main]
      pull_request:
        branches: [main]
    jobs:
      test:
        runs-on: ubuntu-latest
        steps:
        - uses: actions/checkout@v4
        - run: pytest tests/
"""
TEST = """
    def test_one():
        assert 1 + 1 == 2
"""


def test_workflows_re_included_under_an_ignored_github_folder_are_read(tmp_path):
    write(
        tmp_path,
        {
            ".gitignore": ".venv/\n.github/\n!.github/workflows/\n",
            ".github/workflows/ci.yml": WORKFLOW,
            "README.md": "# churn\n",
            "tests/test_one.py": TEST,
        },
    )
    found = checks(tmp_path)
    assert found["governance.change-review"].outcome is Outcome.PASS
    assert found["quality.ci-tests"].outcome is Outcome.PASS


def test_an_ignored_folder_with_nothing_re_included_is_skipped(tmp_path):
    # near miss: `.github/` ignored with no exception, the folder is a local leftover
    write(
        tmp_path,
        {
            ".gitignore": ".venv/\n.github/\n!.env.example\n",
            ".github/workflows/ci.yml": WORKFLOW,
            "README.md": "# churn\n",
            "tests/test_one.py": TEST,
        },
    )
    assert checks(tmp_path)["governance.change-review"].outcome is Outcome.FAIL


def test_an_org_mode_readme_is_a_readme(tmp_path):
    write(tmp_path, {"README.org": "* MLOps example\nTrain with =python train.py=.\n"})
    assert checks(tmp_path)["governance.readme"].outcome is Outcome.PASS


def test_a_readme_of_another_format_is_no_readme(tmp_path):
    # near miss: an image named README is no document
    (tmp_path / "README.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    assert checks(tmp_path)["governance.readme"].outcome is Outcome.FAIL

"""The merge driver inside the tool's own upgrade: merge-tree and the in-tree merge use it, and
git's flow (markers, `git merge --abort`) holds."""

from scaffolder.upgrade.apply import UpgradeRequest, upgrade

from .helpers import commit, git, new_project, snapshot


def test_ordinary_edits_upgrade_without_conflict(tmp_path):
    repo = new_project(tmp_path)
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            '    "scikit-learn>=1.5",\n', '    "scikit-learn>=1.5",\n    "requests>=2",\n'
        )
    )
    readme = repo / "README.md"
    readme.write_text(
        readme.read_text().replace(
            "A machine learning project\n", "A machine learning project\n\nData: the Q3 export.\n"
        )
    )
    with (repo / "Makefile").open("a") as f:
        f.write("\nnotebook: ## Start Jupyter\n\t$(VENV)/bin/jupyter lab\n")
    with (repo / ".gitignore").open("a") as f:
        f.write("/secrets/\n")
    commit(repo)
    result = upgrade(UpgradeRequest(path=repo, to=1, defaults=True))
    assert result.conflicts == []
    assert '"requests>=2"' in pyproject.read_text() and '"mlflow' in pyproject.read_text()
    assert "Data: the Q3 export." in readme.read_text()
    assert "## The pipeline" in readme.read_text()
    assert "notebook: ## Start Jupyter" in (repo / "Makefile").read_text()
    assert "-m churn.pipeline" in (repo / "Makefile").read_text()
    assert "/secrets/" in (repo / ".gitignore").read_text()
    assert git(repo, "status", "--porcelain") == ""


def test_a_real_clash_conflicts_inside_the_entry_and_merge_abort_restores(tmp_path, monkeypatch):
    repo = new_project(tmp_path)
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            '    "pandas>=2.2",\n', '    "pandas==2.1.4",\n    "requests>=2",\n'
        )
    )
    commit(repo)
    # Make the next render change the same package: the template now wants pandas>=2.3.
    # (On a copy of the templates: other tests, in parallel workers, render the real ones.)
    import shutil

    import scaffolder.catalog as catalog_module

    templates = tmp_path / "templates"
    shutil.copytree(catalog_module.builtin_templates_dir(), templates)
    template = templates / "level0" / "pyproject.toml.jinja"
    template.write_text(template.read_text().replace('"pandas>=2.2"', '"pandas>=2.3"'))
    monkeypatch.setattr(catalog_module, "builtin_templates_dir", lambda: templates)
    before = snapshot(repo)
    result = upgrade(UpgradeRequest(path=repo, to=1, defaults=True))
    assert result.conflicts == ["pyproject.toml"]
    text = pyproject.read_text()
    assert text.count("<<<<<<<") == 1
    assert (
        '<<<<<<< HEAD\n    "pandas==2.1.4",\n=======\n    "pandas>=2.3",\n'
        ">>>>>>> mlops-scaffold/base" in text
    )
    assert '"mlflow>=' in text and '"requests>=2"' in text  # the rest merged
    git(repo, "merge", "--abort")
    after = snapshot(repo)
    assert after["files"] == before["files"] and after["index"] == before["index"]
    assert after["head"] == before["head"]

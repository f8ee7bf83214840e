import itertools
import re
from pathlib import Path

import pytest

from scaffolder.answers import check_package_name, check_project_name
from scaffolder.catalog import builtin_catalog
from scaffolder.errors import InvalidAnswerError, TemplateError
from scaffolder.render import render

# `${{ ... }}` is a GitHub Actions expression, `{{index .RepoDigests 0}}` a Go template for
# docker and `{{args.name}}` an Argo Rollouts argument: all are meant to stay in the output.
LEFTOVER = re.compile(r"(?<!\$)\{\{(?!\s*(index|json)\b|\s*\.|\s*args\.)|\{%")
GRAFANA_LEGEND = re.compile(r'"legendFormat": "[^"]*"')

COMBINATIONS = [
    (0, None, ci, py) for ci, py in itertools.product(("github", "gitlab"), ("3.10", "3.13"))
] + [
    (level, orch, ci, py)
    for level in (1, 2, 3)
    for orch, ci, py in itertools.product(
        ("airflow", "kubeflow", "both"), ("github", "gitlab"), ("3.10", "3.11", "3.12", "3.13")
    )
]


def _given(level, orchestrator, ci, python_version, name="churn-model"):
    given = {"project_name": name, "level": level, "ci": ci, "python_version": python_version}
    if orchestrator:
        given["orchestrator"] = orchestrator
    return given


def _files(tree: Path) -> dict[str, str]:
    return {
        str(p.relative_to(tree)): p.read_text(encoding="utf-8")
        for p in tree.rglob("*")
        if p.is_file()
    }


@pytest.mark.parametrize(("level", "orchestrator", "ci", "python_version"), COMBINATIONS)
def test_every_combination_renders_clean(tmp_path, level, orchestrator, ci, python_version):
    dest = tmp_path / "out"
    answers = render(builtin_catalog(), _given(level, orchestrator, ci, python_version), dest)
    assert answers.level == level
    assert answers.package_name == "churn_model"
    files = _files(dest)
    assert files, "nothing rendered"
    for path, text in files.items():
        assert not path.endswith(".jinja"), path
        assert "{{" not in path and "{%" not in path, path
        if path.endswith(".json"):  # Grafana legends name series by label: {{kpi}} stays
            text = GRAFANA_LEGEND.sub('"legendFormat": ""', text)
        match = LEFTOVER.search(text)
        assert match is None, (
            f"{path}: leftover Jinja near {text[match.start() : match.start() + 40]!r}"
        )
    has_dags = any(p.startswith("dags/") for p in files)
    has_kfp = any(p.startswith("pipelines/") for p in files)
    assert has_dags == (orchestrator in ("airflow", "both"))
    assert has_kfp == (orchestrator in ("kubeflow", "both"))
    assert (".gitlab-ci.yml" in files) == (level >= 1 and ci == "gitlab")
    assert any(p.startswith(".github/workflows/") for p in files) == (level >= 1 and ci == "github")


def test_level0_skips_the_orchestrator_question(tmp_path):
    answers = render(builtin_catalog(), _given(0, None, "github", "3.11"), tmp_path / "o")
    assert answers.orchestrator is None


def test_level1_records_the_orchestrator(tmp_path):
    answers = render(builtin_catalog(), _given(1, "kubeflow", "gitlab", "3.11"), tmp_path / "o")
    assert answers.orchestrator == "kubeflow"
    assert answers.ci == "gitlab"


@pytest.mark.parametrize(
    ("name", "package"),
    [("ok-name", "pkg"), ("a.b", "pkg"), ("../x", "pkg"), ("a b", "pkg"), ("9lives", "pkg"),
     ("-dash", "pkg"), ("ok", "json"), ("ok", "class"), ("ok", "Bad"), ("ok", "mlflow")],
)  # fmt: skip
def test_copier_validator_agrees_with_ours(tmp_path, monkeypatch, name, package):
    """The prompts (copier's validators) refuse what the flags refuse: json, class..."""
    try:
        check_project_name(name)
        check_package_name(package)
        ours = True
    except InvalidAnswerError:
        ours = False
    # Skip our own check before copier runs, as answers typed at a prompt do.
    monkeypatch.setattr("scaffolder.render.check_given", lambda given: dict(given))
    given = {"project_name": name, "package_name": package, "level": 0}
    try:
        render(builtin_catalog(), given, tmp_path / "o")
        theirs = True
    except InvalidAnswerError:
        theirs = False
    assert ours == theirs


def test_an_invalid_choice_is_a_clear_error(tmp_path):
    with pytest.raises(InvalidAnswerError, match="ci 'svn' is not one of github, gitlab"):
        render(builtin_catalog(), {"project_name": "x", "ci": "svn", "level": 0}, tmp_path / "o")


def test_a_broken_template_names_the_file(tmp_path):
    from scaffolder.catalog import Catalog

    root = tmp_path / "tmpl"
    (root / "level0").mkdir(parents=True)
    (root / "copier.yml").write_text(builtin_catalog().questions_file.read_text())
    (root / "level0" / "broken.txt.jinja").write_text("{% if %}\n")
    with pytest.raises(TemplateError, match="broken.txt"):
        render(Catalog(root=root, version="0"), {"project_name": "x", "level": 0}, tmp_path / "o")

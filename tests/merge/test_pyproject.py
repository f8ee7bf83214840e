import tomllib

from scaffolder.merge import Labels, merge_text

BASE = """[build-system]
requires = ["setuptools>=69", "wheel"]
build-backend = "setuptools.build_meta"

[project]
name = "churn"
version = "0.1.0"
dependencies = [
    "joblib>=1.3",
    "pandas>=2.2",
]

[project.optional-dependencies]
dev = [
    "pytest>=8",
]

[tool.ruff]
line-length = 100
"""


def merge(base, ours, theirs):
    return merge_text("pyproject.toml", base, ours, theirs, Labels(theirs="mlops-scaffold/base"))


def test_dependencies_added_on_both_sides_merge_by_package():
    ours = BASE.replace('"pandas>=2.2",\n', '"pandas>=2.2",\n    "requests>=2",  # API client\n')
    theirs = BASE.replace('"pandas>=2.2",\n', '"pandas>=2.2",\n    "mlflow>=3.17,<4",\n')
    result = merge(BASE, ours, theirs)
    assert result.conflicts == 0
    deps = tomllib.loads(result.text)["project"]["dependencies"]
    assert deps == ["joblib>=1.3", "pandas>=2.2", "mlflow>=3.17,<4", "requests>=2"]
    assert '"requests>=2",  # API client' in result.text  # the team's comment kept


def test_version_bump_of_one_side_wins_over_an_untouched_line():
    ours = BASE.replace('"joblib>=1.3"', '"joblib>=1.4"')
    theirs = BASE.replace('"pandas>=2.2"', '"pandas>=2.3"').replace('"pytest>=8"', '"pytest>=8.3"')
    result = merge(BASE, ours, theirs)
    assert result.conflicts == 0
    data = tomllib.loads(result.text)
    assert data["project"]["dependencies"] == ["joblib>=1.4", "pandas>=2.3"]
    assert data["project"]["optional-dependencies"]["dev"] == ["pytest>=8.3"]


def test_a_package_changed_both_ways_conflicts_on_its_line_only():
    ours = BASE.replace('"pandas>=2.2"', '"pandas==2.0.3"')
    theirs = BASE.replace('"pandas>=2.2"', '"pandas>=2.3"').replace('"0.1.0"', '"0.1.0"')
    result = merge(BASE, ours, theirs)
    assert result.conflicts == 1
    assert (
        '    "joblib>=1.3",\n<<<<<<< HEAD\n    "pandas==2.0.3",\n=======\n    "pandas>=2.3",\n'
        ">>>>>>> mlops-scaffold/base\n]" in result.text
    )
    assert result.text.count("<<<<<<<") == 1


def test_tables_and_keys_added_by_each_side_all_kept():
    ours = BASE + "\n[tool.mypy]\nstrict = true\n"
    theirs = BASE.replace('version = "0.1.0"\n', 'version = "0.1.0"\nreadme = "README.md"\n')
    theirs = theirs.replace("line-length = 100\n", 'line-length = 100\ntarget-version = "py311"\n')
    result = merge(BASE, ours, theirs)
    assert result.conflicts == 0
    data = tomllib.loads(result.text)
    assert data["tool"]["mypy"] == {"strict": True}
    assert data["project"]["readme"] == "README.md"
    assert data["tool"]["ruff"] == {"line-length": 100, "target-version": "py311"}


def test_same_key_changed_both_ways_conflicts_inside_that_key():
    ours = BASE.replace("line-length = 100", "line-length = 120")
    theirs = BASE.replace("line-length = 100", "line-length = 88")
    result = merge(BASE, ours, theirs)
    assert result.conflicts == 1
    assert (
        "[tool.ruff]\n<<<<<<< HEAD\nline-length = 120\n=======\nline-length = 88\n" in result.text
    )


def test_adopting_a_team_pyproject_adds_only_what_is_missing():
    team = (
        '[project]\nname = "churn"\nversion = "0.1.0"\ndependencies = [\n    "pandas>=2.2",\n'
        '    "lightgbm>=4",\n]\n\n[tool.black]\nline-length = 88\n'
    )
    result = merge("", team, BASE)
    assert result.conflicts == 0
    data = tomllib.loads(result.text)
    deps = data["project"]["dependencies"]
    assert sorted(deps) == ["joblib>=1.3", "lightgbm>=4", "pandas>=2.2"]
    assert deps.index("pandas>=2.2") < deps.index("lightgbm>=4")  # the team's order kept
    assert data["tool"]["black"] == {"line-length": 88}
    assert data["build-system"]["build-backend"] == "setuptools.build_meta"
    assert result.text.count("[project]") == 1


def test_inline_arrays_merge_as_sets():
    ours = BASE.replace('"wheel"]', '"wheel", "setuptools-scm>=8"]')
    theirs = BASE.replace('"setuptools>=69", ', '"setuptools>=70", ')
    result = merge(BASE, ours, theirs)
    assert result.conflicts == 0
    assert 'requires = ["setuptools>=70", "wheel", "setuptools-scm>=8"]' in result.text


def test_invalid_structured_result_falls_back_to_line_merge():
    broken = BASE + "[project\n"
    result = merge(BASE, broken, BASE.replace("100", "110"))
    assert "[project\n" in result.text


def _lines_kept_or_conflict(result, *texts: str) -> None:
    """Every line of every side is in the result, or the result is a conflict."""
    if result.conflicts:
        return
    kept = set(result.text.splitlines())
    for text in texts:
        missing = [line for line in text.splitlines() if line.strip() and line not in kept]
        assert not missing, (missing, result.text)


def test_a_comment_above_a_duplicated_dependency_is_kept_or_conflicts():
    """Issue 20: the comment above the second `joblib` went missing with exit 0."""
    ours = BASE.replace(
        '"pandas>=2.2",\n', '"pandas>=2.2",\n    # again for the GPU image\n    "joblib>=1.3",\n'
    )
    theirs = BASE.replace('"pandas>=2.2",\n', '"pandas>=2.2",\n    "mlflow>=3.17,<4",\n')
    result = merge(BASE, ours, theirs)
    ours_only = "\n".join(line for line in ours.splitlines() if line not in BASE.splitlines())
    _lines_kept_or_conflict(result, ours_only)
    assert "# again for the GPU image" in result.text


def test_comments_the_template_adds_to_an_array_are_kept_or_conflict():
    theirs = BASE.replace('"pandas>=2.2",\n', '"pandas>=2.2",\n    # tracking\n    "mlflow>=3",\n')
    ours = BASE.replace('    "joblib>=1.3",\n', '    # models\n    "joblib>=1.3",\n')
    result = merge(BASE, ours, theirs)
    new_lines = [
        line for text in (ours, theirs) for line in text.splitlines()
        if line not in BASE.splitlines()
    ]  # fmt: skip
    _lines_kept_or_conflict(result, "\n".join(new_lines))


def adopt_merge(team: str, template: str) -> tuple[str, list[str]]:
    labels = Labels(theirs="mlops-scaffold/base", adopting=True)
    result = merge_text("pyproject.toml", "", team, template, labels)
    assert result.conflicts == 0
    return result.text, labels.kept


def test_adopting_a_dynamic_version_adds_no_static_version_beside_it():
    """Issue 25: Kedro's `dynamic = ["version"]` got `version = "0.1.0"` beside it."""
    team = '[project]\nname = "spaceflights"\ndynamic = ["version", "dependencies"]\n'
    text, _ = adopt_merge(team, BASE)
    project = tomllib.loads(text)["project"]
    assert "version" not in project and project["dynamic"] == ["version", "dependencies"]
    static, _ = adopt_merge('[project]\nname = "x"\n', BASE)
    assert tomllib.loads(static)["project"]["version"] == "0.1.0"


def test_adopting_narrows_a_team_range_wider_than_the_pipeline_needs():
    """Issue 25: a team's `mlflow>=2.20` was kept although the pipeline needs >= 3.17."""
    template = BASE.replace('"pandas>=2.2",\n', '"pandas>=2.2",\n    "mlflow>=3.17,<4",\n')
    team = (
        '[project]\nname = "x"\ndependencies = [\n    "mlflow[gateway]>=2.20",  # ours\n'
        '    "pandas==2.2.3",\n]\n'
    )
    text, kept = adopt_merge(team, template)
    deps = tomllib.loads(text)["project"]["dependencies"]
    assert "mlflow[gateway]<4,>=3.17" in deps  # the team's extra kept, the range cut
    assert "pandas==2.2.3" in deps  # inside the template's range: as the team wrote it
    assert '"mlflow[gateway]<4,>=3.17",  # ours' in text
    assert any("narrowed to `mlflow[gateway]<4,>=3.17`" in k for k in kept)

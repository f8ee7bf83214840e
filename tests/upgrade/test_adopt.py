from pathlib import Path

import pytest

from scaffolder.errors import InvalidAnswerError, ScaffoldError
from scaffolder.state import BASE_BRANCH, STATE_FILE, load_state
from scaffolder.upgrade import apply
from scaffolder.upgrade.adopt import adopt, infer_answers, plan_adoption

from .helpers import commit, git, new_project, snapshot


def handmade_repo(root: Path, name: str = "churn-study") -> Path:
    """A repo as a data scientist makes one: a notebook-style script, requirements, data."""
    repo = root / name
    (repo / "notebooks").mkdir(parents=True)
    (repo / "data").mkdir()
    (repo / "README.md").write_text("# Churn study\n\nWhat we found about churn.\n")
    (repo / "requirements.txt").write_text("pandas\nscikit-learn\n")
    (repo / "notebooks" / "analysis.py").write_text(
        "import pandas as pd\n\ndf = pd.read_csv('data/raw.csv')\nprint(df.describe())\n"
    )
    (repo / "data" / "raw.csv").write_text("a,b\n1,2\n")
    (repo / ".gitignore").write_text("data/\n")
    git(repo.parent, "init", "--quiet", "-b", "main", str(repo))
    commit(repo, "our study")
    return repo


def test_infer_answers_from_pyproject_and_src_layout(tmp_path):
    repo = tmp_path / "x"
    (repo / "src" / "fraud_model").mkdir(parents=True)
    (repo / "src" / "fraud_model" / "__init__.py").write_text("")
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "fraud-model"\ndescription = "Flags fraud"\n'
        'authors = [{name = "Risk Team"}]\n'
    )
    assert infer_answers(repo) == {
        "project_name": "fraud-model", "description": "Flags fraud",
        "author": "Risk Team", "package_name": "fraud_model", "package_dir": "src/fraud_model",
    }  # fmt: skip


def test_inferred_free_text_is_made_one_line(tmp_path):
    """A multi-line description in the repo's pyproject becomes a one-line answer."""
    repo = tmp_path / "x"
    repo.mkdir()
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "x"\ndescription = """Flags\n  fraud\tfast\u202e"""\n'
        'authors = [{name = "Risk\\nTeam"}]\n'
    )
    inferred = infer_answers(repo)
    assert inferred["description"] == "Flags fraud fast"
    assert inferred["author"] == "Risk Team"


def test_infer_answers_survives_broken_pyproject(tmp_path):
    repo = tmp_path / "plain"
    repo.mkdir()
    (repo / "pyproject.toml").write_text("[project\nname=")
    assert infer_answers(repo) == {"project_name": "plain"}


def test_adopt_handmade_repo_merges_readme_and_ignore_files_by_structure(tmp_path):
    repo = handmade_repo(tmp_path)
    before = {
        p: (repo / p).read_text()
        for p in ("README.md", "requirements.txt", "notebooks/analysis.py")
    }
    result = adopt(repo, None, {}, defaults=True, interactive=False)
    # README: the team's text first, then the template's sections; .gitignore: both line sets.
    assert result.conflicts == []
    readme = (repo / "README.md").read_text()
    assert readme.startswith(before["README.md"])
    assert "<!-- mlops-scaffold:begin make-targets -->" in readme
    ignore = (repo / ".gitignore").read_text().splitlines()
    assert ignore[0] == "data/" and "__pycache__/" in ignore
    for path in ("requirements.txt", "notebooks/analysis.py"):
        assert (repo / path).read_text() == before[path]
    assert (repo / "data" / "raw.csv").read_text() == "a,b\n1,2\n"  # ignored data untouched
    assert (repo / "src" / "churn_study" / "train.py").is_file()
    assert load_state(repo).answers.package_name == "churn_study"
    # The base branch is a root commit: unrelated to the user's history until the merge.
    assert git(repo, "rev-list", "--count", BASE_BRANCH).strip() == "1"
    assert git(repo, "status", "--porcelain") == ""
    plans = apply.plan_upgrade(apply.UpgradeRequest(path=repo, defaults=True))
    assert plans[0].to_level == 1


def test_adopt_keeps_the_team_make_targets_and_names_the_clashes(tmp_path):
    repo = handmade_repo(tmp_path)
    team = "test:\n\tpython -m unittest\n\nreport:\n\tpython report.py\n"
    (repo / "Makefile").write_text(team)
    commit(repo, "our make targets")
    result = adopt(repo, None, {}, defaults=True, interactive=False)
    # Both define `test`: theirs stays, the template's is `mlops-test` beside it (issue 25:
    # no clash now, nor at later upgrades); the template's other targets join.
    assert result.conflicts == []
    text = (repo / "Makefile").read_text()
    assert "test:\n\tpython -m unittest\n" in text and "report:\n\tpython report.py\n" in text
    assert "setup: ##" in text and text.count("\ntest:") + text.startswith("test:") == 1
    assert "\nmlops-test: ##" in text
    assert not any(n.startswith("Makefile: kept") for n in result.notes)
    assert apply.continue_upgrade(repo).level == 0


def test_adopt_without_overlap_merges_cleanly(tmp_path):
    repo = tmp_path / "tiny"
    repo.mkdir()
    (repo / "analysis.py").write_text("print('hi')\n")
    git(tmp_path, "init", "--quiet", "-b", "main", str(repo))
    commit(repo)
    result = adopt(repo, 1, {"orchestrator": "airflow"}, defaults=True, interactive=False)
    assert result.conflicts == []
    assert git(repo, "status", "--porcelain") == ""
    assert load_state(repo).level == 1
    assert (repo / "analysis.py").read_text() == "print('hi')\n"
    assert (repo / "dags").is_dir()


def test_dry_run_changes_nothing(tmp_path):
    repo = handmade_repo(tmp_path)
    before = snapshot(repo)
    _, plan = plan_adoption(repo, None, {}, defaults=True, interactive=False)
    kinds = {c.path: c.kind for c in plan.changes}
    assert kinds["README.md"] == kinds[".gitignore"] == "merged"
    assert kinds["Makefile"] == "added"
    assert snapshot(repo) == before


@pytest.mark.parametrize(
    ("prepare", "message"),
    [
        (lambda r: (r / "README.md").write_text("dirty"), "uncommitted changes"),
        (lambda r: git(r, "checkout", "--quiet", "--detach"), "detached"),
        (lambda r: git(r, "branch", BASE_BRANCH), "already exists"),
        (lambda r: (r / STATE_FILE).write_text("x") or commit(r), "already managed"),
    ],
)
def test_adopt_refusals_change_nothing(tmp_path, prepare, message):
    repo = handmade_repo(tmp_path)
    prepare(repo)
    before = snapshot(repo)
    with pytest.raises(ScaffoldError, match=message):
        adopt(repo, None, {}, defaults=True, interactive=False)
    assert snapshot(repo) == before


def test_adopt_refuses_a_project_made_by_the_tool(tmp_path):
    repo = new_project(tmp_path)
    with pytest.raises(ScaffoldError, match="already managed"):
        adopt(repo, None, {}, defaults=True, interactive=False)


def test_adopt_refuses_a_folder_name_that_is_no_package(tmp_path):
    repo = handmade_repo(tmp_path, name="import")
    with pytest.raises(InvalidAnswerError, match="override with --data"):
        adopt(repo, None, {}, defaults=True, interactive=False)
    result = adopt(repo, None, {"package_name": "imports_model"}, defaults=True, interactive=False)
    assert (repo / "src" / "imports_model").is_dir() and not result.conflicts


def test_adopt_refuses_a_repo_without_commits(tmp_path):
    repo = tmp_path / "empty"
    repo.mkdir()
    git(tmp_path, "init", "--quiet", str(repo))
    with pytest.raises(ScaffoldError, match="no commits"):
        adopt(repo, None, {}, defaults=True, interactive=False)


def test_adopt_refuses_a_plain_folder(tmp_path):
    with pytest.raises(ScaffoldError, match="not a git repository"):
        adopt(tmp_path, None, {}, defaults=True, interactive=False)


def test_adopt_runs_again_after_the_user_backs_out_with_merge_abort(tmp_path):
    repo = handmade_repo(tmp_path)
    # A pyproject no TOML parser reads: merged by lines, so it conflicts (honestly).
    (repo / "pyproject.toml").write_text('[project\nname = "churn-study"\n')
    commit(repo, "a broken pyproject")
    before = snapshot(repo)
    first = adopt(repo, None, {}, defaults=True, interactive=False)
    assert first.conflicts == ["pyproject.toml"]
    git(repo, "merge", "--abort")
    after_abort = snapshot(repo)
    assert after_abort["files"] == before["files"] and after_abort["index"] == before["index"]
    # The base branch the aborted run left is the tool's own: adopt replaces it.
    again = adopt(repo, None, {"description": "Churn, again"}, defaults=True, interactive=False)
    assert again.conflicts == ["pyproject.toml"]
    assert "Churn, again" in git(repo, "show", f"{BASE_BRANCH}:{STATE_FILE}")


def test_infer_answers_reads_python_ci_description_and_author(tmp_path):
    repo = tmp_path / "study"
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".github" / "workflows" / "ci.yml").write_text("on: push\n")
    (repo / ".python-version").write_text("3.12.4\n")
    (repo / "README.md").write_text(
        "# Study\n\n[![ci](badge.svg)](x)\n\nPredicts **bike** demand per hour. More text.\n"
    )
    git(tmp_path, "init", "--quiet", "-b", "main", str(repo))
    commit(repo, "start")  # author Dev (tests/upgrade/helpers.py)
    inferred = infer_answers(repo)
    assert inferred["python_version"] == "3.12"
    assert inferred["ci"] == "github"
    assert inferred["description"] == "Predicts bike demand per hour."
    assert inferred["author"] == "Dev"
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "study"\nrequires-python = ">=3.8"\ndescription = "From pyproject"\n'
    )
    (repo / ".gitlab-ci.yml").write_text("test:\n  script: [pytest]\n")
    inferred = infer_answers(repo)
    # The lowest version the templates support that the project allows.
    assert inferred["python_version"] == "3.10"
    assert inferred["description"] == "From pyproject"
    assert inferred["ci"] == "gitlab"


def test_template_ignore_rules_never_hide_files_the_team_tracks(tmp_path):
    repo = handmade_repo(tmp_path)
    (repo / ".gitignore").write_text("/data/\n*.log\n")
    (repo / "models").mkdir()
    (repo / "models" / "baseline.json").write_text("{}\n")
    (repo / "tests" / "data").mkdir(parents=True)
    (repo / "tests" / "data" / "rows.csv").write_text("a\n1\n")
    commit(repo, "track a baseline model and test data")
    result = adopt(repo, None, {}, defaults=True, interactive=False)
    assert result.conflicts == []
    rules = (repo / ".gitignore").read_text().splitlines()
    assert "/models/" not in rules  # would hide new files next to models/baseline.json
    assert "/data/" in rules  # anchored: tests/data/ is not touched
    assert any("/models/" in note and "models/baseline.json" in note for note in result.notes)
    git(repo, "check-ignore", "-q", "data/raw.csv")
    for path in ("models/new.json", "tests/data/more.csv"):
        assert git(repo, "check-ignore", path, check=False) == ""


def team_package_repo(root: Path) -> Path:
    """A repo with its own top-level package, as cookiecutter-data-science lays it out."""
    repo = root / "bikes"
    (repo / "bikes").mkdir(parents=True)
    (repo / "bikes" / "__init__.py").write_text("")
    (repo / "bikes" / "dataset.py").write_text("def load():\n    return None\n")
    (repo / "Makefile").write_text(".PHONY: test\ntest:\n\tpython -m pytest tests\n")
    git(root, "init", "--quiet", "-b", "main", str(repo))
    commit(repo, "our package")
    return repo


def test_adopt_around_a_top_level_package_renders_no_example(tmp_path):
    repo = team_package_repo(tmp_path)
    result = adopt(repo, 1, {"orchestrator": "airflow"}, defaults=True, interactive=False)
    assert result.conflicts == []
    answers = load_state(repo).answers
    assert (answers.example, answers.package_dir, answers.package_name) == (False, "bikes", "bikes")
    assert (repo / "bikes" / "mlops" / "steps.py").is_file()
    assert (repo / "bikes" / "mlops" / "metrics.py").is_file()  # make train writes them
    assert (repo / "config" / "mlops.yaml").is_file()
    assert not (repo / "src").exists() and not (repo / "tests" / "test_model.py").exists()
    makefile = (repo / "Makefile").read_text()
    assert ".PHONY: test\n" in makefile and "test:\n\tpython -m pytest tests\n" in makefile
    assert "-m bikes.mlops" in makefile  # the template's train target, around their package
    assert "\nmlops-test: ##" in makefile  # the template's beside theirs: no clash to note
    assert not any(note.startswith("Makefile:") for note in result.notes)


def test_adopt_around_a_package_stops_at_level_2_and_the_example_may_not_shadow_it(tmp_path):
    repo = team_package_repo(tmp_path)
    with pytest.raises(InvalidAnswerError, match="run adopt with --level 2"):
        adopt(repo, 3, {}, defaults=True, interactive=False)
    with pytest.raises(InvalidAnswerError, match="would shadow your bikes/"):
        adopt(repo, 0, {"example": True}, defaults=True, interactive=False)
    result = adopt(
        repo, 0, {"example": True, "package_name": "churn_example"}, defaults=True,
        interactive=False,
    )  # fmt: skip
    assert (repo / "src" / "churn_example" / "train.py").is_file()
    assert result.conflicts == []


def test_adopt_around_a_package_at_level_2_serves_its_model_and_leaves_out_the_example(tmp_path):
    repo = team_package_repo(tmp_path)
    result = adopt(repo, 2, {"orchestrator": "airflow"}, defaults=True, interactive=False)
    assert result.conflicts == []
    for path in ("bikes/mlops/serving.py", "bikes/mlops/registry.py", "config/environments.yaml",
                 "Dockerfile.serving", "scripts/promote_model.py", "k8s/base/deployment.yaml",
                 "tests/test_mlops_serving.py", ".github/workflows/cd.yml"):  # fmt: skip
        assert (repo / path).is_file(), path
    # Nothing that builds on the churn example's data or package.
    for path in ("src", "config/data_contract.yaml", "config/pipeline.yaml", "tests/model"):
        assert not (repo / path).exists(), path
    assert "bikes.mlops.serving:app" in (repo / "Dockerfile.serving").read_text()
    assert "!bikes/" in (repo / ".dockerignore").read_text().splitlines()  # COPY . ./ sends it
    assert "bikes.mlops.registry import main" in (repo / "scripts/promote_model.py").read_text()
    makefile = (repo / "Makefile").read_text()
    assert "uvicorn bikes.mlops.serving:app" in makefile and "validate-data" not in makefile
    assert "overrides" not in (repo / "config/environments.yaml").read_text()
    assert "validate-data" not in (repo / ".github/workflows/ci.yml").read_text()
    # Level 3 is refused in one line naming where the templates stop.
    with pytest.raises(ScaffoldError, match="go up to level 2"):
        apply.upgrade(apply.UpgradeRequest(path=repo, to=3, defaults=True))


def test_a_package_adopted_at_level_1_upgrades_to_level_2_and_stops_there(tmp_path):
    repo = team_package_repo(tmp_path)
    adopt(repo, 1, {"orchestrator": "kubeflow"}, defaults=True, interactive=False)
    config = repo / "config" / "mlops.yaml"
    config.write_text(config.read_text().replace("target: null", "target: busy"))
    commit(repo, "our target")
    result = apply.upgrade(apply.UpgradeRequest(path=repo, defaults=True))
    assert (result.level, result.conflicts) == (2, [])
    assert (repo / "bikes" / "mlops" / "serving.py").is_file()
    assert "target: busy" in config.read_text()
    assert "mark_new_version(" in (repo / "bikes/mlops/steps.py").read_text()  # level-2 register
    with pytest.raises(ScaffoldError, match="go up to level 2; `mlops-scaffold upgrade --to 2`"):
        apply.upgrade(apply.UpgradeRequest(path=repo, defaults=True))
    assert load_state(repo).level == 2
    # The command it names works: a template update at level 2, nothing due.
    assert apply.upgrade(apply.UpgradeRequest(path=repo, to=2, defaults=True)).level == 2

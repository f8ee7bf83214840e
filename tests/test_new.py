import subprocess
from pathlib import Path

import pytest

from scaffolder import gitops, new
from scaffolder.catalog import Catalog, builtin_catalog
from scaffolder.errors import (
    GitError,
    InvalidAnswerError,
    MissingAnswerError,
    TargetExistsError,
    TemplateError,
)
from scaffolder.new import NewRequest, create_project
from scaffolder.state import BASE_BRANCH, STATE_FILE, load_state


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()


def _request(tmp_path: Path, name="churn", **given) -> NewRequest:
    return NewRequest(name=name, output_dir=tmp_path, given=given, defaults=True)


def test_new_makes_a_repo_with_base_and_main_branches(tmp_path):
    result = create_project(_request(tmp_path, level=0))
    repo = result.path
    assert repo == tmp_path / "churn"
    assert git(repo, "rev-parse", "--abbrev-ref", "HEAD") == "main"
    assert (
        git(repo, "rev-parse", "main") == git(repo, "rev-parse", BASE_BRANCH) == result.base_commit
    )
    assert git(repo, "status", "--porcelain") == ""
    assert STATE_FILE in git(repo, "ls-files").splitlines()
    assert load_state(repo).answers.project_name == "churn"
    # Nothing but the project is left in the output folder.
    assert [p.name for p in tmp_path.iterdir()] == ["churn"]


def test_new_uses_a_fallback_identity_when_git_has_none(tmp_path):
    repo = create_project(_request(tmp_path)).path
    assert git(repo, "log", "-1", "--format=%an <%ae>") == (
        f"{gitops.FALLBACK_NAME} <{gitops.FALLBACK_EMAIL}>"
    )


def test_new_uses_the_users_identity_when_configured(tmp_path, isolated_git):
    (isolated_git / ".gitconfig").write_text("[user]\n\tname = Ada\n\temail = ada@example.org\n")
    repo = create_project(_request(tmp_path)).path
    assert git(repo, "log", "-1", "--format=%an <%ae>") == "Ada <ada@example.org>"


def test_new_into_an_existing_empty_folder(tmp_path):
    (tmp_path / "churn").mkdir()
    assert create_project(_request(tmp_path)).path.is_dir()


def test_new_refuses_a_non_empty_target_and_leaves_it_alone(tmp_path):
    target = tmp_path / "churn"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    with pytest.raises(TargetExistsError, match="exists and is not empty"):
        create_project(_request(tmp_path))
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["churn"]


def test_new_refuses_a_file_in_the_way(tmp_path):
    (tmp_path / "churn").write_text("mine")
    with pytest.raises(TargetExistsError, match="not a folder"):
        create_project(_request(tmp_path))
    assert (tmp_path / "churn").read_text() == "mine"


@pytest.mark.parametrize("name", ["../x", "a b", "import", "json", "9x"])
def test_new_refuses_bad_names_and_writes_nothing(tmp_path, name):
    with pytest.raises(InvalidAnswerError):
        create_project(_request(tmp_path, name=name))
    assert list(tmp_path.iterdir()) == []


def test_new_refuses_an_unavailable_level(tmp_path):
    with pytest.raises(InvalidAnswerError, match="level 7 is not available"):
        create_project(_request(tmp_path, level=7))
    assert list(tmp_path.iterdir()) == []


def test_without_a_terminal_missing_answers_are_named(tmp_path):
    request = NewRequest(name="churn", output_dir=tmp_path, given={"level": 0})
    with pytest.raises(MissingAnswerError, match="description, author, python_version"):
        create_project(request)
    assert list(tmp_path.iterdir()) == []


def test_all_answers_given_needs_no_terminal(tmp_path):
    given = {"package_name": "churn", "description": "d", "author": "a", "level": 1,
             "orchestrator": "airflow", "ci": "gitlab", "python_version": "3.12"}  # fmt: skip
    result = create_project(NewRequest(name="churn", output_dir=tmp_path, given=given))
    assert load_state(result.path).answers.orchestrator == "airflow"


def test_a_failure_midway_leaves_nothing_behind(tmp_path, monkeypatch):
    output = tmp_path / "new-folder" / "nested"

    run_git = new.gitops.run_git

    def boom(repo, *args, **kwargs):
        if args[0] == "checkout":  # after init and the first commit
            raise GitError("git checkout failed: simulated")
        return run_git(repo, *args, **kwargs)

    monkeypatch.setattr(new.gitops, "run_git", boom)
    with pytest.raises(GitError):
        create_project(_request(output))
    assert list(tmp_path.iterdir()) == []


def test_an_interrupt_midway_leaves_existing_folders_as_they_were(tmp_path, monkeypatch):
    (tmp_path / "other").write_text("keep")

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(new.gitops, "first_commit", interrupt)
    with pytest.raises(KeyboardInterrupt):
        create_project(_request(tmp_path))
    assert [p.name for p in tmp_path.iterdir()] == ["other"]


def test_new_starts_four_git_processes_and_no_other(tmp_path, monkeypatch, isolated_git):
    """`new`'s processes are most of its time beside the render: git init, add, commit and
    checkout; copier's probes of a staged template (is it a repository? a bundle?) and git's
    auto-maintenance after a first commit are not run."""
    (isolated_git / ".gitconfig").write_text("[user]\n\tname = Ada\n\temail = ada@example.org\n")
    started = []
    popen_init = subprocess.Popen.__init__

    def counting(self, args, *rest, **kwargs):
        started.append([str(a) for a in args][:2])
        popen_init(self, args, *rest, **kwargs)

    monkeypatch.setattr(subprocess.Popen, "__init__", counting)
    result = create_project(_request(tmp_path))
    commands = [args[1] for args in started if args[0].endswith("git")]
    assert commands == ["init", "add", "-c", "checkout"], started  # -c ... commit
    assert [a for a in started if not a[0].endswith("git")] in ([], [["uname", "-p"]])
    assert git(result.path, "rev-parse", "mlops-scaffold/base") == result.base_commit


def test_a_broken_template_writes_nothing(tmp_path):
    root = tmp_path / "tmpl"
    (root / "level0").mkdir(parents=True)
    (root / "copier.yml").write_text(builtin_catalog().questions_file.read_text())
    (root / "level0" / "x.txt.jinja").write_text("{{ undefined_thing.attr }}")
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(TemplateError):
        create_project(_request(out), catalog=Catalog(root=root, version="0"))
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("level", [0, 1])
def test_make_clean_removes_caches_and_never_data_models_or_runs(tmp_path, level):
    project = create_project(
        NewRequest(name="churn", output_dir=tmp_path, given={"level": level}, defaults=True)
    ).path
    keep = ["data/raw/team.csv", "data/processed/features.csv", "models/model.joblib", "artifacts/runs/r1/model.joblib",
            "metrics/pipeline.prom", "mlflow.db", "tests/data/rows.csv"]  # fmt: skip
    gone = [".pytest_cache/x", "build/lib/x.py", "src/churn/__pycache__/m.pyc"]
    for path in keep + gone:
        (project / path).parent.mkdir(parents=True, exist_ok=True)
        (project / path).write_text("x\n")
    subprocess.run(["make", "clean"], cwd=project, check=True, capture_output=True)
    assert [p for p in keep if not (project / p).exists()] == []
    assert [p for p in gone if (project / p).exists()] == []
    # The ignore rules are anchored at the root: tests/data/ is not ignored, data/ outputs are
    # (data/raw/ too at level 0; from level 1 DVC keeps the raw data out of git by its own
    # data/raw/.gitignore, written by `dvc add`).
    ignored = subprocess.run(
        ["git", "check-ignore", "data/processed/features.csv", "tests/data/rows.csv", "mlflow.db"],
        cwd=project, capture_output=True, text=True, check=False,
    ).stdout.split()  # fmt: skip
    assert ignored == ["data/processed/features.csv", "mlflow.db"]

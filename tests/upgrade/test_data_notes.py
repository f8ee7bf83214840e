"""Bringing data under DVC without moving it: `upgrade` 0 -> 1 names the team's data files and
the commands that put them under DVC (and runs none of them); `adopt` of a DVC repository keeps
its DVC set-up instead of adding a second one."""

from __future__ import annotations

import shutil
from pathlib import Path

from scaffolder.state import load_state
from scaffolder.upgrade import apply
from scaffolder.upgrade.adopt import adopt

from .helpers import commit, git, new_project, snapshot


def test_upgrade_0_to_1_says_how_dvc_takes_the_data_over_and_moves_nothing(tmp_path, run_cli):
    repo = new_project(tmp_path, level=0)
    (repo / "data" / "raw").mkdir(parents=True)
    (repo / "data" / "raw" / "sample.csv").write_text("a,b\n1,2\n")  # git-ignored at level 0
    (repo / "data" / "raw" / "labels.csv").write_text("id,label\n1,0\n")
    git(repo, "add", "--force", "data/raw/labels.csv")  # a team that committed data anyway
    commit(repo, "our labels")
    before = {p: (repo / p).read_bytes() for p in ("data/raw/sample.csv", "data/raw/labels.csv")}

    result = run_cli("upgrade", repo, "--to", "1", "--defaults")
    assert result.exit_code == 0, result.stderr
    err = " ".join(result.stderr.split())
    assert "your data was not moved, rewritten or re-tracked" in err
    assert "data/raw/sample.csv is not in git" in err and "dvc add data/raw/sample.csv" in err
    assert "git rm --cached data/raw/labels.csv && .venv/bin/dvc add data/raw/labels.csv" in err
    # Nothing moved: same bytes, labels.csv still in git, no .dvc file written for either.
    for path, data in before.items():
        assert (repo / path).read_bytes() == data, path
    assert "data/raw/labels.csv" in git(repo, "ls-files", "data")
    assert not list((repo / "data").rglob("*.dvc"))
    assert (repo / ".dvc" / "config").is_file() and load_state(
        repo
    ).answers.data_versioning == "dvc"


def test_upgrade_with_data_versioning_none_says_nothing_about_dvc(tmp_path, run_cli):
    repo = new_project(tmp_path, level=0)
    result = run_cli("upgrade", repo, "--to", "1", "--defaults", "--data", "data_versioning=none")
    assert result.exit_code == 0, result.stderr
    assert "DVC" not in result.stderr and not (repo / ".dvc").exists()


def _dvc_repo(root: Path) -> Path:
    repo = root / "study"
    (repo / ".dvc").mkdir(parents=True)
    (repo / ".dvc" / "config").write_text("[core]\n    remote = team\n['remote \"team\"']\n"
                                          "    url = s3://team-bucket/study\n")  # fmt: skip
    (repo / ".dvcignore").write_text("scratch/\n")
    (repo / "dvc.yaml").write_text("stages:\n  featurize:\n    cmd: python featurize.py\n")
    (repo / "raw.csv.dvc").write_text("outs:\n- md5: 0123\n  path: raw.csv\n")
    (repo / "featurize.py").write_text("print('features')\n")
    git(root, "init", "--quiet", "-b", "main", str(repo))
    commit(repo, "our DVC project")
    return repo


def test_adopt_keeps_the_teams_dvc_setup_instead_of_adding_a_second(tmp_path):
    repo = _dvc_repo(tmp_path)
    before = {p: (repo / p).read_text() for p in (".dvc/config", ".dvcignore", "dvc.yaml")}
    result = adopt(repo, 1, {"orchestrator": "airflow"}, defaults=True, interactive=False)
    assert result.conflicts == []
    for path, text in before.items():
        assert (repo / path).read_text() == text, path
    answers = load_state(repo).answers
    assert answers.team_dvc and answers.data_versioning == "dvc"
    base = git(repo, "ls-tree", "-r", "--name-only", "mlops-scaffold/base").split()
    assert not {".dvc/config", ".dvcignore", "dvc.yaml"} & set(base)
    assert "data-push" in (repo / "Makefile").read_text()  # the make targets work with theirs
    # Later upgrades render the same way (the answer is recorded): no DVC file appears.
    plans = apply.plan_upgrade(apply.UpgradeRequest(path=repo, to=2, defaults=True))
    assert not any(c.path.startswith((".dvc", "dvc.yaml")) for c in plans[-1].changes)


# `upgrade --track-data` with a real DVC is tested end to end (tests/e2e/test_data_versioning.py);
# here, what it must refuse or undo, with stand-ins for DVC where DVC is the one that fails.


def _project_with_data(tmp_path: Path) -> Path:
    repo = new_project(tmp_path, level=1)
    (repo / "data" / "raw").mkdir(parents=True, exist_ok=True)
    (repo / "data" / "raw" / "sample.csv").write_text("a,b\n1,2\n")  # git-ignored? DVC's file
    (repo / "data" / "labels.csv").write_text("id,label\n1,0\n")
    git(repo, "add", "--force", "data/labels.csv")
    commit(repo, "our labels")
    return repo


def _fake_dvc(repo: Path, script: str) -> None:
    """A `dvc` in the project's .venv, where `make setup` puts the real one."""
    dvc = repo / ".venv" / "bin" / "dvc"
    dvc.parent.mkdir(parents=True)
    dvc.write_text("#!/bin/sh\n" + script)
    dvc.chmod(0o755)


def test_track_data_without_dvc_is_refused_before_anything_changes(tmp_path, run_cli, monkeypatch):
    repo = new_project(tmp_path, level=0)
    (repo / "data").mkdir(exist_ok=True)
    (repo / "data" / "x.csv").write_text("a\n1\n")
    only_git = tmp_path / "bin"  # a PATH with git and no dvc
    only_git.mkdir()
    (only_git / "git").symlink_to(shutil.which("git"))
    monkeypatch.setenv("PATH", str(only_git))
    before = snapshot(repo)
    result = run_cli("upgrade", repo, "--to", "1", "--defaults", "--track-data")
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert "--track-data needs DVC" in line and "make setup" in line, line
    assert snapshot(repo) == before and load_state(repo).level == 0
    for flags in (["--to", "0"], ["--to", "1", "--dry-run"]):
        result = run_cli("upgrade", repo, *flags, "--defaults", "--track-data")
        assert result.exit_code == 1 and len(result.stderr.strip().splitlines()) == 1, flags
    assert snapshot(repo) == before


def test_a_failing_dvc_add_leaves_data_index_and_files_as_they_were(tmp_path, run_cli):
    repo = _project_with_data(tmp_path)
    # DVC writes part of its work (a .dvc file, an ignore rule), then fails.
    _fake_dvc(
        repo,
        "echo 'outs: []' > data/labels.csv.dvc\necho /labels.csv >> data/.gitignore\n"
        "echo 'ERROR: unexpected error - disk quota exceeded' >&2\nexit 255\n",
    )
    before = snapshot(repo)
    result = run_cli("upgrade", repo, "--to", "1", "--track-data")
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert "dvc add failed" in line and "disk quota exceeded" in line, line
    assert "as they were" in line
    assert snapshot(repo) == before  # the index too: labels.csv is still in git


def test_track_data_on_a_project_without_dvc_is_refused(tmp_path, run_cli):
    repo = new_project(tmp_path, level=1, data_versioning="none")
    _fake_dvc(repo, "exit 0\n")
    before = snapshot(repo)
    result = run_cli("upgrade", repo, "--to", "1", "--track-data")
    assert result.exit_code == 1 and "does not version data with DVC" in result.stderr
    assert snapshot(repo) == before

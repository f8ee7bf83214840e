"""Bringing data under DVC without moving it: `upgrade` 0 -> 1 names the team's data files and
the commands that put them under DVC (and runs none of them); `adopt` of a DVC repository keeps
its DVC set-up instead of adding a second one."""

from __future__ import annotations

from pathlib import Path

from scaffolder.state import load_state
from scaffolder.upgrade import apply
from scaffolder.upgrade.adopt import adopt

from .helpers import commit, git, new_project


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
    assert (repo / ".dvc" / "config").is_file() and load_state(repo).answers.data_versioning == "dvc"


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

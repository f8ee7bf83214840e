"""Adopting a well-kept src-layout MLOps Python package (tests/upgrade/repos/): a hand-written
look-alike with every tracked path of the made-up project, the files adoption reads in full."""

import json
from pathlib import Path

from scaffolder.state import load_state
from scaffolder.upgrade.adopt import adopt

from .helpers import commit, git

REPOS = Path(__file__).parent / "repos"


def fixture_repo(root: Path, name: str) -> Path:
    files = json.loads((REPOS / f"{name}.json").read_text(encoding="utf-8"))["files"]
    repo = root / name
    for path, text in files.items():
        target = repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text if text is not None else f"placeholder for {path}\n")
    git(root, "init", "--quiet", "-b", "main", str(repo))
    git(repo, "add", "--force", "--all")
    commit(repo, "the team's project")
    return repo


def test_adopting_a_src_layout_package_keeps_everything_and_hides_nothing(tmp_path):
    repo = fixture_repo(tmp_path, "src-layout-mlops-package")
    tracked = set(git(repo, "ls-files").split("\n")) - {""}
    before = {p: (repo / p).read_text() for p in tracked}
    result = adopt(repo, 1, {"orchestrator": "both"}, defaults=True, interactive=False)
    assert result.conflicts == []
    answers = load_state(repo).answers
    # Read from the repo: its src/ package (no example code beside it), CI, description.
    assert (answers.package_name, answers.package_dir, answers.example) == (
        "ridership", "src/ridership", False,
    )  # fmt: skip
    assert answers.ci == "github"
    assert answers.description == (
        "Forecast hourly bike-share ridership from weather and calendar data."
    )
    assert answers.python_version == "3.14"  # what the project wants (issue 25)
    assert (repo / "src/ridership/mlops/adapter.py").is_file()
    assert not (repo / "src/ridership/data.py").exists()
    # Every file of theirs as it was, or (the merged ones) with all its lines.
    for path, text in before.items():
        now = (repo / path).read_text()
        if path in ("pyproject.toml", ".gitignore", "README.md"):
            missing = [x for x in text.splitlines() if x not in now.splitlines()]
            # Their `mlflow>=3.1` admits versions the pipeline cannot use: cut, and said.
            assert missing == (['  "mlflow>=3.1",'] if path == "pyproject.toml" else []), path
        else:
            assert now == text, path
    # They track data/hour.csv and mlflow.db: the template's /data/ and /mlflow.db are left out.
    assert git(repo, "ls-files", "--cached", "--ignored", "--exclude-standard") == ""
    notes = "\n".join(result.notes)
    # (At level 1 with DVC the template ignores only /data/interim/ and /data/processed/, which
    # their data/hour.csv is not under: no /data/ rule to leave out.)
    assert "ignore rule /mlflow.db" in notes and "ignore rule /data/ " not in notes
    assert ".github/workflows/ci.yml: kept your whole file" in notes
    assert "`mlflow>=3.1` narrowed to `mlflow<4,>=3.17`" in notes
    assert '  "mlflow<4,>=3.17",' in (repo / "pyproject.toml").read_text()
    assert git(repo, "status", "--porcelain") == ""

import json

import pytest

from scaffolder.assess.fleet import read_repos_file, rescore_line, run_fleet
from scaffolder.assess.models import AssessError
from tests.assess.repos import level0_repo, write


def test_fleet_writes_one_line_per_repo_in_order_with_facts_apart(tmp_path):
    a = level0_repo(tmp_path / "a")
    b = tmp_path / "b"
    b.mkdir()
    write(tmp_path, {"repos.txt": "# fleet\na\n\nb\nmissing\n"})
    repos = read_repos_file(tmp_path / "repos.txt")
    assert repos == [tmp_path / "a", tmp_path / "b", tmp_path / "missing"]
    out = tmp_path / "fleet.jsonl"
    counts = run_fleet(repos, out, jobs=2)
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert [line["repo"] for line in lines] == [str(a), str(b), str(tmp_path / "missing")]
    assert counts == {"repos": 3, "errors": 1, "level 0": 2}
    first = lines[0]
    assert {"tool_version", "rubric_version", "commit", "facts", "checks", "levels"} <= set(first)
    assert first["commit"] == "0123456789abcdef0123456789abcdef01234567"
    assert first["facts"]["facts"] and first["levels"]["overall"] == 0
    assert "is not a folder" in lines[2]["error"]


def test_rescore_from_facts_without_rescanning(tmp_path):
    repo = level0_repo(tmp_path / "a")
    out = tmp_path / "fleet.jsonl"
    run_fleet([repo], out, jobs=1)
    line = out.read_text().splitlines()[0]
    import shutil

    shutil.rmtree(repo)  # the checkout is gone: only the stored facts remain
    rescored = json.loads(rescore_line(line))
    assert rescored["checks"] == json.loads(line)["checks"]
    assert rescored["levels"] == json.loads(line)["levels"]


def test_missing_repos_file(tmp_path):
    with pytest.raises(AssessError, match="repos file .* not found"):
        read_repos_file(tmp_path / "nope.txt")

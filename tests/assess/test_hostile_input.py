"""Hostile files end in bounded time and memory, reported as problems (checks reading them are
`unknown`), never hanging or crashing the assessment."""

from __future__ import annotations

import time
from pathlib import Path

from scaffolder.assess.models import Outcome
from scaffolder.assess.run import assess_repo

# a 1.3 kB "billion laughs": 9 levels of 9 aliases each expand to 9**9 strings
LEVELS = "abcdefghi"
BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{c}: &{c} [{','.join(['*' + p] * 9)}]\n" for p, c in zip(LEVELS, LEVELS[1:], strict=False)
)


def test_alias_bomb_and_deep_nesting_are_bounded(tmp_path: Path):
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text("on: push\n" + BOMB)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "params.yaml").write_text(BOMB)
    (tmp_path / "config" / "deep.yaml").write_text("a: " + "[" * 5000 + "]" * 5000 + "\n")
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (tmp_path / "deep.py").write_text("import mlflow\nx = " + "(" * 5000 + ")" * 5000 + "\n")
    (tmp_path / "blob.py").write_bytes(b"\x00\xff" * 1000 + b"import mlflow\n")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    started = time.monotonic()
    report = assess_repo(tmp_path)
    assert time.monotonic() - started < 30
    problems = {p.path: p.message for p in report.problems}
    assert "alias" in problems[".github/workflows/ci.yml"]
    assert "alias" in problems["config/params.yaml"]
    assert "config/deep.yaml" in problems
    outcomes = {c.id: c.outcome for c in report.checks}
    assert outcomes["quality.ci-tests"] is Outcome.UNKNOWN
    assert outcomes["repro.config-file"] is Outcome.UNKNOWN

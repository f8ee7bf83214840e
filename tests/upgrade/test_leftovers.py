"""What a SIGKILL leaves is cleaned up on the next run: git's `.merge_file_*` files (killed
while a merge driver ran) and the hidden staging folder of a killed `new`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from scaffolder.upgrade import abort
from scaffolder.upgrade.apply import UpgradeRequest, upgrade

from .helpers import commit, new_project


def test_merge_file_leftovers_are_removed_on_the_next_run(tmp_path):
    repo = new_project(tmp_path, level=0)
    (repo / ".merge_file_kept01").write_text("a tracked file of the team's\n")
    commit(repo, "an odd name, but ours")
    for name in (".merge_file_a1B2c3", ".merge_file_Zz9Yy8"):
        (repo / name).write_text("left by a git killed mid-merge\n")
    (repo / ".merge_file_notgits").mkdir()  # not a file: not git's
    result = upgrade(UpgradeRequest(path=repo, defaults=True))
    assert not result.conflicts
    assert not (repo / ".merge_file_a1B2c3").exists()
    assert not (repo / ".merge_file_Zz9Yy8").exists()
    assert (repo / ".merge_file_kept01").read_text() == "a tracked file of the team's\n"
    assert (repo / ".merge_file_notgits").is_dir()
    assert abort.load(repo) is None


def test_a_killed_new_leaves_no_hidden_folder_after_the_next_run(tmp_path):
    out = tmp_path / "projects"
    out.mkdir()
    env = {**os.environ}
    child = subprocess.Popen(
        [sys.executable, "-m", "scaffolder", "new", "first", "--defaults", "--level", "1",
         "-o", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any(p.name.startswith(".first.") for p in out.iterdir()):
            break
        time.sleep(0.02)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    hidden = [p for p in out.iterdir() if p.name.startswith(".")]
    assert hidden, "the kill came too late to leave a staging folder"
    made = subprocess.run(
        [sys.executable, "-m", "scaffolder", "new", "second", "--defaults", "-o", str(out)],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert sorted(p.name for p in out.iterdir()) == ["second"]

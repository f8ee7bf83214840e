"""Issue 25: Ctrl-C and kills around adopt say what is true, in one line: a Ctrl-C while the
adoption lands lets it finish and says so (never "interrupted" for a landed adoption, never a
traceback); git's own index lock, left by a kill, is named with the command that clears it."""

from __future__ import annotations

import os
import signal

import pytest

from scaffolder.cli import adopt as adopt_cli
from scaffolder.errors import ScaffoldError
from scaffolder.state import load_state
from scaffolder.upgrade import abort, land
from scaffolder.upgrade.abort import abort_run
from scaffolder.upgrade.adopt import adopt

from .helpers import commit, snapshot
from .team_projects import ccds_project


def test_ctrl_c_while_the_adoption_lands_lets_it_finish_and_says_so(tmp_path, monkeypatch):
    repo = ccds_project(tmp_path)
    real = land.land_clean

    def landing(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGINT)
        return real(*args, **kwargs)

    monkeypatch.setattr(land, "land_clean", landing)
    result = adopt(repo, 1, {"orchestrator": "airflow"}, defaults=True, interactive=False)
    assert load_state(repo).level == 1 and abort.load(repo) is None
    assert result.notes[-1] == "Ctrl-C came while the adoption was being written; it finished first"


def test_ctrl_c_during_the_report_of_a_landed_adoption_is_no_interruption(
    tmp_path, monkeypatch, run_cli
):
    repo = ccds_project(tmp_path)

    def cut(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(adopt_cli, "_report", cut)
    done = run_cli("adopt", repo, "--level", "1", "--orchestrator", "airflow", "--defaults")
    signal.signal(signal.SIGINT, signal.default_int_handler)  # what the CLI ignored after
    assert (done.exit_code, done.stderr) == (0, (
        "Adopted at level 1 (Ctrl-C cut its report short); `git log --stat -1` shows it\n"
    ))  # fmt: skip
    assert "interrupted" not in done.stderr and "Traceback" not in done.stderr


def test_a_left_index_lock_is_named_with_what_clears_it(tmp_path):
    repo = ccds_project(tmp_path)
    (repo / "pyproject.toml").write_text('[project\nname = "bike_demand"\n')  # lines only
    commit(repo, "a broken pyproject")
    result = adopt(repo, 1, {"orchestrator": "airflow"}, defaults=True, interactive=False)
    assert result.conflicts == ["pyproject.toml"]  # stopped, its record kept
    lock = repo / ".git" / "index.lock"
    lock.write_text("")
    with pytest.raises(ScaffoldError) as refused:
        abort_run(repo)
    assert str(refused.value) == (
        f"{lock} is left by a git command that was stopped (killed or Ctrl-C); if no git command "
        f"is running in {repo}, delete it (`rm {lock}`) and run `mlops-scaffold adopt --abort` "
        "again"
    )
    lock.unlink()
    abort_run(repo)
    before = snapshot(repo)
    lock.write_text("")
    with pytest.raises(ScaffoldError, match=r"index.lock is left by a git command .* run "
                       r"`mlops-scaffold adopt` again"):  # fmt: skip
        adopt(repo, 1, {}, defaults=True, interactive=False)
    lock.unlink()
    assert snapshot(repo) == before


def test_adopt_killed_at_any_moment_then_abort_leaves_the_exact_prior_tree_and_refs(tmp_path):
    """SIGKILL at moments spread over an adoption (render, merge, landing): --abort, when a
    record is left, returns the exact prior files (no `.merge_file_*` among them), refs and
    index; a git lock the kill left is named first, with what clears it."""
    import subprocess
    import sys
    import time

    from scaffolder import gitops

    repo = ccds_project(tmp_path)
    (repo / "scratch.txt").write_text("untracked notes\n")
    before = snapshot(repo)
    index = gitops.write_tree(repo)
    for delay in (1.5, 3.0, 4.0, 4.5, 5.0):
        proc = subprocess.Popen(
            [sys.executable, "-m", "scaffolder", "adopt", str(repo), "--level", "1",
             "--orchestrator", "airflow", "--defaults"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        time.sleep(delay)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        if abort.load(repo) is None and (repo / ".mlops-scaffold.yml").exists():
            break  # it finished before the kill
        lock = repo / ".git" / "index.lock"
        if abort.load(repo) is not None:
            if lock.exists():
                with pytest.raises(ScaffoldError, match="index.lock is left by a git command"):
                    abort_run(repo)
                lock.unlink()  # as the message says
            abort_run(repo)
        elif list(repo.glob(".merge_file_*")):  # killed while planning: git's temporaries
            with pytest.raises(ScaffoldError, match=r"removed the \d+ `.merge_file_\*` file"):
                abort_run(repo)
        lock.unlink(missing_ok=True)  # a kill before the record: git's lock alone
        assert snapshot(repo) == before, delay
        assert gitops.write_tree(repo) == index

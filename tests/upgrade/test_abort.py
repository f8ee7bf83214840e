"""`upgrade --abort` / `adopt --abort`: from every state a run can leave (stopped on conflicts,
backed out by hand, interrupted between steps, killed while landing, failed midway) the
repository goes back to exactly where the run started: refs, HEAD, index, files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scaffolder import gitops
from scaffolder.errors import GitError, ScaffoldError
from scaffolder.state import BASE_BRANCH, STATE_FILE, load_state
from scaffolder.upgrade import abort, apply, land
from scaffolder.upgrade.abort import AbortRefused, abort_run
from scaffolder.upgrade.adopt import adopt
from scaffolder.upgrade.apply import UpgradeRefused, UpgradeRequest, upgrade

from .helpers import commit, git, new_project, snapshot
from .test_adopt import handmade_repo


def _request(repo: Path, **kw) -> UpgradeRequest:
    return UpgradeRequest(path=repo, defaults=True, **kw)


def _exact(repo: Path) -> dict[str, object]:
    """The snapshot, with untracked files (they are in `files`) and the saved-edits ref apart."""
    shot = snapshot(repo)
    shot["refs"] = "\n".join(
        r for r in str(shot["refs"]).splitlines() if not r.startswith(abort.SAVED_REF)
    )
    shot["merging"] = gitops.operation_in_progress(repo)
    shot["record"] = abort.load(repo)
    return shot


def _conflicting_project(tmp_path: Path) -> Path:
    """A level-0 project whose 0 -> 1 upgrade stops with README.md in conflict; an untracked
    file and an ignored one lie around, as in real work."""
    repo = new_project(tmp_path, level=0)
    readme = repo / "README.md"
    readme.write_text(readme.read_text().replace("Owner: ML Team.", "Owner: Our own team."))
    commit(repo)
    (repo / "scratch.txt").write_text("untracked notes\n")
    (repo / "models").mkdir(exist_ok=True)
    (repo / "models/local.bin").write_bytes(b"\x00ignored model\n")
    return repo


def test_abort_after_conflicts_returns_the_exact_prior_state(tmp_path):
    repo = _conflicting_project(tmp_path)
    before = _exact(repo)
    result = upgrade(_request(repo))
    assert result.conflicts == ["README.md"]
    assert abort.load(repo) is not None
    done = abort_run(repo)
    assert done.saved is None and done.command == "upgrade"
    assert _exact(repo) == before
    # Nothing is left behind: the upgrade runs again and stops at the same place.
    assert upgrade(_request(repo)).conflicts == ["README.md"]


def test_abort_keeps_edits_made_while_resolving_in_a_commit(tmp_path):
    repo = _conflicting_project(tmp_path)
    before = _exact(repo)
    upgrade(_request(repo))
    (repo / "README.md").write_text("half resolved\n")
    (repo / "src/churn/model.py").write_text("# edited during the merge\n")
    done = abort_run(repo)
    assert _exact(repo) == before
    assert done.saved and git(repo, "rev-parse", abort.SAVED_REF).strip() == done.saved
    assert git(repo, "show", f"{done.saved}:README.md") == "half resolved\n"
    assert git(repo, "show", f"{done.saved}:src/churn/model.py") == "# edited during the merge\n"


def test_abort_after_the_user_backed_out_with_merge_abort(tmp_path):
    repo = _conflicting_project(tmp_path)
    before = _exact(repo)
    upgrade(_request(repo))
    git(repo, "merge", "--abort")
    # The base branch moved; --continue names the ways on, and both work.
    with pytest.raises(UpgradeRefused, match=r"backed out.*`mlops-scaffold upgrade --abort`"):
        apply.continue_upgrade(repo)
    abort_run(repo)
    assert _exact(repo) == before


def test_rerun_after_merge_abort_keeps_the_first_starting_point(tmp_path):
    repo = _conflicting_project(tmp_path)
    before = _exact(repo)
    upgrade(_request(repo))
    git(repo, "merge", "--abort")
    assert upgrade(_request(repo)).conflicts == ["README.md"]
    abort_run(repo)
    assert _exact(repo) == before


def test_adopt_abort_removes_the_base_branch_it_made(tmp_path):
    repo = handmade_repo(tmp_path)
    (repo / "pyproject.toml").write_text('[project\nname = "churn-study"\n')  # lines only
    commit(repo, "a broken pyproject")
    before = _exact(repo)
    result = adopt(repo, None, {}, defaults=True, interactive=False)
    assert result.conflicts == ["pyproject.toml"]
    # While stopped, adopt and upgrade both name the commands that work from here.
    for attempt in (
        lambda: adopt(repo, None, {}, defaults=True, interactive=False),
        lambda: upgrade(_request(repo)),
        lambda: apply.continue_upgrade(repo),
    ):
        with pytest.raises(UpgradeRefused) as info:
            attempt()
        assert "`mlops-scaffold adopt --abort`" in str(info.value)
        assert "`mlops-scaffold upgrade --continue`" in str(info.value)
    done = abort_run(repo)
    assert done.base is None
    assert _exact(repo) == before
    assert gitops.rev_parse(repo, f"refs/heads/{BASE_BRANCH}") is None
    assert not (repo / STATE_FILE).exists()


def test_adopt_conflicts_resolved_then_continue_finishes(tmp_path):
    """The conflict message's way forward works after an adoption too."""
    repo = handmade_repo(tmp_path)
    (repo / "pyproject.toml").write_text('[project\nname = "churn-study"\n')
    commit(repo, "a broken pyproject")
    adopt(repo, None, {}, defaults=True, interactive=False)
    (repo / "pyproject.toml").write_text('[project]\nname = "churn-study"\n')
    commit(repo, "resolved")
    apply.continue_upgrade(repo)
    assert abort.load(repo) is None
    assert git(repo, "status", "--porcelain") == ""


def test_adopt_abort_puts_back_a_base_branch_left_by_an_earlier_attempt(tmp_path):
    repo = handmade_repo(tmp_path)
    (repo / "pyproject.toml").write_text('[project\nname = "churn-study"\n')
    commit(repo, "a broken pyproject")
    before = _exact(repo)
    adopt(repo, None, {}, defaults=True, interactive=False)
    git(repo, "merge", "--abort")
    adopt(repo, None, {"description": "again"}, defaults=True, interactive=False)
    abort_run(repo)  # back to before the first attempt: the two were one run
    assert _exact(repo) == before


def _interrupt_first_landing(monkeypatch):
    real = land.land_clean
    calls = []

    def landing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            os.kill(os.getpid(), signal.SIGINT)
        return real(*args, **kwargs)

    monkeypatch.setattr(land, "land_clean", landing)


def test_abort_after_ctrl_c_between_steps_goes_back_to_the_start(tmp_path, monkeypatch):
    repo = new_project(tmp_path, level=0)
    assert apply.load_level((repo / STATE_FILE).read_text(), 9) == 0  # read, not the default
    (repo / "scratch.txt").write_text("untracked\n")
    before = _exact(repo)
    _interrupt_first_landing(monkeypatch)
    with pytest.raises(land.UpgradeInterrupted, match=r"`mlops-scaffold upgrade --abort` to go "
                                                      r"back to level 0"):  # fmt: skip
        upgrade(_request(repo, to=2))
    assert load_state(repo).level == 1
    monkeypatch.undo()
    abort_run(repo)
    assert _exact(repo) == before


def test_ctrl_c_after_the_last_step_finished_leaves_no_record(tmp_path, monkeypatch):
    repo = new_project(tmp_path, level=0)
    _interrupt_first_landing(monkeypatch)
    with pytest.raises(land.UpgradeInterrupted, match="had finished"):
        upgrade(_request(repo))
    assert abort.load(repo) is None
    with pytest.raises(AbortRefused, match="no unfinished mlops-scaffold run"):
        abort_run(repo)


@pytest.mark.parametrize("moment", ["half-written files", "branch moved, base not"])
def test_abort_after_a_run_killed_while_landing(tmp_path, monkeypatch, moment):
    """A kill leaves what was there at that moment (no undo runs): --abort cleans it up."""
    repo = new_project(tmp_path, level=0)
    model = repo / "src/churn/model.py"
    model.write_text(model.read_text().replace('"C": 1.0', '"C": 0.5'))
    commit(repo)
    (repo / "scratch.txt").write_text("untracked\n")
    before = _exact(repo)

    class Killed(BaseException):
        pass

    def killed(*args, **kwargs):
        raise Killed

    # A killed process runs no clean-up: no undo, and its record stays.
    monkeypatch.setattr(land, "_undo", lambda *a, **k: None)
    monkeypatch.setattr(abort, "remove", lambda repo: None)
    if moment == "half-written files":
        real_ff = gitops.fast_forward

        def half_write(repo_: Path, target: str) -> None:
            changed = sorted(gitops.diff_name_status(repo_, "HEAD", target))
            gitops.read_files(repo_, target, changed[: len(changed) // 2], repo_)
            # git writes each file in place: the one it was writing holds its first bytes.
            added = [p for p in changed[len(changed) // 2 :] if not (repo_ / p).exists()]
            cut = gitops.file_text(repo_, target, added[0]) or ""
            (repo_ / added[0]).parent.mkdir(parents=True, exist_ok=True)
            (repo_ / added[0]).write_text(cut[: len(cut) // 2])
            raise Killed

        monkeypatch.setattr(gitops, "fast_forward", half_write)
        assert real_ff
    else:
        monkeypatch.setattr(gitops, "update_ref", killed)
    with pytest.raises(Killed):
        upgrade(_request(repo))
    left = _exact(repo)
    assert left != before
    monkeypatch.undo()
    if moment == "half-written files":
        # Committing or stashing that tree would keep half a level: the rerun says --abort.
        with pytest.raises(UpgradeRefused, match=r"was stopped while it wrote its files.*"
                           r"`mlops-scaffold upgrade --abort`"):  # fmt: skip
            upgrade(_request(repo))
        assert _exact(repo) == left
    abort_run(repo)
    assert _exact(repo) == before


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scaffolder", *args], capture_output=True, text=True
    )  # fmt: skip


def _follow_the_advice(repo: Path) -> None:
    """What a user does after a kill: run the upgrade again and do what each refusal says
    (every one names the command), until the run is back at its start or finished."""
    for _ in range(3):
        again = _cli("upgrade", str(repo), "--defaults")
        if again.returncode == 0:
            return
        lines = again.stderr.strip().splitlines()
        assert again.returncode == 1 and len(lines) == 1, again.stderr
        if "is left by a git command that was stopped" in lines[0]:
            lock = repo / ".git/index.lock"
            assert f"`rm {lock}`" in lines[0]
            lock.unlink()
            continue
        assert "was stopped while it wrote its files" in lines[0], lines[0]
        assert "`mlops-scaffold upgrade --abort`" in lines[0]
        done = _cli("upgrade", str(repo), "--abort")
        if done.returncode == 1 and "is left by a git command" in done.stderr:
            (repo / ".git/index.lock").unlink()  # the message says so; then --abort again
            done = _cli("upgrade", str(repo), "--abort")
        assert done.returncode == 0, done.stderr
        return
    raise AssertionError("the advice went round in circles")


def test_abort_after_a_real_kill(tmp_path):
    """SIGKILL at moments spread over an upgrade (planning, commits, git writing files):
    each time the project is exactly as before, completely upgraded, or left half-written
    with a record; then running the upgrade again says what to do (`--abort`), doing it gives
    back the exact prior state, and the upgrade then runs to the end with the team's edit."""
    repo = new_project(tmp_path, level=0)
    model = repo / "src/churn/model.py"
    model.write_text(model.read_text().replace('"C": 1.0', '"C": 0.5'))
    commit(repo)
    before = _exact(repo)
    for delay in (0.1, 0.3, 0.5, 0.7, 0.9):
        proc = subprocess.Popen(
            [sys.executable, "-m", "scaffolder", "upgrade", str(repo), "--defaults", "--to", "1"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        time.sleep(delay)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        committed = gitops.file_text(repo, "HEAD", STATE_FILE) or ""
        if abort.load(repo) is None and "level: 1" in committed:
            break  # it finished before the kill
        if _exact(repo) != before:
            _follow_the_advice(repo)
        if abort.load(repo) is None and "level: 1" in (
            gitops.file_text(repo, "HEAD", STATE_FILE) or ""
        ):
            break  # running it again finished it
        assert _exact(repo) == before
    if load_state(repo).level == 0:
        assert upgrade(_request(repo)).level == 1
    assert load_state(repo).level == 1 and abort.load(repo) is None
    assert git(repo, "status", "--porcelain") == ""
    assert "C: 0.5" in (repo / "config/pipeline.yaml").read_text()


def test_a_failed_write_leaves_no_record(tmp_path, monkeypatch):
    repo = new_project(tmp_path, level=0)
    before = _exact(repo)

    def full_disk(*args, **kwargs):
        raise GitError("git merge failed: No space left on device")

    monkeypatch.setattr(gitops, "fast_forward", full_disk)
    with pytest.raises(ScaffoldError, match="as they were"):
        upgrade(_request(repo))
    assert _exact(repo) == before  # the record is gone too


def test_no_record_is_one_line_naming_the_way(tmp_path):
    repo = new_project(tmp_path, level=0)
    with pytest.raises(AbortRefused, match=r"no unfinished mlops-scaffold run.*`git status`"):
        abort_run(repo)


def test_a_commit_of_the_users_concludes_the_run(tmp_path):
    repo = _conflicting_project(tmp_path)
    start = git(repo, "rev-parse", "HEAD").strip()
    upgrade(_request(repo))
    readme = repo / "README.md"
    readme.write_text("resolved\n")
    commit(repo, "resolved")
    with pytest.raises(AbortRefused, match=rf"concluded by commit .*git reset --keep {start[:12]}"):
        abort_run(repo)
    assert abort.load(repo) is None
    assert readme.read_text() == "resolved\n"  # nothing moved


def test_abort_refuses_on_another_branch(tmp_path):
    repo = new_project(tmp_path, level=0)
    monkey_record = abort.Record(
        command="upgrade", branch="feature", head=git(repo, "rev-parse", "HEAD").strip(),
        base_branch=BASE_BRANCH, base=None, index_tree=git(repo, "write-tree").strip(),
    )  # fmt: skip
    abort._save(repo, monkey_record)
    with pytest.raises(AbortRefused, match=r"`git checkout feature`"):
        abort_run(repo)


def test_cli_abort(tmp_path):
    repo = _conflicting_project(tmp_path)
    before = _exact(repo)
    run = [sys.executable, "-m", "scaffolder", "upgrade", str(repo), "--defaults"]
    stopped = subprocess.run(run, capture_output=True, text=True)
    assert stopped.returncode == 3
    assert "`mlops-scaffold upgrade --abort`" in stopped.stderr
    done = subprocess.run([*run[:-1], "--abort"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("Back to where the upgrade started: main at")
    assert _exact(repo) == before
    again = subprocess.run([*run[:-1], "--abort"], capture_output=True, text=True)
    lines = again.stderr.strip().splitlines()
    assert again.returncode == 1 and len(lines) == 1 and "no unfinished" in lines[0]


@pytest.mark.parametrize("upgraded", [False, True], ids=["new", "upgraded"])
def test_a_missing_base_branch_names_a_command_that_brings_it_back(tmp_path, upgraded):
    repo = new_project(tmp_path, level=0)
    if upgraded:
        upgrade(_request(repo))
    base = git(repo, "rev-parse", BASE_BRANCH).strip()
    git(repo, "branch", "-D", BASE_BRANCH)
    with pytest.raises(UpgradeRefused) as info:
        apply.plan_upgrade(_request(repo))
    command = str(info.value).rpartition("`git ")[2].rstrip("`")
    git(repo, *command.split())  # the command it names, as the user would run it
    assert git(repo, "rev-parse", BASE_BRANCH).strip() == base
    assert apply.plan_upgrade(_request(repo))


def test_two_aborted_upgrades_keep_every_saved_edit_reachable(tmp_path):
    """Issue 20: the first save was left in an unreachable commit that `git gc` deletes."""
    repo = _conflicting_project(tmp_path)
    saved = []
    for attempt in ("first try\n", "second try\n"):
        assert upgrade(_request(repo)).conflicts == ["README.md"]
        (repo / "README.md").write_text(attempt)
        saved.append(abort_run(repo).saved)
    git(repo, "reflog", "expire", "--expire=now", "--all")
    git(repo, "gc", "--prune=now", "--quiet")
    reachable = git(repo, "rev-list", abort.SAVED_REF).split()
    assert all(s in reachable for s in saved), (saved, reachable)
    assert git(repo, "show", f"{saved[0]}:README.md") == "first try\n"
    assert git(repo, "show", f"{saved[1]}:README.md") == "second try\n"


def test_abort_after_merge_abort_and_a_new_commit_keeps_that_commit(tmp_path):
    """Issue 20: the advice was `git reset --keep`, which would drop the user's new commit."""
    repo = _conflicting_project(tmp_path)
    base_before = git(repo, "rev-parse", BASE_BRANCH).strip()
    upgrade(_request(repo))
    git(repo, "merge", "--abort")
    (repo / "notes.md").write_text("new work\n")
    commit(repo, "new work")
    with pytest.raises(AbortRefused) as refused:
        abort_run(repo)
    message = str(refused.value)
    assert "reset" not in message, message
    assert f"git branch -f {BASE_BRANCH} {base_before[:12]}" in message, message
    assert (repo / "notes.md").read_text() == "new work\n"


def test_a_merge_concluded_then_built_on_is_undone_by_a_revert(tmp_path):
    repo = _conflicting_project(tmp_path)
    upgrade(_request(repo))
    (repo / "README.md").write_text("resolved\n")
    commit(repo, "resolved")
    merge = git(repo, "rev-parse", "HEAD").strip()
    (repo / "notes.md").write_text("later work\n")
    commit(repo, "later work")
    with pytest.raises(AbortRefused) as refused:
        abort_run(repo)
    message = str(refused.value)
    assert "reset" not in message and f"git revert -m 1 {merge[:12]}" in message, message

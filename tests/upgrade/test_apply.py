from pathlib import Path

import pytest

from scaffolder import git_merge, gitops
from scaffolder.errors import ScaffoldError, StateFileError
from scaffolder.state import STATE_FILE, load_state
from scaffolder.upgrade import apply
from scaffolder.upgrade.apply import UpgradeRefused, UpgradeRequest, plan_upgrade, upgrade

from .helpers import USER, commit, git, new_project, snapshot


def _request(repo: Path, **kw) -> UpgradeRequest:
    return UpgradeRequest(path=repo, defaults=True, **kw)


def _tree(repo: Path) -> dict[str, bytes]:
    out = git(repo, "ls-files", "-z")
    return {p: (repo / p).read_bytes() for p in out.split("\0") if p and p != STATE_FILE}


@pytest.mark.parametrize(("start", "to"), [(0, 1), (1, 2), (0, 2), (2, 3)])
def test_unedited_project_upgrades_to_exactly_a_fresh_render(tmp_path, start, to):
    old = new_project(tmp_path / "a", level=start)
    result = upgrade(_request(old, to=to))
    assert result.level == to and not result.conflicts
    # One merge per level step, each with its own render on the base branch.
    merges = git(old, "log", "--merges", "--format=%s").splitlines()
    assert len(merges) == to - start
    fresh = new_project(tmp_path / "b", level=to)
    assert _tree(old) == _tree(fresh)
    assert load_state(old).answers == load_state(fresh).answers
    assert git(old, "status", "--porcelain") == ""
    assert git(old, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"


def test_second_upgrade_is_a_no_op(tmp_path):
    repo = new_project(tmp_path, level=0)
    upgrade(_request(repo))
    before = snapshot(repo)
    result = upgrade(_request(repo, to=1))
    assert not any(p.due for p in result.plans)
    assert snapshot(repo) == before


def test_user_edits_survive_a_clean_upgrade(tmp_path):
    repo = new_project(tmp_path, level=0)
    features = repo / "src/churn/features.py"
    features.write_text(
        features.read_text() + "\n\ndef tenure_years(months):\n    return months / 12\n"
    )
    (repo / "notes.md").write_text("our findings\n")
    commit(repo)
    upgrade(_request(repo))
    assert "def tenure_years" in features.read_text()
    assert (repo / "notes.md").read_text() == "our findings\n"
    assert (repo / "config/pipeline.yaml").is_file()
    assert load_state(repo).level == 1
    # One commit per step: the merge, then the migration record.
    log = git(repo, "log", "--format=%s", "-4")
    assert "mlops-scaffold: upgrade level 0 -> 1" in log


def test_hyperparameter_edits_reach_the_pipeline_config(tmp_path):
    repo = new_project(tmp_path, level=0)
    model = repo / "src/churn/model.py"
    model.write_text(model.read_text().replace('"C": 1.0', '"C": 0.25'))
    commit(repo)
    result = upgrade(_request(repo))
    assert "0001-model-params-to-config" in result.migrations_run
    assert "C: 0.25" in (repo / "config/pipeline.yaml").read_text()
    assert "0001-model-params-to-config" in load_state(repo).migrations


def test_conflicts_are_left_in_standard_git_state(tmp_path):
    repo = new_project(tmp_path, level=0)
    makefile = repo / "Makefile"
    makefile.write_text(
        makefile.read_text().replace("train:", "train: ## ours\n\t@echo ours\nold-train:", 1)
    )
    readme = repo / "README.md"
    readme.write_text(readme.read_text() + "\nOur own closing words.\n")
    commit(repo)
    head = git(repo, "rev-parse", "HEAD").strip()
    result = upgrade(_request(repo))
    assert result.conflicts
    assert gitops.operation_in_progress(repo) == "merge"
    for path in result.conflicts:
        assert "<<<<<<<" in (repo / path).read_text()
    assert "Our own closing words." in readme.read_text()
    # The state file is the tool's: never left in conflict.
    assert STATE_FILE not in gitops.unmerged_paths(repo)
    git(repo, "merge", "--abort")
    assert git(repo, "rev-parse", "HEAD").strip() == head
    assert "Our own closing words." in readme.read_text()
    assert git(repo, "status", "--porcelain") == ""


def test_continue_runs_the_remaining_migrations(tmp_path):
    repo = new_project(tmp_path, level=0)
    readme = repo / "README.md"
    # Inside the template's `about` section, on the line level 1 rewrites: a real clash.
    readme.write_text(readme.read_text().replace("Owner: ML Team.", "Owner: Our own team."))
    model = repo / "src/churn/model.py"
    model.write_text(model.read_text().replace('"max_iter": 1000', '"max_iter": 250'))
    commit(repo)
    result = upgrade(_request(repo))
    assert result.conflicts == ["README.md"]
    with pytest.raises(UpgradeRefused, match="stopped with conflicts.*--abort"):
        apply.continue_upgrade(repo)
    text = readme.read_text()
    resolved = "\n".join(
        line for line in text.splitlines() if not line.startswith(("<<<<<<<", "=======", ">>>>>>>"))
    )
    readme.write_text(resolved + "\n")
    commit(repo, "resolve")
    (repo / "scratch.txt").write_text("not for a commit\n")  # untracked, and must stay so
    done = apply.continue_upgrade(repo)
    assert git(repo, "status", "--porcelain") == "?? scratch.txt\n"
    assert done.migrations_run == ["0001-model-params-to-config"]
    assert "max_iter: 250" in (repo / "config/pipeline.yaml").read_text()
    assert apply.continue_upgrade(repo).migrations_run == []


def test_dry_run_touches_nothing_and_classifies(tmp_path):
    repo = new_project(tmp_path, level=0)
    readme = repo / "README.md"
    readme.write_text(readme.read_text() + "\nmine\n")
    commit(repo)
    before = snapshot(repo)
    plans = plan_upgrade(_request(repo))
    assert snapshot(repo) == before
    kinds = {c.path: c.kind for c in plans[0].changes}
    assert kinds["config/pipeline.yaml"] == "added"
    assert kinds["Makefile"] == "updated"
    assert kinds["README.md"] in ("merged", "conflict")
    assert [m.id for m in plans[0].post] == ["0001-model-params-to-config"]


def _ignored_file_in_the_way(repo: Path) -> None:
    (repo / ".gitignore").write_text((repo / ".gitignore").read_text() + "config/\n")
    commit(repo)
    (repo / "config").mkdir()
    (repo / "config/pipeline.yaml").write_text("ignored, but ours\n")


@pytest.mark.parametrize(
    ("prepare", "message"),
    [
        (lambda r: (r / "README.md").write_text("dirty"), "uncommitted changes"),
        (lambda r: git(r, "checkout", "--quiet", "--detach"), "detached"),
        (lambda r: git(r, "branch", "-D", "mlops-scaffold/base"),
         r"re-create it at the render .*`git branch mlops-scaffold/base [0-9a-f]{12}`"),
        (lambda r: (r / STATE_FILE).unlink() or commit(r), "adopt"),
        (lambda r: (r / "Dockerfile").write_text("FROM scratch\n"), "Dockerfile is untracked"),
        (lambda r: _ignored_file_in_the_way(r), "config/pipeline.yaml is ignored by"),
    ],
)  # fmt: skip
def test_refusals_change_nothing(tmp_path, prepare, message):
    repo = new_project(tmp_path, level=0)
    prepare(repo)
    before = snapshot(repo)
    with pytest.raises(ScaffoldError, match=message):
        upgrade(_request(repo))
    assert snapshot(repo) == before


def test_refuses_during_a_merge(tmp_path):
    repo = new_project(tmp_path, level=0)
    git(repo, "checkout", "--quiet", "-b", "side")
    (repo / "README.md").write_text("side\n")
    commit(repo)
    git(repo, "checkout", "--quiet", "main")
    (repo / "README.md").write_text("main\n")
    commit(repo)
    git(repo, *USER, "merge", "side", check=False)
    assert (repo / ".git" / "MERGE_HEAD").is_file()
    before = snapshot(repo)
    with pytest.raises(UpgradeRefused, match="merge is in progress"):
        upgrade(_request(repo))
    assert snapshot(repo) == before


def test_refuses_downgrade_and_unknown_level(tmp_path):
    repo = new_project(tmp_path, level=1)
    with pytest.raises(UpgradeRefused, match="downgrading"):
        upgrade(_request(repo, to=0))
    with pytest.raises(UpgradeRefused, match="level 9 does not exist"):
        upgrade(_request(repo, to=9))


def test_damaged_state_names_the_field(tmp_path):
    repo = new_project(tmp_path, level=0)
    state = repo / STATE_FILE
    state.write_text(state.read_text().replace("level: 0", "level: zero"))
    commit(repo)
    with pytest.raises(StateFileError, match="answers.level"):
        upgrade(_request(repo))


def test_new_questions_need_an_answer_without_a_terminal(tmp_path):
    repo = new_project(tmp_path, level=0)
    before = snapshot(repo)
    with pytest.raises(ScaffoldError, match="no terminal to ask for orchestrator, ci"):
        upgrade(UpgradeRequest(path=repo))
    assert snapshot(repo) == before
    given = {"orchestrator": "kubeflow", "ci": "gitlab"}
    result = upgrade(UpgradeRequest(path=repo, given=given))
    assert result.level == 1
    assert load_state(repo).answers.orchestrator == "kubeflow"
    assert load_state(repo).answers.ci == "gitlab"
    assert not (repo / "dags").exists() and (repo / "pipelines").is_dir()


def test_dry_run_without_answers_plans_with_defaults_and_names_the_questions(tmp_path):
    repo = new_project(tmp_path, level=0)
    before = snapshot(repo)
    plans = plan_upgrade(UpgradeRequest(path=repo, given={"ci": "gitlab"}))
    assert plans[0].would_ask == {"orchestrator": "both"}
    assert plans[0].state_after.answers.orchestrator == "both"
    paths = {c.path for c in plans[0].changes}
    assert ".gitlab-ci.yml" in paths and "dags/churn_training.py" in paths
    assert snapshot(repo) == before
    assert plan_upgrade(UpgradeRequest(path=repo, defaults=True))[0].would_ask == {}


@pytest.mark.parametrize(
    "point", ["read_files", "commit_files", "merge_tree", "update_ref", "fast_forward"]
)
def test_interrupted_upgrade_leaves_the_users_work_as_it_was(tmp_path, monkeypatch, point):
    repo = new_project(tmp_path, level=0)
    model = repo / "src/churn/model.py"
    model.write_text(model.read_text().replace('"C": 1.0', '"C": 0.5'))
    commit(repo)
    before = snapshot(repo)
    module = git_merge if point == "merge_tree" else gitops
    real = getattr(module, point)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(module, point, interrupted)
    with pytest.raises(KeyboardInterrupt):
        upgrade(_request(repo))
    after = snapshot(repo)
    assert after["files"] == before["files"]
    assert after["status"] == before["status"] == ""
    assert after["index"] == before["index"]
    monkeypatch.setattr(module, point, real)
    # Running again finishes the job.
    assert upgrade(_request(repo)).level == 1
    assert "C: 0.5" in (repo / "config/pipeline.yaml").read_text()


def test_same_level_template_update_merges_the_fix(tmp_path):
    """A newer release of the templates at the project's own level arrives by the same merge."""
    import shutil

    from scaffolder.catalog import Catalog, builtin_catalog

    repo = new_project(tmp_path, level=0)
    readme = repo / "README.md"
    readme.write_text(readme.read_text().replace("## Set up\n", "## Set up\n\nTeam note.\n"))
    commit(repo)
    newer = tmp_path / "templates-next"
    shutil.copytree(builtin_catalog().root, newer)
    makefile = newer / "level0" / "Makefile.jinja"
    makefile.write_text(makefile.read_text() + "\n# template fix 1.1\n")
    changelog = "# Changelog\n\n## 9.9.0\n- Makefile fix.\n\n## 1.0.0\n- x\n"
    (newer / "CHANGELOG.md").write_text(changelog)
    catalog = Catalog(root=newer, version="9.9.0")
    plans = plan_upgrade(_request(repo, to=0), catalog=catalog)
    # catalog-info.yaml names the template release, so every release updates it.
    assert [(c.path, c.kind) for c in plans[0].changes] == [
        ("Makefile", "updated"), ("catalog-info.yaml", "updated"),
    ]  # fmt: skip
    assert plans[0].notes == [("mlops-scaffold", "9.9.0", "- Makefile fix.")]
    result = upgrade(_request(repo, to=0), catalog=catalog)
    assert result.level == 0 and not result.conflicts
    assert (repo / "Makefile").read_text().endswith("# template fix 1.1\n")
    assert "Team note." in readme.read_text()
    assert load_state(repo).template_version == "9.9.0"
    assert "template 9.9.0" in git(repo, "log", "-1", "--format=%B")
    # An older release (an older mlops-scaffold) never renders over a newer one.
    older = Catalog(root=newer, version="0.9.0")
    # Refused by the state-file check (or the release check): one line naming both releases.
    with pytest.raises(ScaffoldError, match=r"9\.9\.0.*newer than.*0\.9\.0"):
        plan_upgrade(_request(repo, to=0), catalog=older)


def test_tuned_level1_validation_rules_reach_the_level2_contract(tmp_path):
    repo = new_project(tmp_path, level=1)
    config = repo / "config/pipeline.yaml"
    config.write_text(config.read_text().replace("age: [18, 110]", "age: [16, 110]"))
    commit(repo, "our customers start at 16")
    result = upgrade(_request(repo, to=2))
    # The template removes the section the team edited: git says so, once.
    assert result.conflicts == ["config/pipeline.yaml"]
    text = config.read_text()
    assert "age: [16, 110]" in text
    # Resolve by keeping the team's side of the conflict.
    kept, side = [], None
    for line in text.splitlines():
        if line.startswith("<<<<<<<"):
            side = "ours"
        elif line.startswith("=======") and side:
            side = "theirs"
        elif line.startswith(">>>>>>>") and side:
            side = None
        elif side != "theirs":
            kept.append(line)
    config.write_text("\n".join(kept) + "\n")
    commit(repo, "keep our validation rules")
    done = apply.continue_upgrade(repo)
    assert "0002-validation-rules-to-contract" in done.migrations_run
    contract = (repo / "config/data_contract.yaml").read_text()
    assert "min: 16" in contract
    assert "validation:" not in config.read_text()
    assert git(repo, "status", "--porcelain") == ""

"""Org overlays end to end through the CLI: a platform team's overlay in its own git
repository reaches projects through `new --overlay` and then `upgrade`."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from scaffolder.catalog import builtin_catalog as _builtin_catalog
from scaffolder.state import load_state
from scaffolder.upgrade.migrations import release_ids
from tests.overlays.acme import EXAMPLE, acme_repo, tag_commit
from tests.upgrade.helpers import commit, git

CURRENT = _builtin_catalog().version  # the templates' newest release
# The built-in release migrations a project made at CURRENT records as done (m0005, m0006, ...).
BUILT_IN = release_ids(_builtin_catalog())  # the built-in catalog has no overlays


def _new(run_cli, tmp_path: Path, *args: str, name: str = "churn"):
    return run_cli("new", name, "--defaults", "-o", tmp_path / "projects", *args)


def test_new_with_the_acme_overlay_at_v1_then_upgrade_to_v2_keeps_team_edits(run_cli, tmp_path):
    overlay, url = acme_repo(tmp_path)
    made = _new(run_cli, tmp_path, "--overlay", f"{url}@v1", "-d", "owning_team=churn-squad")
    assert made.exit_code == 0, made.stderr
    project = tmp_path / "projects" / "churn"
    state = load_state(project)
    [record] = state.overlays
    assert (record.name, record.version, record.ref) == ("acme", "1", "v1")
    assert record.source == url and record.commit == tag_commit(overlay, "v1")
    assert state.answers.model_dump()["owning_team"] == "churn-squad"
    assert state.answers.author == "Acme ML"  # the overlay's default for a built-in question
    assert (project / "CODEOWNERS").read_text().splitlines()[1] == "* @acme/churn-squad"
    assert "/config/" not in (project / "CODEOWNERS").read_text()
    assert '".acme-lint-skip"' in (project / "tests/test_acme_conventions.py").read_text()

    # The team's own work: a README note, an exemption of the company rule, a new module.
    readme = project / "README.md"
    readme.write_text(readme.read_text() + "\nTeam note: churn squad owns this.\n")
    (project / ".acme-lint-skip").write_text("churn/legacy.py\n")
    (project / "src/churn/legacy.py").write_text("X = 1\n")
    commit(project, "team work")

    lagging = run_cli("check", project)
    assert lagging.exit_code == 1
    assert lagging.stderr.strip().splitlines() == [
        "overlay-behind: overlay acme is at 1, 1 release(s) behind the newest, v2; run "
        "`mlops-scaffold upgrade --to 0`"
    ]

    plan = run_cli("upgrade", project, "--to", "0", "--dry-run")
    assert plan.exit_code == 2, plan.stderr
    assert "release        acme 2" in plan.stdout
    assert "acme:0001-lint-skip-into-acme-folder" in plan.stdout

    done = run_cli("upgrade", project, "--to", "0")
    assert done.exit_code == 0, done.stderr
    assert "What changed in acme 2:" in done.stderr
    assert "@acme/ml-reviewers" in done.stderr
    assert "acme:0001-lint-skip-into-acme-folder" in done.stderr
    state = load_state(project)
    [record] = state.overlays
    assert (record.version, record.ref, record.commit) == ("2", "v2", tag_commit(overlay, "v2"))
    assert "acme:0001-lint-skip-into-acme-folder" in state.migrations
    assert "Team note: churn squad owns this." in readme.read_text()
    assert "/config/ @acme/churn-squad @acme/ml-reviewers" in (project / "CODEOWNERS").read_text()
    assert not (project / ".acme-lint-skip").exists()
    assert "churn/legacy.py" in (project / "acme/lint-skip.txt").read_text()
    assert git(project, "status", "--porcelain") == ""
    assert git(project, "branch", "--show-current").strip() == "main"

    again = run_cli("upgrade", project, "--to", "0")
    assert again.exit_code == 0 and "Up to date" in again.stderr
    passing = run_cli("check", project)
    assert passing.exit_code == 0, passing.stderr
    assert f"mlops-scaffold {CURRENT}, acme 2, all current" in passing.stderr


def test_a_project_made_at_the_newest_release_records_its_migrations_as_done(run_cli, tmp_path):
    _, url = acme_repo(tmp_path)
    made = _new(run_cli, tmp_path, "--overlay", url)
    assert made.exit_code == 0, made.stderr
    state = load_state(tmp_path / "projects" / "churn")
    assert state.overlays[0].ref == "v2" and state.overlays[0].version == "2"
    assert {"m0005", "m0006"} <= set(BUILT_IN)
    assert state.migrations == [*BUILT_IN, "acme:0001-lint-skip-into-acme-folder"]


def test_overlay_ref_pins_a_release_and_upgrade_overlay_adds_one(run_cli, tmp_path):
    _, url = acme_repo(tmp_path)
    made = _new(run_cli, tmp_path)
    assert made.exit_code == 0, made.stderr
    project = tmp_path / "projects" / "churn"
    added = run_cli("upgrade", project, "--to", "0", "--overlay", f"{url}@v1")
    assert added.exit_code == 0, added.stderr
    assert (project / "CODEOWNERS").is_file()
    assert load_state(project).overlays[0].version == "1"
    # Added at release 1, the overlay's release-2 migration is still to come.
    assert load_state(project).migrations == BUILT_IN  # the built-in release migrations
    pinned = run_cli("upgrade", project, "--to", "0", "--overlay-ref", "acme=v1", "--check")
    assert pinned.exit_code == 0, pinned.stdout + pinned.stderr
    newest = run_cli("upgrade", project, "--to", "0", "--check")
    assert newest.exit_code == 2 and "overlay acme 2" in newest.stdout
    twice = run_cli("upgrade", project, "--to", "0", "--overlay", url)
    assert twice.exit_code == 1 and "already used" in twice.stderr
    unknown = run_cli("upgrade", project, "--to", "0", "--overlay-ref", "globex=v1")
    assert unknown.exit_code == 1 and "globex" in unknown.stderr


def test_a_folder_overlay_replaces_a_builtin_file_and_asks_its_question(run_cli, tmp_path):
    folder = tmp_path / "org"
    (folder / "level0").mkdir(parents=True)
    (folder / "mlops-scaffold-overlay.yml").write_text(
        "name: org\nversion: 3\nquestions:\n  cost_center:\n    type: str\n"
        "    default: ML-1\n    validator: \"{% if not (cost_center | regex_search('^ML-[0-9]+$'))"
        ' %}use ML-<digits>{% endif %}"\ndefaults:\n  default_branch: trunk\n'
    )
    (folder / "level0" / "README.md").write_text("# Our own README (cost centre fixed)\n")
    (folder / "level0" / "COST.jinja").write_text("{{ cost_center }}\n")
    made = _new(run_cli, tmp_path, "--overlay", str(folder), "-d", "cost_center=ML-42")
    assert made.exit_code == 0, made.stderr
    project = tmp_path / "projects" / "churn"
    assert (project / "README.md").read_text() == "# Our own README (cost centre fixed)\n"
    assert (project / "COST").read_text() == "ML-42\n"
    assert git(project, "branch", "--show-current").strip() == "trunk"
    record = load_state(project).overlays[0]
    assert (record.source, record.commit, record.version) == (str(folder), None, "3")
    bad = _new(run_cli, tmp_path, "--overlay", str(folder), "-d", "cost_center=x", name="b")
    assert bad.exit_code == 1 and "use ML-<digits>" in bad.stderr
    unknown = _new(run_cli, tmp_path, "-d", "cost_center=ML-1", name="c")
    assert unknown.exit_code == 1 and "'cost_center' is not a question" in unknown.stderr


def _bad_overlay(tmp_path: Path, fault: str) -> Path:
    folder = tmp_path / f"bad-{fault}"
    shutil.copytree(EXAMPLE, folder)
    manifest = folder / "mlops-scaffold-overlay.yml"
    if fault == "no-manifest":
        manifest.unlink()
    elif fault == "unknown-level":
        (folder / "level7").mkdir()
        (folder / "level7" / "x.txt").write_text("x\n")
    elif fault == "outside":
        (folder / "level0" / "passwd").symlink_to("/etc/passwd")
    elif fault == "layer-link":  # a layer folder linked to a private folder outside
        secret = tmp_path / f"secret-{fault}"
        secret.mkdir()
        (secret / "id_rsa").write_text("PRIVATE KEY\n")
        (folder / "level1").symlink_to(secret)
    elif fault == "fifo":
        os.mkfifo(folder / "level0" / "pipe")
    elif fault in ("tasks-question", "external-data"):
        key = "_tasks" if fault == "tasks-question" else "_external_data"
        value = '["touch pwned"]' if fault == "tasks-question" else "{x: /etc/passwd}"
        manifest.write_text(manifest.read_text().replace(
            "questions:\n", f"questions:\n  {key}:\n    default: {value}\n"
        ))  # fmt: skip
    elif fault == "range-bomb":
        bomb = "{% for i in range(100001) %}{% endfor %}"
        (folder / "level0" / "bomb.txt.jinja").write_text(bomb)
    elif fault == "memory-bomb":  # 4 GB asked of a filter no sandbox check sees
        (folder / "level0" / "center.txt.jinja").write_text("{{ 'x' | center(4000000000) }}")
    elif fault == "recursive-macro":
        (folder / "level0" / "deep.txt.jinja").write_text(
            "{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }}"
        )
    elif fault == "huge-output":  # 64 MiB from a few bytes of template
        (folder / "level0" / "big.txt.jinja").write_text(
            "{% for i in range(65536) %}{{ 'x' * 1024 }}{% endfor %}"
        )
    elif fault == "template-error":
        (folder / "level0" / "broken.txt.jinja").write_text("{{ project_name | nosuchfilter }}\n")
    elif fault == "tool-version":
        manifest.write_text(manifest.read_text().replace(">=0.1, <1", ">=5"))
    elif fault == "manifest-field":
        manifest.write_text(manifest.read_text().replace("name: acme", "name: Acme Corp"))
    return folder


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("no-manifest", "has no mlops-scaffold-overlay.yml at its top"),
        ("unknown-level", "has level 7, which mlops-scaffold does not have"),
        ("outside", "level0/passwd is a symlink (to /etc/passwd)"),
        ("layer-link", "level1 is a symlink"),
        ("fifo", "level0/pipe is not a regular file"),
        ("tasks-question", "question name '_tasks' is not a lowercase identifier"),
        ("external-data", "question name '_external_data'"),
        ("range-bomb", "template bomb.txt.jinja (with overlay acme 2) does not render"),
        ("recursive-macro", "template deep.txt.jinja (with overlay acme 2) does not render"),
        (
            "memory-bomb",
            "center.txt.jinja (with overlay acme 2) does not render: it needs over "
            "the 1024 MiB of memory an overlay render may use",
        ),
        ("huge-output", "big.txt.jinja (with overlay acme 2) does not render: it renders over 8"),
        ("template-error", "broken.txt.jinja (with overlay acme 2) does not render"),
        ("tool-version", "supports mlops-scaffold >=5, not"),
        ("manifest-field", "field 'name'"),
    ],
)
def test_a_bad_overlay_is_refused_with_one_line_and_nothing_written(
    run_cli, tmp_path, fault, message
):
    folder = _bad_overlay(tmp_path, fault)
    result = _new(run_cli, tmp_path, "--overlay", str(folder))
    assert result.exit_code == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not (tmp_path / "projects").exists()


def test_an_overlay_that_does_not_support_the_level_is_refused(run_cli, tmp_path):
    folder = _bad_overlay(tmp_path, "fine")
    manifest = folder / "mlops-scaffold-overlay.yml"
    manifest.write_text(manifest.read_text().replace("levels: [0, 1, 2]", "levels: [0]"))
    result = _new(run_cli, tmp_path, "--overlay", str(folder), "--level", "1")
    assert result.exit_code == 1 and "does not support level 1" in result.stderr
    assert not (tmp_path / "projects").exists()


def test_an_unknown_ref_or_unreachable_repository_is_one_line(run_cli, tmp_path):
    _, url = acme_repo(tmp_path)
    missing = _new(run_cli, tmp_path, "--overlay", f"{url}@v9")
    assert missing.exit_code == 1 and "no tag, branch or commit 'v9'" in missing.stderr
    gone = _new(run_cli, tmp_path, "--overlay", f"file://{tmp_path}/nowhere@v1")
    assert gone.exit_code == 1 and "cannot be fetched" in gone.stderr
    assert len(gone.stderr.strip().splitlines()) == 1


def test_adopt_with_an_overlay_and_json_results(run_cli, tmp_path):
    _, url = acme_repo(tmp_path)
    repo = tmp_path / "legacy"
    repo.mkdir()
    (repo / "train.py").write_text('"""Legacy churn model."""\n')
    git(tmp_path, "init", "--quiet", "-b", "main", str(repo))
    commit(repo, "legacy code")
    plan = run_cli("adopt", repo, "--level", "0", "--defaults", "--overlay", url, "--dry-run",
                   "--format", "json")  # fmt: skip
    assert plan.exit_code == 2, plan.stderr
    [step] = json.loads(plan.stdout)["plans"]
    assert {"path": "CODEOWNERS", "kind": "added"} in step["changes"]
    assert step["overlays"][0]["name"] == "acme"
    done = run_cli("adopt", repo, "--level", "0", "--defaults", "--overlay", url,
                   "--format", "json")  # fmt: skip
    assert done.exit_code == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["level"] == 0 and result["conflicts"] == []
    state = load_state(repo)
    assert state.overlays[0].version == "2" and (repo / "CODEOWNERS").is_file()
    # Adopted at the newest release: the release's migration is for older projects.
    assert state.migrations == [*BUILT_IN, "acme:0001-lint-skip-into-acme-folder"]


def test_catalog_info_names_the_level_and_releases(run_cli, tmp_path):
    from ruamel.yaml import YAML

    _, url = acme_repo(tmp_path)
    made = _new(run_cli, tmp_path, "--overlay", f"{url}@v1", "--format", "json")
    assert made.exit_code == 0, made.stderr
    created = json.loads(made.stdout)
    assert created["template_version"] == CURRENT and created["overlays"][0]["version"] == "1"
    project = Path(created["path"])
    info = YAML(typ="safe").load((project / "catalog-info.yaml").read_text())
    assert info["metadata"]["annotations"] == {
        "mlops-scaffold.dev/level": "0",
        "mlops-scaffold.dev/template-release": CURRENT,
        "mlops-scaffold.dev/overlays": "acme 1",
    }
    assert info["spec"]["owner"] == "acme-ml"
    upgraded = run_cli("upgrade", project, "--to", "0", "--format", "json")
    assert upgraded.exit_code == 0, upgraded.stderr
    [step] = json.loads(upgraded.stdout)["plans"]
    assert {"path": "catalog-info.yaml", "kind": "updated"} in step["changes"]
    assert [r["version"] for r in step["releases"]] == ["2"]
    assert "acme 2" in (project / "catalog-info.yaml").read_text()


def test_two_overlays_with_one_name_are_refused(run_cli, tmp_path):
    first = _bad_overlay(tmp_path, "fine")
    second = tmp_path / "bad-fine-again"
    shutil.copytree(first, second)
    result = _new(run_cli, tmp_path, "--overlay", str(first), "--overlay", str(second))
    assert result.exit_code == 1 and "two overlays are named acme" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not (tmp_path / "projects").exists()


@pytest.mark.parametrize("target", ["/etc/passwd", "../../../outside", "level0/README.md"])
def test_a_git_overlay_with_a_committed_symlink_is_one_line(run_cli, tmp_path, target):
    from tests.upgrade.helpers import USER

    overlay, url = acme_repo(tmp_path)
    (overlay / "level0" / "link").symlink_to(target)
    git(overlay, "add", "--all")
    git(overlay, *USER, "commit", "--quiet", "-m", "a link")
    git(overlay, "tag", "v3")
    result = _new(run_cli, tmp_path, "--overlay", f"{url}@v3")
    assert result.exit_code == 1
    assert "level0/link is not a plain file" in result.stderr or "is a symlink" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not (tmp_path / "projects").exists()

"""Overlay refs and overlay code: a recorded commit is a git source (never a work tree), an
unknown ref is refused, and an overlay's code cannot end the tool's run (sys.exit)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scaffolder.state import load_state
from tests.overlays.acme import EXAMPLE, acme_repo, tag_commit


def _new(run_cli, tmp_path: Path, *args: str, name: str = "churn"):
    return run_cli("new", name, "--defaults", "-o", tmp_path / "projects", *args)


def test_a_local_repository_with_a_ref_stays_a_git_source(run_cli, tmp_path):
    """`new --overlay PATH@v1`: upgrade takes the newest tag, never the uncommitted work tree,
    and the record stays a repository (source, ref, commit)."""
    overlay, _ = acme_repo(tmp_path)
    made = _new(run_cli, tmp_path, "--overlay", f"{overlay}@v1")
    assert made.exit_code == 0, made.stderr
    project = tmp_path / "projects" / "churn"
    # Work in progress in the overlay's checkout: never released, never to reach a project.
    (overlay / "level0" / "CODEOWNERS.jinja").write_text("* @someone/unreleased\n")
    (overlay / "level0" / "WIP.md").write_text("not released\n")
    done = run_cli("upgrade", project, "--to", "0")
    assert done.exit_code == 0, done.stderr
    [record] = load_state(project).overlays
    assert (record.ref, record.commit) == ("v2", tag_commit(overlay, "v2"))
    assert record.source == str(overlay)
    assert "@acme/ml-reviewers" in (project / "CODEOWNERS").read_text()
    assert not (project / "WIP.md").exists()


def test_an_unknown_overlay_ref_is_refused(run_cli, tmp_path):
    overlay, url = acme_repo(tmp_path)
    assert _new(run_cli, tmp_path, "--overlay", f"{url}@v1").exit_code == 0
    project = tmp_path / "projects" / "churn"
    for ref in ("v9", "no-such-branch", "-v1"):
        result = run_cli("upgrade", project, "--to", "0", "--overlay-ref", f"acme={ref}")
        assert result.exit_code == 1, (ref, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    folder = tmp_path / "folder-overlay"
    shutil.copytree(EXAMPLE, folder)
    assert _new(run_cli, tmp_path, "--overlay", str(folder), name="flat").exit_code == 0
    flat = tmp_path / "projects" / "flat"
    result = run_cli("upgrade", flat, "--to", "0", "--overlay-ref", "acme=v1")
    assert result.exit_code == 1 and "is a folder, so it has no ref 'v1'" in result.stderr


EXITS = """
import sys
{where}
from scaffolder.upgrade.migrations import Migration


def _apply(tree, state):
    {apply}


MIGRATION = Migration(
    id="0009-exit", from_level=0, stage="pre", summary="exits",
    paths=lambda state: [], is_applied=lambda tree, state: False, apply=_apply,
)
"""


@pytest.mark.parametrize("code", ["sys.exit(0)", "raise SystemExit", "raise ValueError('x\\ny')"])
def test_an_overlay_migration_cannot_end_the_run(run_cli, tmp_path, code):
    folder = tmp_path / "exits"
    shutil.copytree(EXAMPLE, folder)
    (folder / "migrations" / "m0009_exit.py").write_text(EXITS.format(where=code, apply="pass"))
    result = _new(run_cli, tmp_path, "--overlay", str(folder))
    assert result.exit_code == 1, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert "overlay acme migration m0009_exit.py does not load" in line, line
    assert not (tmp_path / "projects").exists()


def test_an_overlay_migration_exiting_while_it_applies_is_one_line(run_cli, tmp_path):
    from tests.upgrade.helpers import snapshot

    folder = tmp_path / "exits"
    shutil.copytree(EXAMPLE, folder)
    assert _new(run_cli, tmp_path, "--overlay", str(folder)).exit_code == 0
    project = tmp_path / "projects" / "churn"
    (folder / "migrations" / "m0009_exit.py").write_text(
        EXITS.format(where="", apply="sys.exit(0)")
    )
    before = snapshot(project)
    result = run_cli("upgrade", project, "--to", "1", "--defaults")
    assert result.exit_code == 1, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert "overlay acme migration m0009_exit.py failed: called sys.exit(0)" in line, line
    assert snapshot(project) == before


@pytest.mark.parametrize(
    ("spec", "needle"),
    [
        ("    type: weird\n", "question 'tier' field 'type'"),
        ("    type: str\n    choices: 5\n", "question 'tier' field 'choices'"),
    ],
)
def test_a_bad_overlay_question_names_the_overlay_question_and_field(
    run_cli, tmp_path, spec, needle
):
    folder = tmp_path / "q"
    shutil.copytree(EXAMPLE, folder)
    manifest = folder / "mlops-scaffold-overlay.yml"
    manifest.write_text(
        manifest.read_text().replace("questions:\n", "questions:\n  tier:\n" + spec)
    )
    result = _new(run_cli, tmp_path, "--overlay", str(folder))
    assert result.exit_code == 1
    [line] = result.stderr.strip().splitlines()
    assert "overlay" in line and needle in line, line
    assert "validation error for" not in line
    assert not (tmp_path / "projects").exists()


@pytest.mark.parametrize(
    ("where", "needle"),
    [
        ("question", "template copier.yml question 'tier' (with overlay acme 2) does not render"),
        ("file name", "(with overlay acme 2): Error rendering template path {{ tier | nofilter"),
    ],
)
def test_a_template_error_names_the_file_or_question(run_cli, tmp_path, where, needle):
    folder = tmp_path / "q"
    shutil.copytree(EXAMPLE, folder)
    manifest = folder / "mlops-scaffold-overlay.yml"
    default = "'{{ nosuch | nofilter }}'" if where == "question" else "gold"
    manifest.write_text(manifest.read_text().replace(
        "questions:\n", f"questions:\n  tier:\n    type: str\n    default: {default}\n"
    ))  # fmt: skip
    if where == "file name":
        (folder / "level0" / "{{ tier | nofilter }}.txt").write_text("x\n")
    result = _new(run_cli, tmp_path, "--overlay", str(folder))
    assert result.exit_code == 1
    [line] = result.stderr.strip().splitlines()
    assert needle in line, line
    assert "a template" not in line
    assert not (tmp_path / "projects").exists()

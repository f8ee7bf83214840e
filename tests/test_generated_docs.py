"""The generated project explains itself: its README is true at its level and `make help`
expands its variables, aligns its columns and names the pipeline that runs."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from scaffolder.catalog import builtin_catalog
from scaffolder.render import render

CASES = [(0, None), (1, "both"), (1, "airflow"), (1, "kubeflow"), (2, "both"), (3, "both")]
NEXT = {0: "Level 1 (ML pipeline automation) would add", 1: "Level 2 (CI/CD for ML) would add",
        2: "Level 3 (full automation) would add", 3: "Level 3 is the highest level"}  # fmt: skip


@pytest.fixture(scope="module")
def projects(tmp_path_factory) -> dict[tuple[int, str | None], Path]:
    root = tmp_path_factory.mktemp("docs")
    out = {}
    for level, orchestrator in CASES:
        given: dict[str, object] = {"project_name": "churn", "level": level}
        if orchestrator:
            given["orchestrator"] = orchestrator
        dest = root / f"l{level}-{orchestrator}"
        render(builtin_catalog(), given, dest)
        out[(level, orchestrator)] = dest
    return out


def _help(project: Path, *args: str) -> str:
    return subprocess.run(
        ["make", "--no-print-directory", "help", *args],
        cwd=project, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize(("level", "orchestrator"), CASES)
def test_make_help_expands_aligns_and_names_the_pipeline(projects, level, orchestrator):
    text = _help(projects[(level, orchestrator)])
    assert "$(" not in text
    header, _, table = text.partition("\n\n")
    assert header.startswith(f"churn: MLOps level {level} (")
    rows = [line for line in table.splitlines() if line.strip()]
    targets = [row.split()[0] for row in rows]
    # Every description starts in the same column, right after the longest target name.
    width = max(map(len, targets))
    for row, target in zip(rows, targets, strict=True):
        assert row.startswith(f"  {target.ljust(width)}  ") and row[width + 4] != " ", row
    makefile = (projects[(level, orchestrator)] / "Makefile").read_text()
    assert set(targets) == set(re.findall(r"^([a-zA-Z_-]+):.*## ", makefile, re.M))
    if level == 0:
        assert "make train fits the model" in header
        assert "test-slow" not in targets
    else:
        assert "prepare -> validate" in header and "-> register" in header
        assert ("test_model" in header) == (level >= 2)
        assert ("make dag-test" in header) == (orchestrator in ("airflow", "both"))
        assert ("make kfp-run" in header) == (orchestrator in ("kubeflow", "both"))
        assert {"test", "test-slow", "test-all"} <= set(targets)
    if level >= 2:
        assert "into artifacts/scoring/predictions.csv" in text and "127.0.0.1:8000" in text
        overridden = _help(projects[(level, orchestrator)], "SCORE_INPUT=new.csv", "PORT=9")
        assert "Batch-score new.csv" in overridden and "127.0.0.1:9 " in overridden


@pytest.mark.parametrize(("level", "orchestrator"), CASES)
def test_readme_says_how_the_project_evolves_and_is_true_at_its_level(
    projects, level, orchestrator
):
    project = projects[(level, orchestrator)]
    readme = (project / "README.md").read_text()
    flat = " ".join(readme.split())
    assert "made with `mlops-scaffold`" in flat and f"is at its level {level}" in flat
    assert "the branch `mlops-scaffold/base`" in flat and "the file `.mlops-scaffold.yml`" in flat
    assert (
        "`mlops-scaffold upgrade --dry-run`" in flat and "`mlops-scaffold upgrade --check`" in flat
    )
    assert NEXT[level] in flat
    entry = "python -m churn.pipeline" if level >= 1 else "python -m churn.train"
    assert "The training entry point at this level is `make train`" in flat and entry in flat
    # Every path the layout lists is in the project, except gx/, which it says appears later.
    layout = readme.split("## Layout", 1)[1].split("```")[1]
    for line in layout.strip().splitlines():
        path = line.split()[0]
        if path == "gx/":
            assert "by the first validation" in line
            continue
        assert (project / path).exists(), path
    # Every make target the README's table names exists in the Makefile.
    makefile = (project / "Makefile").read_text()
    for target in re.findall(r"^\| `make ([a-z-]+)`", readme, re.M):
        assert re.search(rf"^{target}:", makefile, re.M), target
    if level >= 1:
        assert "training script, `make train`" not in readme
        assert "kept for quick experiments" in readme


def _help_targets(makefile: str) -> list[str]:
    return re.findall(r"^([a-zA-Z_-]+):.*## ", makefile, re.M)


@pytest.fixture(scope="module")
def own_code_project(tmp_path_factory) -> Path:
    """Level 2 around the team's own package (no example code): other targets, same rules."""
    dest = tmp_path_factory.mktemp("own") / "churn"
    render(builtin_catalog(), {"project_name": "churn", "level": 2, "example": False}, dest)
    return dest


@pytest.mark.parametrize(("level", "orchestrator"), [*CASES, ("own-code", None)])
def test_the_readme_table_lists_every_make_target_that_make_help_lists(
    projects, own_code_project, level, orchestrator
):
    project = own_code_project if level == "own-code" else projects[(level, orchestrator)]
    readme = (project / "README.md").read_text()
    table = readme.split("## Make targets", 1)[1].split("<!-- mlops-scaffold:end", 1)[0]
    listed = set(re.findall(r"^\| `make ([a-z-]+)`", table, re.M))
    missing = set(_help_targets((project / "Makefile").read_text())) - listed
    assert not missing, f"README's make-target table lacks {sorted(missing)}"


@pytest.mark.parametrize(("level", "orchestrator"), [*CASES, ("own-code", None)])
def test_every_variable_a_help_text_names_is_passed_to_make_help(
    projects, own_code_project, level, orchestrator
):
    project = own_code_project if level == "own-code" else projects[(level, orchestrator)]
    makefile = (project / "Makefile").read_text()
    passed = set(
        re.findall(r"(\w+)='\$\(\w+\)'", makefile.split("HELP_VARS :=", 1)[1].split("\n")[0])
    )
    named = set(
        re.findall(r"\$\((\w+)\)", "".join(re.findall(r"^[a-zA-Z_-]+:.*## (.*)$", makefile, re.M)))
    )
    assert named <= passed, f"make help would print {sorted(named - passed)} empty"


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_level3_make_help_names_the_receivers_port(projects):
    assert "127.0.0.1:9095 " in _help(projects[(3, "both")])
    assert "127.0.0.1:9 " in _help(projects[(3, "both")], "RECEIVER_PORT=9")


def _dry_run(project: Path, *args: str) -> str:
    return subprocess.run(
        ["make", "-n", "--no-print-directory", *args],
        cwd=project, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_retrain_records_the_reason_the_readme_documents(projects):
    project = projects[(3, "both")]
    readme = (project / "README.md").read_text()
    assert "| `make retrain` |" in readme and '(`REASON="..."` records why)' in readme
    assert '--reason "drift in x"' in _dry_run(project, "retrain", "REASON=drift in x")
    assert '--reason "old spelling"' in _dry_run(project, "retrain", "RETRAIN_REASON=old spelling")
    assert '--reason "make retrain"' in _dry_run(project, "retrain")
    # rollback keeps its own default reason
    assert '--reason "manual rollback"' in _dry_run(project, "rollback")


@pytest.mark.parametrize(("level", "orchestrator"), [*CASES, ("own-code", None)])
def test_every_readme_section_is_inside_upgrade_markers(
    projects, own_code_project, level, orchestrator
):
    """Template fixes reach existing projects only through marked sections (merge/readme.py)."""
    project = own_code_project if level == "own-code" else projects[(level, orchestrator)]
    inside, outside = None, []
    for line in (project / "README.md").read_text().splitlines():
        if begin := re.match(r"<!-- mlops-scaffold:begin (\S+) -->", line):
            inside = begin[1]
        elif line.startswith("<!-- mlops-scaffold:end "):
            inside = None
        elif (line.startswith("## ") or line.startswith("### ")) and inside is None:
            outside.append(line)
    assert not outside


def test_the_level3_monitoring_sections_reach_projects_made_before_their_markers(projects):
    """Projects made when the monitoring and settings sections sat between the markers (team
    text) take the marked sections in their next upgrade, and later template fixes to them."""
    from scaffolder.merge import Labels, merge_text

    marked = (projects[(3, "both")] / "README.md").read_text()
    unmarked = re.sub(r"<!-- mlops-scaffold:(begin|end) (monitoring|settings) -->\n\n?", "", marked)
    assert unmarked != marked and "## Monitoring and automatic retraining" in unmarked
    team = unmarked + "\n## Our notes\n\nDrift alerts go to #churn.\n"
    labels = Labels(theirs="mlops-scaffold/base")
    first = merge_text("README.md", unmarked, team, marked, labels)
    assert first.conflicts == 0
    assert first.text.count("## Monitoring and automatic retraining") == 1
    assert "<!-- mlops-scaffold:begin settings -->" in first.text and "#churn." in first.text
    fixed = marked.replace(
        "| `PREDICTION_LOG_ENABLED` | `1` |", "| `PREDICTION_LOG_ENABLED` | `true` |"
    )
    second = merge_text("README.md", marked, first.text, fixed, labels)
    assert second.conflicts == 0
    assert "| `PREDICTION_LOG_ENABLED` | `true` |" in second.text and "#churn." in second.text

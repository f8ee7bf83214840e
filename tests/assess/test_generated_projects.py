"""Generated projects are the first test subjects: each assesses at exactly its level in every
dimension, and removing one level-defining file drops exactly the right dimensions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scaffolder.assess.checks import run_checks
from scaffolder.assess.models import DIMENSIONS, Outcome
from scaffolder.assess.run import assess_repo
from scaffolder.assess.scan import scan
from scaffolder.assess.scoring import dimension_levels

VARIANTS = [
    (0, "airflow", "github"),
    (1, "airflow", "github"),
    (1, "kubeflow", "github"),
    (1, "both", "github"),
    (1, "airflow", "gitlab"),
    (1, "kubeflow", "gitlab"),
]


@pytest.fixture(scope="session")
def generated(tmp_path_factory) -> dict[tuple[int, str, str], Path]:
    """Each variant generated once per session (about half a second each)."""
    from scaffolder.new import NewRequest, create_project

    home = tmp_path_factory.mktemp("gen-home")
    out = tmp_path_factory.mktemp("generated")
    projects = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(home))
        mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
        mp.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
        for level, orchestrator, ci in VARIANTS:
            name = f"p{level}-{orchestrator}-{ci}"
            given = {"level": level, "ci": ci}
            if level >= 1:
                given["orchestrator"] = orchestrator
            result = create_project(
                NewRequest(name=name, output_dir=out, given=given, defaults=True)
            )
            projects[(level, orchestrator, ci)] = result.path
    return projects


def levels_of(root: Path) -> dict[str, int]:
    return {d.dimension: d.level for d in dimension_levels(run_checks(scan(root)))}


def copy(project: Path, tmp_path: Path) -> Path:
    target = tmp_path / project.name
    shutil.copytree(project, target, symlinks=True)
    return target


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: "-".join(map(str, v)))
def test_generated_project_assesses_at_exactly_its_level(generated, variant):
    level = variant[0]
    project = generated[variant]
    report = assess_repo(project)
    assert {d.dimension: d.level for d in report.dimensions} == dict.fromkeys(DIMENSIONS, level), [
        (r.id, r.message) for r in report.checks if r.level <= level and not r.counts_as_passed
    ]
    assert report.level == level
    assert report.problems == []
    assert not [r.id for r in report.checks if r.outcome is Outcome.UNKNOWN]
    # every dimension is stopped by a real check of the next level, with the way up named
    for d in report.dimensions:
        blockers = [r for r in report.checks if r.id in d.blocking]
        assert blockers and all(r.level == level + 1 for r in blockers), d
        assert all(f"upgrade --to {level + 1}" in r.upgrade or r.level == 0 for r in blockers)


def _pkg(project: Path) -> str:
    return project.name.replace("-", "_")


# file to remove -> the checks that must fail and the dimensions that must drop to 0. Hygiene
# checks (pre-commit, secret scanning) are advice, and monitoring needs any one of metrics,
# alert rules and dashboards: removing those files fails their checks but drops nothing.
REMOVALS = {
    ".pre-commit-config.yaml": (["quality.pre-commit", "governance.secret-scanning"], set()),
    "monitoring/prometheus/alerts.yml": (["monitoring.alert-rules"], set()),
    "monitoring/grafana/dashboard.json": (["monitoring.dashboard"], set()),
    "config/pipeline.yaml": (["repro.config-file"], {"reproducibility"}),
    "Dockerfile": (["deployment.training-image"], {"deployment"}),
    "dags/{pkg}_training.py": (["pipelines.orchestrated"], {"pipelines"}),
    ".github/workflows/ci.yml": (
        ["quality.ci-tests", "pipelines.ci-checks", "governance.change-review"],
        {"quality", "governance"},
    ),
}


@pytest.mark.parametrize("relpath", list(REMOVALS))
def test_removing_a_level1_file_drops_exactly_its_dimensions(generated, tmp_path, relpath):
    original = generated[(1, "airflow", "github")]
    project = copy(original, tmp_path)
    target = project / relpath.format(pkg=_pkg(project))
    assert target.is_file()
    intact = {r.id: r for r in run_checks(scan(project))}
    failing, dropped_expected = REMOVALS[relpath]
    for check_id in failing:
        # the evidence of the intact project pointed at the file now removed
        assert any(
            e.startswith(target.relative_to(project).as_posix()) for e in intact[check_id].evidence
        ), (check_id, intact[check_id].evidence)
    target.unlink()
    if relpath.startswith("dags/"):  # dvc.yaml runs the same steps: DVC is a pipeline runner too
        (project / "dvc.yaml").unlink()
    after = {r.id: r for r in run_checks(scan(project))}
    levels = {d.dimension: d for d in dimension_levels(list(after.values()))}
    dropped = {dim for dim, d in levels.items() if d.level == 0}
    assert dropped == dropped_expected
    for check_id in failing:
        assert after[check_id].outcome is Outcome.FAIL
        dimension = after[check_id].dimension
        assert (check_id in levels[dimension].blocking) == (dimension in dropped_expected)
        assert after[check_id].advice == (dimension not in dropped_expected)
    assert {dim for dim, d in levels.items() if d.level == 1} == set(DIMENSIONS) - dropped


def test_kubeflow_pipeline_removal_and_both_orchestrators(generated, tmp_path):
    project = copy(generated[(1, "kubeflow", "gitlab")], tmp_path)
    (project / "pipelines" / "kfp_pipeline.py").unlink()
    assert levels_of(project)["pipelines"] == 1  # dvc.yaml's stages still run the steps
    (project / "dvc.yaml").unlink()
    assert levels_of(project)["pipelines"] == 0
    both = copy(generated[(1, "both", "github")], tmp_path / "both")
    (both / "dags" / f"{_pkg(both)}_training.py").unlink()
    assert levels_of(both)["pipelines"] == 1  # the Kubeflow pipeline still orchestrates training


def test_removing_level0_files_fails_their_checks(generated, tmp_path):
    project = copy(generated[(0, "airflow", "github")], tmp_path)
    (project / "README.md").unlink()
    shutil.rmtree(project / "tests")
    after = {r.id: r for r in run_checks(scan(project))}
    assert after["governance.readme"].outcome is Outcome.FAIL
    assert after["quality.unit-tests"].outcome is Outcome.FAIL
    assert sum(not r.counts_as_passed for r in after.values() if r.level == 0) == 2


def test_a_broken_file_in_a_generated_project_is_unknown_not_a_crash(generated, tmp_path):
    project = copy(generated[(1, "airflow", "gitlab")], tmp_path)
    (project / ".gitlab-ci.yml").write_text("stages: [\n")
    report = assess_repo(project)
    outcome = {r.id: r.outcome for r in report.checks}
    assert outcome["quality.ci-tests"] is Outcome.UNKNOWN
    assert report.problems[0].path == ".gitlab-ci.yml"
    # pipelines.ci-checks is unknown too, but it is advice: pipelines keeps its level
    assert outcome["pipelines.ci-checks"] is Outcome.UNKNOWN
    assert {d.dimension for d in report.dimensions if d.level == 0} == {"quality", "governance"}

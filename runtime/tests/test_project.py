"""The Project description: hooks resolve lazily, relative to the package, with clear errors."""

from __future__ import annotations

import sys

import pytest
from mlops_runtime import Project, ProjectError
from mlops_runtime.settings import load_settings


@pytest.fixture
def team_package(tmp_path, monkeypatch):
    package = tmp_path / "teampkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "tracking.py").write_text("def tracking_uri():\n    return 'sqlite:///team.db'\n")
    (package / "other.py").write_text("def uri():\n    return 'http://mlflow:5000'\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "teampkg"
    for name in [m for m in sys.modules if m.startswith("teampkg")]:
        del sys.modules[name]


def test_a_hook_resolves_relative_to_the_package(team_package):
    project = Project(name="team", package=team_package)
    assert project.reference("tracking_uri") == "teampkg.tracking:tracking_uri"
    assert project.call("tracking_uri") == "sqlite:///team.db"


def test_a_hook_can_point_elsewhere(team_package):
    project = Project(name="team", package=team_package, hooks={"tracking_uri": ".other:uri"})
    assert project.call("tracking_uri") == "http://mlflow:5000"


def test_building_a_project_imports_nothing(team_package):
    Project(name="team", package=team_package)
    assert "teampkg" not in sys.modules


def test_a_missing_hook_names_the_module_and_the_way_out(team_package):
    project = Project(name="team", package=team_package)
    with pytest.raises(ProjectError, match=r"teampkg.predict not found.*hooks="):
        project.hook("predict")
    broken = Project(name="team", package=team_package, hooks={"predict": ".tracking:nope"})
    with pytest.raises(ProjectError, match=r"has no 'nope'"):
        broken.hook("predict")


def test_unknown_hooks_and_bad_names_are_refused():
    with pytest.raises(ProjectError, match="unknown hook 'predcit'"):
        Project(name="team", package="teampkg", hooks={"predcit": ".x:y"})
    with pytest.raises(ProjectError, match="package import name"):
        Project(name="team", package="team-pkg")


def test_settings_default_under_the_project_root(team_package, tmp_path, monkeypatch):
    for variable in ("MLOPS_ARTIFACT_ROOT", "PREDICTION_LOG_URI", "MLOPS_STATE_URI"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("MLOPS_PROJECT_ROOT", str(tmp_path))
    settings = load_settings(Project(name="team", package=team_package))
    assert settings.tracking_uri == "sqlite:///team.db"
    assert settings.prediction_log_uri == (tmp_path / "artifacts").as_uri() + "/predictions"
    assert settings.state_uri == f"sqlite:///{tmp_path / 'artifacts' / 'state.db'}"
    monkeypatch.setenv("MLOPS_STATE_URI", "postgresql+psycopg2://u:p@127.0.0.1:5432/state")
    monkeypatch.setenv("MONITORING_METRICS_DIR", "/var/metrics")
    settings = load_settings(Project(name="team", package=team_package))
    assert settings.state_uri.startswith("postgresql+psycopg2://")
    assert str(settings.monitoring_metrics_dir) == "/var/metrics"


def test_the_slo_file_is_the_variable_else_config_slo_yaml(team_package, tmp_path, monkeypatch):
    from pathlib import Path

    from mlops_runtime.settings import slo_config_path

    monkeypatch.delenv("SLO_CONFIG", raising=False)
    assert slo_config_path(tmp_path) == tmp_path / "config" / "slo.yaml"
    monkeypatch.setenv("MLOPS_PROJECT_ROOT", str(tmp_path))
    assert load_settings(Project("p", team_package)).slo_config == tmp_path / "config" / "slo.yaml"
    monkeypatch.setenv("SLO_CONFIG", "staging/slo.yaml")
    assert slo_config_path(tmp_path) == tmp_path / "staging" / "slo.yaml"
    monkeypatch.setenv("SLO_CONFIG", "/etc/slo.yaml")
    assert slo_config_path(tmp_path) == Path("/etc/slo.yaml")

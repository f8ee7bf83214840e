"""The deployment environments (`mlops_runtime.environments`): MLOPS_ENV picks one of
config/environments.yaml, dev needs no entry, overrides merge section by section."""

from __future__ import annotations

import pytest
from mlops_runtime.environments import EnvironmentConfig, merge, read_environment

ENVIRONMENTS = """
staging:
  tracking_uri: http://mlflow.staging:5000
  model_alias: candidate
  auto_promote: false
  overrides:
    data: {n_rows: 500}
"""


def test_mlops_env_picks_the_environment_and_its_overrides(tmp_path, monkeypatch):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "environments.yaml").write_text(ENVIRONMENTS)
    monkeypatch.delenv("MLOPS_ENV", raising=False)
    assert read_environment(tmp_path) == (EnvironmentConfig(), {})  # dev: no entry needed
    monkeypatch.setenv("MLOPS_ENV", "staging")
    staging, overrides = read_environment(tmp_path)
    assert staging == EnvironmentConfig("staging", "http://mlflow.staging:5000", "candidate", False)
    assert merge({"data": {"n_rows": 2000, "seed": 1}, "model": {"type": "lr"}}, overrides) == {
        "data": {"n_rows": 500, "seed": 1},
        "model": {"type": "lr"},
    }
    with pytest.raises(ValueError, match=r"MLOPS_ENV='prod' in .* \(known: staging\)"):
        read_environment(tmp_path, "prod")
    (tmp_path / "config" / "environments.yaml").write_text("qa: {colour: blue}\n")
    with pytest.raises(ValueError, match="invalid environment 'qa'"):
        read_environment(tmp_path, "qa")

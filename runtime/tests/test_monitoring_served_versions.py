"""The job follows what is served: each version's logged rows against that version's profile,
also right after a champion change, when the registry's alias and the traffic disagree."""

from __future__ import annotations

import time

import numpy as np
import pytest
from mlops_runtime.monitoring.config import MonitoringConfig
from mlops_runtime.monitoring.job import current_version, run_monitoring, served_versions
from mlops_runtime.monitoring.prediction_log import PredictionBatch, write_partitioned
from mlops_runtime.monitoring.profile import build_profile
from mlops_runtime.settings import load_settings
from sampleproj.data import FEATURE_COLUMNS, generate


def _log(project, version: str, rows: int, seed: int, shift: float = 0.0, age: float = 60):
    frame = generate(rows, seed=seed)[FEATURE_COLUMNS].copy()
    frame["monthly_charges"] = frame["monthly_charges"] + shift
    batch = PredictionBatch(
        f"r-{version}-{seed}", frame, [0.3] * rows, [0] * rows, "m", version, "champion",
        timestamp=time.time() - age,
    )  # fmt: skip
    write_partitioned(batch.to_frame(), load_settings(project).prediction_log_uri)


@pytest.fixture
def profile():
    reference = generate(2000, seed=1)[FEATURE_COLUMNS]
    return build_profile(reference, list(np.full(len(reference), 0.3)))


def _run(project, profile, alias_version: str):
    return run_monitoring(
        project,
        config=MonitoringConfig(),
        pipeline_config=object(),
        profile=profile,
        model={"name": "m", "version": alias_version},
        write=False,
    )


def test_shifted_traffic_of_a_version_the_alias_no_longer_names_is_seen(project, profile):
    # The registry already says version 2, but the servers still answer with version 1, whose
    # traffic shifted: judging only version 2's rows would see nothing ("0 rows ... none").
    _log(project, "1", 1400, seed=3, shift=45.0)
    report = _run(project, profile, alias_version="2")
    assert report["served_versions"] == {"1": 1400}
    assert report["drift_version"] == "1"
    assert report["drift"]["rows"] == 1400 and report["drift"]["detected"]
    assert report["decision"]["action"] == "retrain"
    assert "monthly_charges" in report["decision"]["reasons"][0]


def test_each_version_is_judged_on_its_own_rows(project, profile):
    _log(project, "1", 800, seed=4)  # calm, most of the traffic
    _log(project, "2", 400, seed=5, shift=45.0)  # the canary drifted
    report = _run(project, profile, alias_version="1")
    assert report["drift_version"] == "1" and not report["drift"]["detected"]
    assert report["drift_by_version"]["2"]["detected"]
    assert any(r.startswith("drift (version 2)") for r in report["decision"]["reasons"])


def test_calm_traffic_of_every_version_decides_none(project, profile):
    _log(project, "1", 500, seed=6)
    _log(project, "2", 500, seed=7)
    report = _run(project, profile, alias_version="2")
    assert report["decision"]["action"] == "none", report["decision"]


def test_the_version_serving_now_is_the_newest_rows(project):
    _log(project, "1", 10, seed=8, age=600)
    _log(project, "2", 5, seed=9, age=60)
    from mlops_runtime.monitoring.prediction_log import read_partitioned

    logged = read_partitioned(load_settings(project).prediction_log_uri, 0, time.time() + 1)
    assert served_versions(logged, "9") == {"1": 10, "2": 5}
    assert current_version(logged, "9") == "2"


def test_drift_with_the_breaker_open_asks_for_a_person(project, profile):
    from dataclasses import replace

    from mlops_runtime.monitoring.guards import open_guards

    config = MonitoringConfig()
    config = replace(config, guards=replace(config.guards, cooldown_hours=0, failure_threshold=2))
    guards = open_guards(load_settings(project).state_uri, config.guards, project.name)
    for digest in ("a", "b"):  # two failed retrains in a row open the breaker
        guards.finish(guards.begin("drift", ["test"], data_digest=digest), succeeded=False)
    _log(project, "1", 1400, seed=3, shift=45.0)
    report = run_monitoring(project, config=config, pipeline_config=object(), profile=profile,
                            model={"name": "m", "version": "1"}, write=False)  # fmt: skip
    assert report["decision"]["action"] == "page"
    assert any("circuit breaker" in b for b in report["decision"]["blocked_by"])
    assert report["guards"]["circuit_open"]


@pytest.mark.parametrize("bad", ["drift: [1]", "decay: {violations: 9, windows: 2}"])
def test_a_broken_monitoring_config_is_refused(tmp_path, bad):
    from mlops_runtime.monitoring.config import load_monitoring_config

    path = tmp_path / "monitoring.yaml"
    path.write_text(bad + "\n")
    with pytest.raises(ValueError, match="monitoring config|decay.violations"):
        load_monitoring_config(path)

"""Drift (PSI, KS / chi-square, multiple testing) and decay (k of n windows) on known data."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from mlops_runtime.monitoring.config import DecayConfig, DriftConfig
from mlops_runtime.monitoring.decay import detect_decay
from mlops_runtime.monitoring.drift import adjust, detect_drift, psi
from mlops_runtime.monitoring.profile import build_profile
from sampleproj.data import FEATURE_COLUMNS, generate

HOUR = 3600.0


@pytest.fixture(scope="module")
def profile():
    reference = generate(3000, seed=1)
    scores = np.random.default_rng(0).beta(2, 5, len(reference))
    return build_profile(reference[FEATURE_COLUMNS], scores)


def live(rows: int, seed: int, shift: float = 0.0) -> pd.DataFrame:
    frame = generate(rows, seed=seed)[FEATURE_COLUMNS].copy()
    frame["monthly_charges"] = frame["monthly_charges"] + shift
    frame["probability"] = np.random.default_rng(seed).beta(2, 5, rows)
    return frame


def test_psi_is_zero_for_equal_and_large_for_different_distributions():
    assert psi(np.array([0.5, 0.5]), np.array([0.5, 0.5])) == pytest.approx(0.0)
    assert psi(np.array([0.9, 0.1]), np.array([0.1, 0.9])) > 1.0


def test_profile_has_bins_samples_and_categorical_shares(profile):
    numeric = profile["features"]["monthly_charges"]
    assert numeric["kind"] == "numeric"
    assert sum(numeric["proportions"]) == pytest.approx(1.0)
    assert len(numeric["proportions"]) == len(numeric["edges"]) + 1
    assert 0 < len(numeric["sample"]) <= 1000
    contract = profile["features"]["contract"]
    assert contract["kind"] == "categorical"
    assert sum(contract["frequencies"].values()) == pytest.approx(1.0)
    assert profile["prediction"]["kind"] == "numeric"


def test_same_distribution_is_not_drift(profile):
    result = detect_drift(profile, live(2000, seed=5), DriftConfig())
    assert result.enough_data
    assert not result.detected, [c.as_dict() for c in result.columns if c.drifted]


def test_a_shifted_feature_is_named(profile):
    result = detect_drift(profile, live(2000, seed=5, shift=25.0), DriftConfig())
    assert result.detected
    assert result.drifted[0] == "monthly_charges"
    assert "tenure_months" not in result.drifted


def test_a_new_category_mix_is_drift(profile):
    frame = live(2000, seed=6)
    frame["contract"] = "two-year"
    result = detect_drift(profile, frame, DriftConfig())
    assert "contract" in result.drifted


def test_too_few_rows_are_not_judged(profile):
    result = detect_drift(profile, live(50, seed=5, shift=50.0), DriftConfig(min_samples=200))
    assert not result.enough_data and not result.detected


def test_holm_and_bonferroni_correct_for_many_tests():
    p = [0.01, 0.02, 0.03, 0.5]
    assert adjust(p, "bonferroni") == pytest.approx([0.04, 0.08, 0.12, 1.0])
    assert adjust(p, "holm") == pytest.approx([0.04, 0.06, 0.06, 0.5])
    assert adjust(p, "none") == p


def test_twenty_noise_features_rarely_look_drifted():
    """Without correction, 20 tests at 5% flag something most of the time; with Holm, rarely."""
    rng = np.random.default_rng(11)
    columns = [f"x{i}" for i in range(20)]
    reference = pd.DataFrame(rng.normal(size=(3000, 20)), columns=columns)
    profile = build_profile(reference, rng.random(3000))
    # PSI alone must not decide here: only the tests' significance is under study.
    cfg = DriftConfig(min_statistic=0.0, psi_threshold=10.0, include_prediction=False)
    raw = DriftConfig(
        min_statistic=0.0, psi_threshold=10.0, include_prediction=False, correction="none"
    )
    flagged_holm = flagged_raw = 0
    for _ in range(20):
        sample = pd.DataFrame(rng.normal(size=(500, 20)), columns=columns)
        flagged_holm += detect_drift(profile, sample, cfg).detected
        flagged_raw += detect_drift(profile, sample, raw).detected
    assert flagged_holm <= 3
    assert flagged_raw > flagged_holm


def joined(now: float, aucs: list[bool], rows: int = 200) -> pd.DataFrame:
    """Labelled predictions, one window per entry (oldest first): good or useless scores."""
    rng = np.random.default_rng(3)
    frames = []
    for i, good in enumerate(aucs):
        labels = rng.integers(0, 2, rows)
        scores = np.clip(labels * 0.6 + rng.random(rows) * 0.4, 0, 1) if good else rng.random(rows)
        stamp = now - (len(aucs) - i - 0.5) * 24 * HOUR
        frames.append(
            pd.DataFrame(
                {
                    "timestamp": pd.to_datetime(stamp, unit="s", utc=True),
                    "probability": scores,
                    "label": labels,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def test_one_bad_window_is_not_decay():
    now = time.time()
    result = detect_decay(joined(now, [True, True, True, True, False]), now, DecayConfig())
    assert result.violations == 1 and not result.detected
    assert result.latest is not None and result.latest < 0.7


def test_k_of_n_bad_windows_is_decay():
    now = time.time()
    result = detect_decay(joined(now, [True, False, True, False, False]), now, DecayConfig())
    assert result.judged == 5 and result.violations == 3 and result.detected


def test_windows_with_too_few_labels_are_not_judged():
    now = time.time()
    data = joined(now, [False] * 5, rows=10)
    result = detect_decay(data, now, DecayConfig(min_labels=50))
    assert result.judged == 0 and not result.detected


def test_save_profile_and_load_profile_round_trip_a_path_and_a_uri(profile, tmp_path):
    from mlops_runtime.monitoring.profile import load_profile, save_profile

    path = save_profile(profile, tmp_path / "new" / "profile.json")
    assert path.is_file()
    assert load_profile(path) == load_profile(path.as_uri()) == load_profile(str(path))
    loaded = load_profile(path)
    assert loaded["features"].keys() == profile["features"].keys()
    assert detect_drift(loaded, live(2000, seed=3, shift=25.0), DriftConfig()).detected


def test_profile_for_version_reads_the_tagged_profile_else_the_runs_artifact(
    profile, fake_project, registry_client, tmp_path, monkeypatch
):
    from mlflow.tracking._tracking_service import utils

    # profile_for_version sets MLflow's global tracking URI: undone after this test
    monkeypatch.setattr(utils, "_tracking_uri", utils._tracking_uri)
    from fake_project import register
    from mlops_runtime.monitoring.profile import (
        ARTIFACT_PATH,
        TAG,
        load_profile,
        profile_for_version,
        save_profile,
    )  # fmt: skip

    uri = fake_project.call("tracking_uri")
    tagged = register(fake_project, data_digest="d1")
    saved = save_profile(profile, tmp_path / "p.json")
    registry_client.set_model_version_tag("fake-model", tagged, TAG, str(saved))
    assert profile_for_version("fake-model", tagged, uri) == load_profile(saved)

    untagged = register(fake_project, data_digest="d2")
    run_id = registry_client.get_model_version("fake-model", untagged).run_id
    registry_client.log_dict(run_id, {"features": {}, "marker": 2}, ARTIFACT_PATH)
    assert profile_for_version("fake-model", untagged, uri)["marker"] == 2

"""A retrain trains on fresh data: the configured source plus the logged predictions that got a
label, point-in-time correct; its digest (what the same-data guard compares) changes with them."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from mlops_runtime.monitoring.config import GuardConfig, MonitoringConfig
from mlops_runtime.monitoring.prediction_log import (
    PredictionBatch,
    write_feedback,
    write_partitioned,
)
from mlops_runtime.monitoring.retrain import assemble_training_data, retrain
from mlops_runtime.settings import load_settings
from sampleproj.data import FEATURE_COLUMNS, TARGET, generate


@dataclass(frozen=True)
class Data:
    source: str | None = None
    n_rows: int = 300
    seed: int = 1


@dataclass(frozen=True)
class Config:
    data: Data = field(default_factory=Data)


def _log(project, request_id: str, rows: int, at: float) -> pd.DataFrame:
    frame = generate(rows, seed=len(request_id))[FEATURE_COLUMNS]
    batch = PredictionBatch(request_id, frame, [0.5] * rows, [1] * rows, "m", "1", "champion",
                            timestamp=at)  # fmt: skip
    write_partitioned(batch.to_frame(), load_settings(project).prediction_log_uri)
    return frame


def _label(project, request_id: str, rows: int, label: int, at: float) -> None:
    labels = pd.DataFrame({"request_id": [request_id] * rows, "row": range(rows), "label": label})
    write_feedback(labels, load_settings(project).feedback_uri, now=at)


def test_labelled_feedback_joins_the_training_data(project):
    now = time.time()
    settings = load_settings(project)
    before = assemble_training_data(project, settings, MonitoringConfig(), Config(), now=now)
    assert before.feedback_rows == 0 and before.source is None and before.base_rows == 300

    _log(project, "req-a", 40, at=now - 3600)
    _label(project, "req-a", 40, label=1, at=now - 1800)  # arrived after the predictions
    _log(project, "req-b", 25, at=now - 600)
    _label(project, "req-b", 25, label=0, at=now - 7200)  # "arrived" before them: not used
    _log(project, "req-c", 10, at=now - 300)  # never labelled

    after = assemble_training_data(project, settings, MonitoringConfig(), Config(), now=now)
    assert after.feedback_rows == 40
    assert after.digest != before.digest
    trained_on = pd.read_csv(after.source)
    assert len(trained_on) == 340 and list(trained_on.columns) == list(generate(1).columns)
    assert trained_on[TARGET].tail(40).eq(1).all()
    assert after.window[1] - after.window[0] == 168 * 3600


def test_the_same_data_guard_compares_what_is_trained_on(project):
    now = time.time()
    cfg = MonitoringConfig(guards=GuardConfig(cooldown_hours=0))
    seen = []

    def runner(config):
        seen.append(config.data.source)
        return {"registered": {"version": str(len(seen)), "promoted": True}}

    first = retrain(project, "drift", ["x"], config=cfg, pipeline_config=Config(), runner=runner)
    assert first.status == "succeeded" and seen == [None]
    again = retrain(project, "drift", ["x"], config=cfg, pipeline_config=Config(), runner=runner)
    assert again.status == "refused" and "same data" in again.detail

    _log(project, "req-d", 30, at=now - 3600)
    _label(project, "req-d", 30, label=1, at=now - 60)
    fresh = retrain(project, "drift", ["x"], config=cfg, pipeline_config=Config(), runner=runner)
    assert fresh.status == "succeeded", fresh.detail
    assert fresh.data_digest != first.data_digest
    assert seen[-1] is not None and len(pd.read_csv(seen[-1])) == 330


def test_a_retrain_names_the_data_version_it_assembled_and_its_source(project, tmp_path):
    """A configured source under DVC: the assembled table's hash and the source's version."""
    import hashlib
    import subprocess

    root = load_settings(project).root
    source = root / "data" / "raw" / "base.csv"
    source.parent.mkdir(parents=True, exist_ok=True)
    generate(200, seed=3).to_csv(source, index=False)
    md5 = hashlib.md5(source.read_bytes(), usedforsecurity=False).hexdigest()
    (source.parent / "base.csv.dvc").write_text(f"outs:\n- md5: {md5}\n  path: base.csv\n")
    git = ["git", "-c", "user.name=T", "-c", "user.email=t@example.org"]
    for args in (["init", "-q"], ["add", "data/raw/base.csv.dvc"], ["commit", "-qm", "data"]):
        subprocess.run([*git, *args], cwd=root, check=True, capture_output=True)
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                         check=True).stdout.strip()  # fmt: skip
    config = Config(data=Data(source=str(source)))
    now = time.time()
    settings = load_settings(project)
    plain = assemble_training_data(project, settings, MonitoringConfig(), config, now=now)
    assert (plain.base_version, plain.base_dvc_rev, plain.version) == (md5, rev, md5)
    _log(project, "req-e", 20, at=now - 3600)
    _label(project, "req-e", 20, label=1, at=now - 60)
    fresh = assemble_training_data(project, settings, MonitoringConfig(), config, now=now)
    assembled = hashlib.md5(Path(fresh.source).read_bytes(), usedforsecurity=False).hexdigest()
    assert fresh.version == assembled != md5 and fresh.base_version == md5

"""The level-3 business KPI: measured on labelled feedback joined to the logged predictions of
its window (every served version), reported, and exported with its configured floor for the
alert rule MLBusinessKPILow (the rule itself is tested by promtool and a real Prometheus)."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pandas as pd
import pytest
from mlops_runtime.monitoring.config import KpiConfig, MonitoringConfig
from mlops_runtime.monitoring.job import run_monitoring
from mlops_runtime.monitoring.kpi import kpi_value, measure_kpi
from mlops_runtime.monitoring.metrics import MONITORING_FILE
from mlops_runtime.monitoring.prediction_log import (
    PredictionBatch,
    write_feedback,
    write_partitioned,
)
from mlops_runtime.monitoring.profile import build_profile
from mlops_runtime.settings import load_settings
from sampleproj.data import FEATURE_COLUMNS, generate

HOUR = 3600.0


def test_each_measure_on_a_known_confusion_matrix():
    # 4 real positives, 2 of them flagged; 1 false alarm among 4 negatives.
    labels = np.array([1, 1, 1, 1, 0, 0, 0, 0])
    scores = np.array([0.9, 0.8, 0.2, 0.1, 0.7, 0.3, 0.2, 0.1])
    assert kpi_value("recall", labels, scores) == 0.5
    assert kpi_value("precision", labels, scores) == pytest.approx(2 / 3)
    assert kpi_value("accuracy", labels, scores) == pytest.approx(5 / 8)
    assert kpi_value("f1", labels, scores) == pytest.approx(2 * 2 / (4 + 3))
    assert kpi_value("recall", np.zeros(8, dtype=int), scores) is None  # no positives


def _joined(now: float, ages_hours: list[float], labels: list[int], scores: list[float]):
    return pd.DataFrame({
        "timestamp": pd.to_datetime([now - a * HOUR for a in ages_hours], unit="s", utc=True),
        "probability": scores,
        "label": labels,
    })  # fmt: skip


def test_only_the_window_counts_and_too_few_labels_give_no_value():
    now = time.time()
    # Inside the 24 h window: 2 positives, both caught; before it, 2 missed ones.
    data = _joined(now, [1, 2, 3, 30, 40], [1, 1, 0, 1, 1], [0.9, 0.8, 0.1, 0.1, 0.1])
    result = measure_kpi(data, now, KpiConfig(window_hours=24, min_labels=3, threshold=0.6))
    assert (result.labelled, result.value, result.below) == (3, 1.0, False)
    wider = measure_kpi(data, now, KpiConfig(window_hours=48, min_labels=3, threshold=0.6))
    assert (wider.labelled, wider.value, wider.below) == (5, 0.5, True)
    scarce = measure_kpi(data, now, KpiConfig(window_hours=24, min_labels=10))
    assert scarce.value is None and scarce.below is None and "10 needed" in scarce.note


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"measure": "revenue"}, "kpi.measure must be one of"),
        ({"name": "churners caught"}, "kpi.name must be a word"),
        ({"min_labels": 0}, "must be positive"),
        ({"colour": "red"}, "section 'kpi'"),
    ],
)
def test_a_bad_kpi_section_is_refused(section, message):
    with pytest.raises(ValueError, match=message):
        MonitoringConfig.from_dict({"kpi": section})


def _log(project, version: str, request: str, probabilities: list[float], age: float):
    frame = generate(len(probabilities), seed=len(request))[FEATURE_COLUMNS]
    batch = PredictionBatch(
        request, frame, probabilities, [int(p >= 0.5) for p in probabilities], "m", version,
        "champion", timestamp=time.time() - age,
    )  # fmt: skip
    write_partitioned(batch.to_frame(), load_settings(project).prediction_log_uri)


def test_the_job_measures_every_served_version_and_exports_value_and_floor(project, monkeypatch):
    settings = load_settings(project)
    # Version 1 missed 3 of 4 churners, version 2 (serving now) caught both of its own.
    _log(project, "1", "r-old", [0.1, 0.2, 0.3, 0.9, 0.1, 0.2], age=3 * HOUR)
    _log(project, "2", "r-new", [0.8, 0.9, 0.2, 0.1], age=HOUR)
    labels = [("r-old", [1, 1, 1, 1, 0, 0]), ("r-new", [1, 1, 0, 0])]
    write_feedback(pd.DataFrame([
        {"request_id": request, "row": row, "label": label}
        for request, values in labels for row, label in enumerate(values)
    ]), settings.feedback_uri)  # fmt: skip
    reference = generate(500, seed=1)[FEATURE_COLUMNS]
    config = MonitoringConfig.from_dict(
        {"kpi": {"name": "churners_caught", "threshold": 0.6, "window_hours": 24, "min_labels": 5}}
    )
    report = run_monitoring(
        project, config=config, pipeline_config=object(),
        profile=build_profile(reference, [0.3] * len(reference)),
        model={"name": "m", "version": "2"},
    )  # fmt: skip
    kpi = report["kpi"]
    assert kpi["labelled"] == 10 and kpi["value"] == pytest.approx(3 / 6) and kpi["below"]
    metrics = (settings.monitoring_metrics_dir / MONITORING_FILE).read_text()
    names = 'kpi="churners_caught",measure="recall",project="sample"'
    assert f"mlops_business_kpi{{{names}}} 0.5" in metrics
    assert f"mlops_business_kpi_threshold{{{names}}} 0.6" in metrics
    assert (
        'mlops_business_kpi_labelled_rows{kpi="churners_caught",project="sample"} 10.0' in metrics
    )
    markdown = Path(urlparse(report["files"]["markdown"]).path).read_text()
    assert (
        "churners_caught (recall on 10 labelled predictions of the last 24 h, floor 0.6): "
        "0.500, **below** its floor" in markdown
    )
    # `make monitor` (the monitor command) shows it too: value, floor, window, labels ...
    assert _monitor_output(monkeypatch, project, report)[-2] == (
        "business KPI: churners_caught (recall on 10 labelled predictions of the last 24 h, "
        "floor 0.6): 0.500, below its floor"
    )
    # ... or why it was not measured.
    config = MonitoringConfig.from_dict({"kpi": {"name": "churners_caught", "min_labels": 50}})
    scarce = run_monitoring(
        project, config=config, pipeline_config=object(),
        profile=build_profile(reference, [0.3] * len(reference)),
        model={"name": "m", "version": "2"},
    )  # fmt: skip
    assert _monitor_output(monkeypatch, project, scarce)[-2] == (
        "business KPI: churners_caught (recall on 10 labelled predictions of the last 168 h, "
        "floor 0.5): not measured: 10 labelled predictions in the window, 50 needed"
    )


def _monitor_output(monkeypatch, project, report) -> list[str]:
    """The lines `python -m <package>.monitoring monitor` prints for this job's report."""
    import contextlib
    import io

    from mlops_runtime.monitoring import cli, job

    monkeypatch.setattr(job, "run_monitoring", lambda _project: report)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(project, ["monitor"]) == 0
    return out.getvalue().splitlines()


def test_kpi_summary_says_the_value_against_its_floor_or_why_there_is_none():
    from mlops_runtime.monitoring.report import kpi_summary

    kpi = {"name": "churners_caught", "measure": "recall", "labelled": 10, "window_hours": 24.0,
           "threshold": 0.6, "value": 0.5, "below": True, "note": ""}  # fmt: skip
    assert kpi_summary(kpi) == ("churners_caught (recall on 10 labelled predictions of the last "
                                "24 h, floor 0.6): 0.500, below its floor")  # fmt: skip
    assert kpi_summary({**kpi, "value": 0.7, "below": False}).endswith(
        "0.700, at or above its floor"
    )
    assert kpi_summary(kpi, below="**below**").endswith("0.500, **below** its floor")
    missing = {**kpi, "value": None, "note": "3 labelled predictions in the window, 5 needed"}
    assert kpi_summary(missing).endswith(
        "floor 0.6): not measured: 3 labelled predictions in the window, 5 needed")  # fmt: skip


def test_write_report_and_write_monitoring_metrics_write_what_the_job_found(project, tmp_path):
    import json

    from mlops_runtime.monitoring.metrics import write_monitoring_metrics
    from mlops_runtime.monitoring.report import write_report

    _log(project, "2", "r-new", [0.8, 0.9, 0.2, 0.1], age=HOUR)
    reference = generate(500, seed=1)[FEATURE_COLUMNS]
    report = run_monitoring(
        project, config=MonitoringConfig.from_dict({}), pipeline_config=object(), write=False,
        model={"name": "m", "version": "2"},
        profile=build_profile(reference, [0.3] * len(reference)),
    )  # fmt: skip
    assert not (tmp_path / "out").exists()  # write=False: nothing written by the job
    files = write_report(report, str(tmp_path / "out"))
    assert json.loads(Path(files["json"]).read_text())["drift"]["rows"] == 4
    assert (tmp_path / "out" / "latest.md").read_text() == Path(files["markdown"]).read_text()
    assert files["json"].endswith(".json") and "/reports/" in files["json"]
    metrics = write_monitoring_metrics(report, tmp_path / "metrics").read_text()
    assert 'mlops_monitoring_rows{project="sample"} 4.0' in metrics
    assert 'mlops_drift_detected{project="sample"} 0.0' in metrics

"""Defect class read from the calibration part's too-low monitoring cells (eighteenth round): a
BentoML service scraped by the project's Prometheus config was not read as a monitored serving
side unless the service defined its own prometheus_client metrics. BentoML serves `/metrics`
(request counts, latency) of every service by default, so a scrape config collecting them
watches the serving side. The test fails on the code before the fix; the near miss beside it
(the same service with no scrape config) passes on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

SERVICE = """
    import bentoml
    import numpy as np


    @bentoml.service
    class Forecaster:
        model = bentoml.models.get("foot_traffic:latest")

        @bentoml.api
        def predict(self, features: np.ndarray) -> np.ndarray:
            return self.model.load_model().predict(features)
"""
PROMETHEUS = """
    global:
      scrape_interval: 15s
    scrape_configs:
      - job_name: serving
        static_configs:
          - targets: ["serving:3000"]
"""


def _serving(tmp_path, files: dict[str, str]) -> Outcome:
    write(tmp_path, {"serving/service.py": SERVICE, **files})
    return checks(tmp_path)["monitoring.serving-metrics"].outcome


def test_a_bentoml_service_scraped_by_prometheus_is_monitored(tmp_path):
    files = {"monitoring/prometheus/prometheus.yml": PROMETHEUS}
    assert _serving(tmp_path, files) is Outcome.PASS


def test_a_bentoml_service_nothing_scrapes_is_not(tmp_path):
    # near miss: /metrics is served, but nothing in the project collects it
    assert _serving(tmp_path, {}) is Outcome.FAIL

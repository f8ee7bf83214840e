"""Defect class read from the calibration part's too-low monitoring cells (twentieth round): a
Vertex AI model-deployment monitoring job created through the SDK's factory
(`aiplatform.ModelDeploymentMonitoringJob.create(endpoint=..., objective_configs=...)`) was not
read: only the class's constructor was, and the factory call's name ends in `.create`. The
factory now gives the same facts (a serving monitor, drift monitoring). The test fails on the
code before the fix; the near miss beside it (a script only listing the monitoring jobs) scores
no serving side on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

SETUP = """
    from google.cloud import aiplatform

    aiplatform.init(project="p", location="europe-west1")
    endpoint = aiplatform.Endpoint("123")
    model = aiplatform.Model("456")

    {call}

    endpoint.deploy(model=model, traffic_percentage=100, enable_access_logging=True)
"""
CREATE = """job = aiplatform.ModelDeploymentMonitoringJob.create(
        display_name="model-monitoring-job",
        endpoint="123",
        schedule_config={"monitor_interval": {"seconds": 3600}},
        objective_configs=[{"drift_detection_config": {"numerical_threshold_config": 0.05}}],
    )"""
LIST = "jobs = aiplatform.ModelDeploymentMonitoringJob.list()"


def _serving(tmp_path, call: str) -> Outcome:
    write(tmp_path, {"monitoring/setup_monitoring.py": SETUP.replace("{call}", call)})
    return checks(tmp_path)["monitoring.serving-metrics"].outcome


def test_a_monitoring_job_created_by_the_factory_watches_the_endpoint(tmp_path):
    assert _serving(tmp_path, CREATE) is Outcome.PASS


def test_near_miss_a_script_listing_monitoring_jobs(tmp_path):
    assert _serving(tmp_path, LIST) is not Outcome.PASS

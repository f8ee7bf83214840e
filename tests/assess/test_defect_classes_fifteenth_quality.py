"""Defect classes read from the fifteenth held-out batch's quality misses once it joined the
calibration part: a test requesting a service's `/drift` route read as a test of drift detection
although the route's handler only returns a gauge's value against a threshold (the detector is a
separate script that no test runs); a test of synthetic data generated with drift read as a test
of drift detection because a method is called on a frame named `synthetic_drift`; tests named for
an endpoint's deployment run against a patched Databricks `WorkspaceClient` read as integration
tests; a CI job that starts its services (`docker compose up -d`) and then requests one of them
(`curl -f http://127.0.0.1:8000/health`) read as no integration test.
Each test fails on the code before the fix; each reads a shape of a stack, not one repository's
files, and the near misses beside them pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

GAUGE_API = """
    from fastapi import FastAPI
    from prometheus_client import Gauge

    app = FastAPI()
    DRIFT_SCORE = Gauge("model_drift_score", "Drift score")


    @app.get("/drift")
    def drift():
        score = DRIFT_SCORE._value.get()
        return {"drift_score": score, "drifted": score > 0.25}
"""
DETECTING_API = """
    from fastapi import FastAPI

    from src.monitoring import run_drift_detection

    app = FastAPI()


    @app.get("/drift")
    def drift():
        return run_drift_detection()
"""
DETECTOR = """
    import pandas as pd
    from evidently.metric_preset import DataDriftPreset
    from evidently.report import Report


    def run_drift_detection():
        report = Report(metrics=[DataDriftPreset()])
        report.run(reference_data=pd.read_csv("ref.csv"), current_data=pd.read_csv("cur.csv"))
        return report.as_dict()
"""
TEST = """
    from fastapi.testclient import TestClient

    from src.serve import app

    client = TestClient(app)


    def test_drift_endpoint():
        r = client.get("/drift")
        assert r.status_code == 200
        assert "drift_score" in r.json()
"""


def test_a_drift_route_returning_a_gauge_is_no_drift_detection_tested(tmp_path):
    write(
        tmp_path,
        {"src/serve.py": GAUGE_API, "src/monitoring.py": DETECTOR, "tests/test_serve.py": TEST},
    )
    assert checks(tmp_path)["quality.drift-tests"].outcome is Outcome.FAIL


def test_a_drift_route_running_the_projects_detector_is_tested_drift_detection(tmp_path):
    # near miss: the handler calls the module that computes the drift report
    write(
        tmp_path,
        {"src/serve.py": DETECTING_API, "src/monitoring.py": DETECTOR, "tests/test_serve.py": TEST},
    )
    assert checks(tmp_path)["quality.drift-tests"].outcome is Outcome.PASS


GENERATOR = """
    import numpy as np
    import pandas as pd


    def generate_synthetic_data(df, drift=False, num_rows=10):
        out = df.sample(num_rows, replace=True).reset_index(drop=True)
        if drift:
            out["lead_time"] = out["lead_time"] * 2 + 1
        return out
"""
GENERATOR_TEST = """
    import pandas as pd

    from src.data import generate_synthetic_data


    def test_generate_synthetic_data_with_drift_changes_values():
        df = pd.DataFrame({"lead_time": [5, 10, 15]})
        synthetic_drift = generate_synthetic_data(df, drift=True, num_rows=5)
        assert (synthetic_drift["lead_time"] > df["lead_time"].max()).any()
        assert synthetic_drift["lead_time"].between(0, 100).all()
"""
DETECTOR_TEST = """
    import pandas as pd

    from src.data import generate_synthetic_data
    from src.monitoring import detect_drift


    def test_drift_is_detected_on_shifted_data():
        df = pd.DataFrame({"lead_time": [5, 10, 15]})
        synthetic_drift = generate_synthetic_data(df, drift=True, num_rows=5)
        assert detect_drift(df, synthetic_drift)
"""
DETECT = """
    from scipy.stats import ks_2samp


    def detect_drift(reference, current):
        return ks_2samp(reference["lead_time"], current["lead_time"]).pvalue < 0.05
"""


def test_a_test_of_drifted_synthetic_data_is_no_drift_detection_test(tmp_path):
    # the drift is in the name of the frame the test checks, generated, never detected
    write(
        tmp_path,
        {
            "src/data.py": GENERATOR,
            "src/monitoring.py": DETECT,
            "tests/test_data.py": GENERATOR_TEST,
        },
    )
    assert checks(tmp_path)["quality.drift-tests"].outcome is Outcome.FAIL


def test_a_test_detecting_drift_on_drifted_synthetic_data_tests_drift_detection(tmp_path):
    # near miss: the same frame handed to the project's detector
    write(
        tmp_path,
        {
            "src/data.py": GENERATOR,
            "src/monitoring.py": DETECT,
            "tests/test_monitoring.py": DETECTOR_TEST,
        },
    )
    assert checks(tmp_path)["quality.drift-tests"].outcome is Outcome.PASS


SERVING = """
    from databricks.sdk import WorkspaceClient


    class ModelServing:
        def __init__(self, endpoint_name):
            self.workspace = WorkspaceClient()
            self.endpoint_name = endpoint_name

        def deploy_or_update_serving_endpoint(self):
            names = [e.name for e in self.workspace.serving_endpoints.list()]
            if self.endpoint_name in names:
                self.workspace.serving_endpoints.update_config(name=self.endpoint_name)
            else:
                self.workspace.serving_endpoints.create(name=self.endpoint_name)
"""
MOCKED_ENDPOINT_TEST = """
    from unittest.mock import MagicMock, patch

    import pytest

    from src.serving import ModelServing


    @pytest.fixture
    def mock_workspace():
        return MagicMock()


    @pytest.fixture
    def model_serving(mock_workspace):
        with patch("src.serving.WorkspaceClient", return_value=mock_workspace):
            return ModelServing(endpoint_name="test-endpoint")


    def test_deploy_creates_new_endpoint(model_serving, mock_workspace):
        mock_workspace.serving_endpoints.list.return_value = []
        model_serving.deploy_or_update_serving_endpoint()
        mock_workspace.serving_endpoints.create.assert_called_once()
"""
LIVE_ENDPOINT_TEST = """
    from src.serving import ModelServing


    def test_deploy_creates_new_endpoint():
        serving = ModelServing(endpoint_name="test-endpoint")
        serving.deploy_or_update_serving_endpoint()
        names = [e.name for e in serving.workspace.serving_endpoints.list()]
        assert "test-endpoint" in names
"""


def test_endpoint_tests_on_a_patched_workspace_client_are_unit_tests(tmp_path):
    write(tmp_path, {"src/serving.py": SERVING, "tests/test_serving.py": MOCKED_ENDPOINT_TEST})
    assert checks(tmp_path)["quality.integration-tests"].outcome is Outcome.FAIL


def test_endpoint_tests_on_the_workspace_are_integration_tests(tmp_path):
    # near miss: the same test name against the real workspace client
    write(tmp_path, {"src/serving.py": SERVING, "tests/test_serving.py": LIVE_ENDPOINT_TEST})
    assert checks(tmp_path)["quality.integration-tests"].outcome is Outcome.PASS


COMPOSE_CI = """
    name: CI
    on:
      push:
        branches: [main]
      pull_request:
        branches: [main]
    jobs:
      test:
        runs-on: ubuntu-latest
        steps:
        - uses: actions/checkout@v4
        - run: pytest
        - name: Start services
          run: |
            docker compose up -d
            sleep 40
        - name: Test FastAPI health endpoint
          run: curl -f http://127.0.0.1:8000/health
"""
NOTED_CI = """
    name: CI
    on:
      push:
        branches: [main]
      pull_request:
        branches: [main]
    jobs:
      test:
        runs-on: ubuntu-latest
        steps:
        - uses: actions/checkout@v4
        - run: pytest
        - name: Build images
          run: docker compose build
        - name: Usage
          run: echo "then curl http://localhost:8000/health"
"""
UNIT = """
    def test_one():
        assert 1 + 1 == 2
"""


def test_a_ci_job_requesting_the_services_it_started_tests_them_end_to_end(tmp_path):
    write(tmp_path, {".github/workflows/ci.yml": COMPOSE_CI, "tests/test_one.py": UNIT})
    assert checks(tmp_path)["quality.integration-tests"].outcome is Outcome.PASS


def test_a_ci_job_only_printing_a_local_url_tests_no_service(tmp_path):
    # near miss: the images are built, nothing is started, the request is only printed
    write(tmp_path, {".github/workflows/ci.yml": NOTED_CI, "tests/test_one.py": UNIT})
    assert checks(tmp_path)["quality.integration-tests"].outcome is Outcome.FAIL

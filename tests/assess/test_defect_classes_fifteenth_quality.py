"""Defect classes read from the fifteenth held-out batch's quality misses once it joined the
calibration part: a test requesting a service's `/drift` route read as a test of drift detection
although the route's handler only returns a gauge's value against a threshold (the detector is a
separate script that no test runs); a test of synthetic data generated with drift read as a test
of drift detection because a method is called on a frame named `synthetic_drift`.
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

"""Defect classes read from the fourteenth held-out batch's quality misses once it joined the
calibration part: a drift test that requests the service's drift-report route (whose handler
computes the drift report) read as no test of drift detection.
Each test fails on the code before the fix; each reads a shape of a stack, not one repository's
files, and the near misses beside them pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

API = """
    import pandas as pd
    from evidently.metric_preset import DataDriftPreset
    from evidently.report import Report
    from fastapi import FastAPI
    from fastapi.responses import HTMLResponse

    app = FastAPI()


    @app.get("/monitor-data")
    def monitor_data_drift(window_size: int = 300) -> HTMLResponse:
        report = Report(metrics=[DataDriftPreset()])
        report.run(reference_data=pd.read_csv("ref.csv"), current_data=pd.read_csv("cur.csv"))
        return HTMLResponse(report.get_html())


    @app.get("/version")
    def version() -> dict:
        return {"version": "1"}
"""
TEST = """
    import requests


    def test_data_drift_report_endpoint() -> None:
        window_size = 300
        response = requests.get(
            f"http://prod:8000{route}?window_size={{window_size}}", timeout=100
        )
        assert response.status_code == 200
        assert "text/html" in response.headers["content-type"]
"""


def test_a_drift_test_requesting_the_drift_report_route(tmp_path):
    write(
        tmp_path, {"src/api/main.py": API, "tests/test_api.py": TEST.format(route="/monitor-data")}
    )
    assert checks(tmp_path)["quality.drift-tests"].outcome is Outcome.PASS


def test_a_drift_named_test_requesting_another_route(tmp_path):
    # near miss: the test is named for drift but requests the version route, which detects none
    write(tmp_path, {"src/api/main.py": API, "tests/test_api.py": TEST.format(route="/version")})
    assert checks(tmp_path)["quality.drift-tests"].outcome is Outcome.FAIL

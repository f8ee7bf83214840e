"""Defect class read from the calibration part's too-low monitoring cells (eighteenth round):
alert rules on the requests a project's model server answers (their latency histogram, their
error rate: `rate(ab_test_requests_total{status="error"}[5m])`) were read as the serving side
watched only for the model servers' own metric names (KServe, Seldon, Triton...). In a project
that serves a model, an alert over request latency or error counters watches that serving.
The test fails on the code before the fix; the near miss beside it (the same rules in a project
that serves no model) passes on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

RULES = """
    groups:
      - name: serving
        rules:
          - alert: HighResponseTime
            expr: histogram_quantile(0.95, rate(ab_test_response_time_seconds_bucket[5m])) > 0.2
            for: 5m
          - alert: HighErrorRate
            expr: rate(ab_test_requests_total{status="error"}[5m]) / rate(ab_test_requests_total[5m]) > 0.05
            for: 5m
"""
APP = """
    import pickle
    from fastapi import FastAPI

    app = FastAPI()
    model = pickle.load(open("model.pkl", "rb"))


    @app.post("/predict")
    def predict(x: float):
        return {"prediction": model.predict([[x]]).tolist()}
"""


def _serving(tmp_path, files: dict[str, str]) -> Outcome:
    write(tmp_path, {"monitoring/alert-rules.yaml": RULES, **files})
    return checks(tmp_path)["monitoring.serving-metrics"].outcome


def test_alerts_on_the_model_servers_request_latency_and_errors(tmp_path):
    assert _serving(tmp_path, {"app/main.py": APP}) is Outcome.PASS


def test_the_same_alerts_in_a_project_serving_no_model_do_not(tmp_path):
    # near miss: nothing loads or serves a model; the requests are some other service's
    assert _serving(tmp_path, {"jobs/report.py": "print('report')\n"}) is Outcome.FAIL

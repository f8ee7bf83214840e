"""Defect classes read from the twelfth held-out batch's misses once it joined the calibration
part, the under-scores: a /metrics route registered with `add_api_route` not read as a route
(the over-scores are in test_defect_classes_twelfth.py).
Each test fails on the code before the fix; each reads a shape of a stack, not one repository's
files, and the near misses beside them pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

INSTRUMENTATION = """
    from prometheus_client import CONTENT_TYPE_LATEST, Counter, generate_latest
    from starlette.responses import Response

    REQUESTS = Counter("http_requests_total", "requests", ["path"])

    async def metrics_endpoint():
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
"""
MAIN = """
    import joblib
    from fastapi import FastAPI
    from app.instrumentation import metrics_endpoint

    app = FastAPI()
    model = joblib.load("model.joblib")
    %s

    @app.post("/v1/predict")
    def predict(features: list[float]):
        return {"score": float(model.predict([features])[0])}
"""


def test_a_metrics_route_added_with_add_api_route_monitors_the_service(tmp_path):
    # the app registers the Prometheus handler as its /metrics route without a decorator
    route = 'app.add_api_route("/metrics", metrics_endpoint, methods=["GET"])'
    write(
        tmp_path,
        {
            "requirements.txt": "fastapi\nprometheus-client\n",
            "app/instrumentation.py": INSTRUMENTATION,
            "app/main.py": MAIN % route,
        },
    )
    assert checks(tmp_path)["monitoring.serving-metrics"].outcome is Outcome.PASS


def test_a_metrics_handler_no_route_serves_monitors_nothing(tmp_path):
    # near miss: the handler is imported but never made a route of the app
    write(
        tmp_path,
        {
            "requirements.txt": "fastapi\nprometheus-client\n",
            "app/instrumentation.py": INSTRUMENTATION,
            "app/main.py": MAIN % "",
        },
    )
    assert checks(tmp_path)["monitoring.serving-metrics"].outcome is Outcome.FAIL

"""A defect class read from the calibration part's too-low quality cells once the nineteenth
batch joined it: a test sending requests to the project's Flask app through `app.test_client()`
tests the service's API in-process, as FastAPI's `TestClient` does, yet only FastAPI's and
Starlette's clients counted as API tests. The test fails on the code before the fix; the near
miss (a test file building its own Flask app, which tests that app, not the service) passes on
both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

APP = """
    from flask import Flask, request

    app = Flask(__name__)


    @app.route("/predict", methods=["POST"])
    def predict():
        return {"class": "setosa"}
"""
SERVICE_TEST = """
    from app import app


    def test_flask_predict():
        with app.test_client() as client:
            response = client.post("/predict", data={"sepal_length": 5.1})
            assert response.status_code == 200
"""
OWN_APP_TEST = """
    from flask import Flask


    def test_a_bare_app_answers():
        app = Flask(__name__)
        with app.test_client() as client:
            assert client.get("/").status_code == 404
"""


def test_a_flask_test_client_of_the_project_app_is_an_api_test(tmp_path):
    write(tmp_path, {"app.py": APP, "tests/test_model.py": SERVICE_TEST})
    result = checks(tmp_path)["quality.integration-tests"]
    assert result.outcome is Outcome.PASS
    assert result.evidence == ["tests/test_model.py:5"]


def test_a_flask_test_client_of_an_app_the_test_builds_tests_no_service(tmp_path):
    # near miss: the test builds its own app
    write(tmp_path, {"app.py": APP, "tests/test_bare.py": OWN_APP_TEST})
    assert checks(tmp_path)["quality.integration-tests"].outcome is Outcome.FAIL

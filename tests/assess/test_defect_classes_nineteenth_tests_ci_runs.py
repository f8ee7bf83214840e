"""Defect class read from the quality over-scores of the calibration part (kkbox-churn-fastapi-
hf-spaces, fraud-automl-platform-ab-flux-k3s): CI runs pytest on the suites it names
(`pytest tests/test_temporal_safety.py tests/test_new_modules.py`, `pytest tests/` in the
job's `backend` working directory), and the API tests live in a folder it never names
(`tests/api_tests/`, `backend/test_fastapi_client.py`): they exist but test nothing on a
change, so they are no integration tests of the service.
The tests fail on the code before the fix; the near misses (pytest on its defaults, a folder
CI names, a test beside a file CI names) pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from scaffolder.assess.parse_ci_tests import pytest_targets
from tests.assess.repos import checks, write

WORKFLOW = """
name: ci
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    defaults:
      run:
        working-directory: FOLDER
    steps:
      - uses: actions/checkout@v4
      - run: pip install -r requirements.txt
      - name: Run tests
        run: COMMAND
"""

UNIT = "def test_mean():\n    assert sum([1, 2]) / 2 == 1.5\n"
API = """
from fastapi.testclient import TestClient
from app.main import app

client = TestClient(app)


def test_predict():
    assert client.post("/predict", json={"x": 1}).status_code == 200
"""
APP = """
from fastapi import FastAPI

app = FastAPI()


@app.post("/predict")
def predict(x: dict):
    return {"y": 1}
"""


def _integration(tmp_path, command: str, api_test: str, folder: str = ".") -> Outcome:
    write(
        tmp_path,
        {
            "README.md": "# churn\n",
            "requirements.txt": "fastapi\npytest\n",
            "app/__init__.py": "",
            "app/main.py": APP,
            "tests/test_features.py": UNIT,
            "tests/test_model.py": UNIT,
            api_test: API,
            ".github/workflows/ci.yml": WORKFLOW.replace("COMMAND", command).replace(
                "FOLDER", folder
            ),
        },
    )
    return checks(tmp_path)["quality.integration-tests"].outcome


def test_api_tests_in_a_folder_ci_never_names_are_not_run(tmp_path):
    command = "python -m pytest tests/test_features.py tests/test_model.py -v --tb=short"
    assert _integration(tmp_path, command, "tests/api_tests/test_endpoints.py") is Outcome.FAIL


def test_a_client_test_outside_the_folder_the_job_runs_is_not_run(tmp_path):
    # `pytest tests/` in the job's working directory runs backend/tests, not backend/
    assert (
        _integration(tmp_path, "pytest tests/ -v", "backend/test_client.py", folder="backend")
        is Outcome.FAIL
    )


def test_pytest_on_its_defaults_runs_the_api_tests(tmp_path):
    # near miss: pytest names no suite, so it collects every test
    assert _integration(tmp_path, "pytest -v", "tests/api_tests/test_endpoints.py") is Outcome.PASS


def test_a_named_folder_holds_the_api_tests(tmp_path):
    # near miss: CI names the folder the API tests are in
    assert (
        _integration(tmp_path, "pytest tests/ --cov src", "tests/api_tests/test_endpoints.py")
        is Outcome.PASS
    )


def test_an_api_test_beside_a_named_file_belongs_to_that_suite(tmp_path):
    # near miss: CI names one file of tests/; the API test sits beside it in the same suite
    command = "pytest tests/test_features.py --maxfail=3"
    assert _integration(tmp_path, command, "tests/test_api.py") is Outcome.PASS


def test_pytest_targets_reads_paths_not_option_values():
    assert pytest_targets('pytest -k "not slow" --cov src tests/unit') == ["tests/unit"]
    assert pytest_targets("python -m pytest tests/a.py::test_x", "backend") == [
        "backend/tests/a.py"
    ]
    assert pytest_targets("cd backend && pytest tests/") is None  # where it runs is unknown
    assert pytest_targets("pytest $TESTS") is None
    assert pytest_targets("pytest .") is None
    assert pytest_targets("pytest tests/unit\npytest") is None  # the second runs them all

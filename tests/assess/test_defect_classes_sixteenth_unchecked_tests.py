"""Defect class read from the sixteenth batch's quality misses once it joined the calibration
part: a CI step whose test failures are swallowed (`pytest tests/ || true`, `pytest || echo
"No tests found"`, a step or job with `continue-on-error: true`, a GitLab job with
`allow_failure: true`, `python test_integration.py || true`) read as CI running the tests, or
as an integration-test step, although a failing test never fails the build.
Each test fails on the code before the fix; the near misses beside them (a test step that can
fail, `|| true` on a command that is not a test) pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

TESTS = {
    "src/model.py": "def train(x):\n    return sum(x)\n",
    "tests/test_model.py": "from src.model import train\n\n\ndef test_train():\n"
    "    assert train([1, 2]) == 3\n",
}


def _workflow(steps: str, job: str = "") -> str:
    return (
        "name: ci\n"
        "on: [push, pull_request]\n"
        "jobs:\n"
        "  test:\n"
        "    runs-on: ubuntu-latest\n"
        f"{job}"
        "    steps:\n"
        "      - uses: actions/checkout@v4\n"
        "      - run: pip install -r requirements.txt\n"
        f"{steps}"
    )


def _ci_tests(tmp_path, workflow: str) -> Outcome:
    write(tmp_path, {**TESTS, ".github/workflows/ci.yml": workflow})
    return checks(tmp_path)["quality.ci-tests"].outcome


def test_pytest_or_true_runs_no_test_that_can_fail(tmp_path):
    steps = "      - name: Run tests\n        run: pytest tests/ -v --timeout=120 || true\n"
    assert _ci_tests(tmp_path, _workflow(steps)) is Outcome.FAIL


def test_pytest_or_echo_runs_no_test_that_can_fail(tmp_path):
    steps = '      - run: |\n          pytest tests/ -v || echo "No tests found — skipping"\n'
    assert _ci_tests(tmp_path, _workflow(steps)) is Outcome.FAIL


def test_a_step_that_continues_on_error_runs_no_test_that_can_fail(tmp_path):
    steps = "      - run: pytest tests/ --cov=.\n        continue-on-error: true\n"
    assert _ci_tests(tmp_path, _workflow(steps)) is Outcome.FAIL


def test_a_job_that_continues_on_error_runs_no_test_that_can_fail(tmp_path):
    steps = "      - run: pytest tests/\n"
    assert _ci_tests(tmp_path, _workflow(steps, "    continue-on-error: true\n")) is Outcome.FAIL


def test_a_gitlab_job_allowed_to_fail_runs_no_test_that_can_fail(tmp_path):
    gitlab = "test:\n  script:\n    - pytest tests/\n  allow_failure: true\n"
    write(tmp_path, {**TESTS, ".gitlab-ci.yml": gitlab})
    assert checks(tmp_path)["quality.ci-tests"].outcome is Outcome.FAIL


def test_an_integration_script_run_with_continue_on_error_is_no_integration_step(tmp_path):
    script = {
        "run_integration.py": "import subprocess\n\n\ndef main():\n"
        "    subprocess.run(['pytest', 'tests/'])\n"
    }
    steps = (
        "      - run: pytest tests/\n"
        "      - name: Integration tests\n"
        "        run: python run_integration.py\n"
        "        continue-on-error: true\n"
    )
    write(tmp_path, {**TESTS, **script, ".github/workflows/ci.yml": _workflow(steps)})
    result = checks(tmp_path)
    assert result["quality.ci-tests"].outcome is Outcome.PASS
    assert result["quality.integration-tests"].outcome is Outcome.FAIL


def test_a_test_step_that_can_fail_still_counts(tmp_path):
    # near miss: `|| true` on the coverage upload, the tests themselves fail the build
    steps = "      - run: |\n          pytest tests/ --cov=.\n          codecov || true\n"
    assert _ci_tests(tmp_path, _workflow(steps)) is Outcome.PASS


def test_continue_on_error_on_another_step_still_counts(tmp_path):
    # near miss: the lint step may fail, the test step may not
    steps = (
        "      - run: flake8 .\n        continue-on-error: true\n"
        "      - run: python -m pytest tests/\n"
    )
    assert _ci_tests(tmp_path, _workflow(steps)) is Outcome.PASS


def test_a_smoke_test_step_that_can_fail_still_counts(tmp_path):
    # near miss: an integration step with `|| true` only on its clean-up
    steps = (
        "      - run: pytest tests/\n"
        "      - name: Integration tests\n"
        "        run: |\n          pytest tests/ -m integration\n          docker rm -f api || true\n"
    )
    write(tmp_path, {**TESTS, ".github/workflows/ci.yml": _workflow(steps)})
    assert checks(tmp_path)["quality.integration-tests"].outcome is Outcome.PASS

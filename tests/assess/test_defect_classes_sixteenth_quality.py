"""Defect class read from the sixteenth batch's quality misses once it joined the calibration
part: a test named for drift that calls the project's drift code but checks nothing of it (it
prints the PSI and returns True, catching every exception; a "performance test" returning a dict
with `status: simulated`) read as drift detection tested, though it passes whatever the drift
code computes.
Each test fails on the code before the fix; the near misses beside them (a drift test with an
`assert`, a unittest `self.assert*`, a `pytest.raises`) pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

PSI = """
    import numpy as np


    def psi_numeric(expected, actual, bins=10):
        edges = np.histogram_bin_edges(expected, bins=bins)
        e, _ = np.histogram(expected, edges)
        a, _ = np.histogram(actual, edges)
        e, a = e / e.sum() + 1e-6, a / a.sum() + 1e-6
        return float(np.sum((a - e) * np.log(a / e)))
"""


def _drift_test(tmp_path, body: str) -> Outcome:
    test = "import numpy as np\n\nfrom src.psi import psi_numeric\n\n\n" + body
    write(tmp_path, {"src/psi.py": PSI, "tests/test_psi.py": test})
    return checks(tmp_path)["quality.drift-tests"].outcome


def test_a_drift_test_that_swallows_every_error_and_checks_nothing_fails(tmp_path):
    body = (
        "def test_psi():\n"
        "    try:\n"
        "        a = np.random.normal(0, 1, 1000)\n"
        "        b = np.random.normal(0.1, 1.2, 1000)\n"
        "        print(psi_numeric(a, b, bins=10))\n"
        "        return True\n"
        "    except Exception as e:\n"
        "        print(f'PSI test failed: {e}')\n"
        "        return False\n"
    )
    assert _drift_test(tmp_path, body) is Outcome.FAIL


def test_a_drift_test_returning_a_simulated_result_fails(tmp_path):
    body = (
        "def test_data_drift_monitoring():\n"
        "    value = psi_numeric(np.zeros(10), np.ones(10))\n"
        "    return {'test_name': 'Data Drift Monitoring', 'psi': value, 'status': 'simulated'}\n"
    )
    assert _drift_test(tmp_path, body) is Outcome.FAIL


def test_a_drift_test_with_an_assert_still_counts(tmp_path):
    # near miss: the same call, its result asserted
    body = (
        "def test_psi():\n"
        "    a = np.random.normal(0, 1, 1000)\n"
        "    assert psi_numeric(a, a + 1.0) > 0.2\n"
    )
    assert _drift_test(tmp_path, body) is Outcome.PASS


def test_a_unittest_drift_test_asserting_with_self_still_counts(tmp_path):
    # near miss: unittest's assertion methods check too
    body = (
        "import unittest\n\n\n"
        "class TestDrift(unittest.TestCase):\n"
        "    def test_psi_detects_shift(self):\n"
        "        self.assertGreater(psi_numeric(np.zeros(50), np.ones(50)), 0.2)\n"
    )
    assert _drift_test(tmp_path, body) is Outcome.PASS


def test_a_drift_test_expecting_an_error_still_counts(tmp_path):
    # near miss: `pytest.raises` checks the drift code raises
    body = (
        "import pytest\n\n\n"
        "def test_psi_rejects_empty():\n"
        "    with pytest.raises(ValueError):\n"
        "        psi_numeric(np.array([]), np.array([]))\n"
    )
    assert _drift_test(tmp_path, body) is Outcome.PASS

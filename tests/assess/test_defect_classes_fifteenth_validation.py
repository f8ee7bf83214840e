"""Defect classes read from the fifteenth held-out batch's misses once it joined the
calibration part, in validation: an Evidently TestSuite made only of drift tests read as a
check of the input data.
Each test fails on the code before the fix; each reads a shape of a stack, not one repository's
files, and the near misses beside them pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

SUITE = """
    from evidently.test_suite import TestSuite
    from evidently.tests import {imports}


    def run_suite(reference, current):
        suite = TestSuite(tests=[{tests}])
        suite.run(reference_data=reference, current_data=current)
        return suite.as_dict()
"""


def _suite(*tests: str) -> str:
    return SUITE.format(imports=", ".join(t.split("(")[0] for t in tests), tests=", ".join(tests))


def test_a_drift_only_suite_does_not_validate_input_data(tmp_path):
    code = _suite("TestNumberOfDriftedColumns(lt=3)", "TestShareOfDriftedColumns(lt=0.3)")
    write(tmp_path, {"monitoring/check_drift.py": code})
    assert checks(tmp_path)["validation.data-checks"].outcome is Outcome.FAIL


def test_a_suite_with_data_tests_still_validates(tmp_path):
    # near miss: missing values and column types tested beside drift
    code = _suite("TestShareOfMissingValues(lt=0.1)", "TestShareOfDriftedColumns(lt=0.3)")
    write(tmp_path, {"monitoring/check_data.py": code})
    assert checks(tmp_path)["validation.data-checks"].outcome is Outcome.PASS


def test_a_preset_suite_still_validates(tmp_path):
    # near miss: a data-quality preset, not a drift test
    code = _suite("DataQualityTestPreset()")
    write(tmp_path, {"monitoring/check_data.py": code})
    assert checks(tmp_path)["validation.data-checks"].outcome is Outcome.PASS

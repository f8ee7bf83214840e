"""Defect class read from the calibration part's too-low monitoring cells (nineteenth round): the
modules a relative import names (`from ..monitoring import audit, drift`) were not read as
modules the file imports, only their package (`monitoring/__init__.py`): what the serving app
reaches through them (a PSI drift function behind its `/monitor/drift` route) was out of sight,
though `from . import loader` and `from pkg import registry` were read so. The test fails on the
code before the fix; the near miss beside it (the app importing only the audit module, the drift
module reached by nothing) passes on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

DRIFT = """
    import numpy as np


    def compute_psi(expected, actual, bins=10):
        edges = np.histogram_bin_edges(expected, bins=bins)
        e, _ = np.histogram(expected, edges)
        a, _ = np.histogram(actual, edges)
        e, a = e / e.sum() + 1e-6, a / a.sum() + 1e-6
        return float(np.sum((a - e) * np.log(a / e)))
"""
AUDIT = """
    import json


    def record(event):
        with open("audit.jsonl", "a") as handle:
            handle.write(json.dumps(event) + "\\n")
"""


def _app(imported: str) -> str:
    return f"""
    import joblib
    from fastapi import FastAPI

    from ..monitoring import {imported}

    app = FastAPI()
    model = joblib.load("models/model.joblib")


    @app.post("/predict")
    def predict(features: list[float]):
        return {{"score": float(model.predict([features])[0])}}


    @app.post("/monitor/drift")
    def monitor_drift(reference: list[float], current: list[float]):
        return {{"psi": {imported}.compute_psi(reference, current)}}
"""


def _metrics(tmp_path, imported: str) -> Outcome:
    write(
        tmp_path,
        {
            "src/credit/__init__.py": "",
            "src/credit/monitoring/__init__.py": "",
            "src/credit/monitoring/drift.py": DRIFT,
            "src/credit/monitoring/audit.py": AUDIT,
            "src/credit/serving/__init__.py": "",
            "src/credit/serving/app.py": _app(imported),
            "requirements.txt": "fastapi\nscikit-learn\njoblib\n",
        },
    )
    return checks(tmp_path)["monitoring.pipeline-metrics"].outcome


def test_a_drift_module_named_by_a_relative_import_is_reached(tmp_path):
    assert _metrics(tmp_path, "audit, drift") is Outcome.PASS


def test_a_drift_module_nothing_imports_is_not(tmp_path):
    # near miss: the app imports the audit module only
    assert _metrics(tmp_path, "audit") is Outcome.FAIL

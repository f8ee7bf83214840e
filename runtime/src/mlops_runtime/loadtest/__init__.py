"""Load tests of the serving app against its SLO (`config/slo.yaml`): `make load-test`, and CD
against staging before the approval.

`python -m mlops_runtime.loadtest --url URL | --app module:attr` offers POST /predict traffic on
an open-loop schedule, writes `load_test.json` and `load_test.md` (p50/p95/p99, error rate,
achieved requests per second, pass or fail per objective) and exits 1 when an objective is
missed. Python's standard library (and PyYAML for the SLO file) only: see docs/runtime.md for
why it is not Locust.
"""

from __future__ import annotations

from .cli import main
from .objectives import SLO, LoadPlan, Objectives, SLOError, Verdict, judge, load_slo, parse_slo
from .report import write_report
from .runner import Measurement, TargetError, run_load

__all__ = [
    "SLO",
    "LoadPlan",
    "Measurement",
    "Objectives",
    "SLOError",
    "TargetError",
    "Verdict",
    "judge",
    "load_slo",
    "main",
    "parse_slo",
    "run_load",
    "write_report",
]

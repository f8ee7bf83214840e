"""Defect class read from the calibration part's too-low deployment cells (nineteenth round): a
serving API answering with the model's output under its task's name (`POST /recommendations`,
`/classify`, `/forecast`) was not read as a route that predicts by deployment's rules, though
monitoring's rules read it so: a recommender's FastAPI service loading its models through the
project's own trainer classes was neither prediction code nor a serving API. One vocabulary
(checks.base.PREDICT_ROUTE) now serves both. The test fails on the code before the fix; the
near miss beside it (an API whose routes only record events) passes on both."""

from __future__ import annotations

import pytest

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write


def _app(route: str) -> str:
    return f"""
    from fastapi import FastAPI

    from src.model.als_trainer import ALSTrainer

    app = FastAPI()
    trainer = ALSTrainer()
    trainer.load_model("models/als")


    @app.post("{route}")
    def answer(user_id: int):
        return {{"items": trainer.recommend(user_id, k=10)}}
"""


def _serving(tmp_path, route: str) -> tuple[Outcome, Outcome]:
    write(
        tmp_path,
        {
            "src/prediction/app.py": _app(route),
            "src/model/als_trainer.py": "class ALSTrainer:\n    pass\n",
            "requirements.txt": "fastapi\nimplicit\nscikit-learn\n",
        },
    )
    result = checks(tmp_path)
    return result["deployment.predict-script"].outcome, result["deployment.serving-api"].outcome


@pytest.mark.parametrize("route", ["/recommendations", "/classify", "/forecast"])
def test_a_route_named_for_the_model_s_task_predicts(tmp_path, route):
    assert _serving(tmp_path, route) == (Outcome.PASS, Outcome.PASS)


def test_a_route_recording_events_does_not(tmp_path):
    # near miss: the API only records events
    assert _serving(tmp_path, "/events") == (Outcome.FAIL, Outcome.FAIL)

"""The local walkthrough and its traffic simulator (`make walkthrough`, `make traffic`):

    python -m <package>.walkthrough run|reset|traffic --help

The driver and the simulator are the platform's (`mlops_runtime.walkthrough`); what is yours is
here: what shifted traffic looks like for this model (`SHIFT`, kept inside the data contract)
and how the serving app scores (the simulator's clock scores past days with it).
"""

from __future__ import annotations

import sys
from typing import Any

from mlops_runtime.walkthrough.cli import main
from mlops_runtime.walkthrough.simulator import Scenario

from .platform import PROJECT

# Shifted traffic: these columns move by these amounts (the drift the walkthrough shows).
SHIFT = {"monthly_charges": 45.0}


def score(model: Any, frame: Any) -> tuple[list[float], list[int]]:
    """The serving app's scoring (imported when used: the app module builds the app)."""
    from .serving.app import score as serving_score

    return serving_score(model, frame)


SCENARIO = Scenario(app=f"{PROJECT.package}.serving.app:app", shift=SHIFT, score=score)

if __name__ == "__main__":
    sys.exit(main(PROJECT, SCENARIO))

"""Defect classes read from the fifteenth held-out batch's misses once it joined the
calibration part, in reproducibility: a docker-compose.dev.yml overlay beside the base compose
file read as two environments (dev and local) though both are the developer's machine.
Each test fails on the code before the fix; each reads a shape of a stack, not one repository's
files, and the near misses beside them pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

BASE = "services:\n  api:\n    build: .\n    ports: ['8000:8000']\n"
OVERLAY = (
    "services:\n  api:\n    volumes: ['./src:/app/src']\n    command: uvicorn app:app --reload\n"
)


def test_dev_compose_overlay_is_not_a_second_environment(tmp_path):
    write(tmp_path, {"docker/docker-compose.yml": BASE, "docker/docker-compose.dev.yml": OVERLAY})
    assert checks(tmp_path)["repro.environments"].outcome is Outcome.FAIL


def test_prod_compose_beside_the_base_file_still_counts(tmp_path):
    # near miss: the base file is the local environment, the prod file a second one
    write(tmp_path, {"docker-compose.yml": BASE, "docker-compose.prod.yml": OVERLAY})
    assert checks(tmp_path)["repro.environments"].outcome is Outcome.PASS


def test_dev_and_prod_overlays_still_count(tmp_path):
    # near miss: a dev overlay and a prod overlay are two environments
    write(
        tmp_path,
        {
            "docker-compose.yml": BASE,
            "docker-compose.dev.yml": OVERLAY,
            "docker-compose.prod.yml": OVERLAY,
        },
    )
    assert checks(tmp_path)["repro.environments"].outcome is Outcome.PASS

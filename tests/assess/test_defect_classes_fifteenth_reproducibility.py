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


SCHEMA = """
columns:
  - id: int
  - Gender: category
  - Age: int
numerical_columns: [Age]
categorical_columns: [Gender]
drop_columns: _id
num_features: [Age]
"""


def test_a_schema_listing_columns_is_no_parameter_file(tmp_path):
    write(tmp_path, {"config/schema.yaml": SCHEMA, "train.py": "print('train')\n"})
    assert checks(tmp_path)["repro.config-file"].outcome is Outcome.FAIL


def test_a_parameter_file_naming_its_features_still_counts(tmp_path):
    # near miss: the columns beside the run's settings make it a parameter file
    params = SCHEMA + "model:\n  n_estimators: 200\n  max_depth: 8\n"
    write(tmp_path, {"config/params.yaml": params, "train.py": "print('train')\n"})
    assert checks(tmp_path)["repro.config-file"].outcome is Outcome.PASS


def test_features_as_settings_still_count(tmp_path):
    # near miss: a `features:` section holding settings, not column names
    write(tmp_path, {"config/features.yaml": "features:\n  window: 7\n  lags: 3\n"})
    assert checks(tmp_path)["repro.config-file"].outcome is Outcome.PASS

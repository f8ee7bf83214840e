"""Issue 25: the adopted project's serving image installs the team's requirements. No Docker
daemon here, so the image's install is run as the image runs it: Dockerfile.serving's RUN line
by /bin/sh, in a copy of the build context (.dockerignore's allow-list), with the python and
pip of a venv layered over the shared e2e venv (conftest.layered_venv). The project
gets installed (not editable) beside the team's requirements, and the serving app imports
from the installed package."""

from __future__ import annotations

import os
import re

import pytest

from scaffolder.upgrade.adopt import adopt
from tests.upgrade.team_projects import ccds_project
from tests.upgrade.test_adopt_setup import IMAGE_INSTALL, build_context

from .conftest import layered_venv, run

pytestmark = pytest.mark.e2e


def test_the_serving_image_install_runs_and_installs_the_team_requirements(tmp_path, venv):
    repo = ccds_project(tmp_path)
    adopt(repo, 2, {"orchestrator": "airflow"}, defaults=True, interactive=False)
    dockerfile = (repo / "Dockerfile.serving").read_text()
    assert IMAGE_INSTALL in dockerfile
    app = tmp_path / "app"  # WORKDIR /app after `COPY . ./`
    build_context(repo, app)
    image = layered_venv(venv, tmp_path / "image-venv")
    setup = tmp_path / "setup"
    command = IMAGE_INSTALL.removeprefix("RUN ").replace("/tmp/setup", str(setup))
    env = {"PATH": f"{image / 'bin'}{os.pathsep}/usr/bin:/bin", "PIP_CONSTRAINT": ""}
    done = run(["/bin/sh", "-c", command], app, env)
    assert done.stdout.startswith("setup: your requirements: 7 packages")
    # requirements.txt, given to pip: installed now, or already there (the shared e2e venv
    # under the layered one has them once the ccds adoption test has run its make setup)
    for team in ("loguru", "python-dotenv", "tqdm", "typer"):
        assert re.search(
            rf"^(Requirement already satisfied: {team} |Collecting {team}\b)", done.stdout, re.M
        ), done.stdout
    assert not setup.exists()
    # The package is installed into the image's environment, not found through the context.
    shown = run([image / "bin/python", "-c", "import bike_demand, bike_demand.mlops.serving, "
                 "loguru; print(bike_demand.__file__)"], tmp_path, env)  # fmt: skip
    assert shown.stdout.strip().startswith(str(image / "lib"))
    cmd = dockerfile.rsplit("CMD ", 1)[1]
    assert cmd.startswith('["uvicorn", "bike_demand.mlops.serving:app"')

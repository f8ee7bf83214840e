"""Defect class read from the deployment misses of the seventeenth batch once it joined the
calibration part: a Dockerfile whose command starts a module the repository does not hold
(`uvicorn deployment.app:app` beside an empty `deployment/api/main.py`) read as the serving
running in a container. A plain base image runs only what the Dockerfile copies in, so an image
whose command names a missing or empty file of the project runs nothing of it.
The tests fail on the code before the fix; the near misses (the module present, copied to an
absolute folder of the image, a base image bringing its own app, a script run while building)
pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

DOCKERFILE = """
    FROM python:3.9-slim
    WORKDIR /app
    COPY requirements.txt .
    RUN pip install --no-cache-dir -r requirements.txt
    COPY . .
    CMD ["uvicorn", "deployment.app:app", "--host", "0.0.0.0", "--port", "8000"]
"""
APP = """
    from fastapi import FastAPI

    app = FastAPI()
"""


def _image(tmp_path, files: dict[str, str]) -> Outcome:
    write(tmp_path, {"requirements.txt": "fastapi==0.110.0\n", **files})
    return checks(tmp_path)["deployment.training-image"].outcome


def test_an_image_starting_a_missing_module_runs_nothing(tmp_path):
    files = {"deployment/Dockerfile": DOCKERFILE, "deployment/api/main.py": ""}
    assert _image(tmp_path, files) is Outcome.FAIL


def test_an_image_starting_an_empty_script_runs_nothing(tmp_path):
    dockerfile = DOCKERFILE.replace(
        '["uvicorn", "deployment.app:app", "--host", "0.0.0.0", "--port", "8000"]',
        '["python", "serve.py"]',
    )
    assert _image(tmp_path, {"Dockerfile": dockerfile, "src/serve.py": "\n"}) is Outcome.FAIL


def test_an_image_starting_the_projects_module_still_counts(tmp_path):
    # near miss: the module is there
    files = {"deployment/Dockerfile": DOCKERFILE, "deployment/app.py": APP}
    assert _image(tmp_path, files) is Outcome.PASS


def test_a_script_copied_to_an_absolute_folder_still_counts(tmp_path):
    # near miss: `COPY src/ /opt/program/` then `python /opt/program/train.py`
    dockerfile = (
        'FROM python:3.11-slim\nCOPY src/ /opt/program/\nCMD ["python", "/opt/program/train.py"]\n'
    )
    files = {"Dockerfile": dockerfile, "src/train.py": "print('train')\n"}
    assert _image(tmp_path, files) is Outcome.PASS


def test_a_base_image_bringing_its_own_app_still_counts(tmp_path):
    # near miss: tiangolo's image holds /app/main.py itself
    dockerfile = DOCKERFILE.replace("python:3.9-slim", "tiangolo/uvicorn-gunicorn-fastapi:latest")
    assert _image(tmp_path, {"Dockerfile": dockerfile}) is Outcome.PASS


def test_an_image_training_while_it_builds_still_counts(tmp_path):
    # near miss: `RUN python train.py` runs the project's code in the image
    dockerfile = DOCKERFILE.replace("COPY . .", "COPY . .\nRUN python train.py")
    files = {"Dockerfile": dockerfile, "train.py": "print('train')\n"}
    assert _image(tmp_path, files) is Outcome.PASS


def test_an_installed_packages_module_still_counts(tmp_path):
    # near miss: `python -m uvicorn` and a module of a package the image installs, not the
    # repository's (no folder of that name here)
    for number, runs in enumerate(
        ['["python", "-m", "uvicorn", "app:app"]', "python -m bentoml.serve"]
    ):
        dockerfile = DOCKERFILE.replace(
            '["uvicorn", "deployment.app:app", "--host", "0.0.0.0", "--port", "8000"]', runs
        )
        files = {"Dockerfile": dockerfile, "app.py": APP}
        assert _image(tmp_path / str(number), files) is Outcome.PASS

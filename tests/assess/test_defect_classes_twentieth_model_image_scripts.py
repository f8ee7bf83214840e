"""Defect class read from the calibration part's too-low deployment cells (twentieth round): a
project script that builds the model's serving image (`bentoml containerize` in a shell script
or run through subprocess by the project's code) for the project's BentoML service was not read
as a container the service runs in. The same command in CI or a Makefile already was (parse_ci,
parse_text: a `container.image` fact); a project script is now read alike
(deployment_targets.scripted_model_images). The test fails on the code before the fix; the
near misses beside it (the command kept as a remark, the command in a project with no BentoML
service to containerize) score no container on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

SERVICE = """
    import bentoml
    import numpy as np

    runner = bentoml.sklearn.get("admissions:latest").to_runner()
    svc = bentoml.Service("admissions", runners=[runner])


    @svc.api(input=bentoml.io.NumpyNdarray(), output=bentoml.io.NumpyNdarray())
    def predict(features: np.ndarray) -> np.ndarray:
        return runner.predict.run(features)
"""
TRAIN = """
    import joblib
    from sklearn.linear_model import LinearRegression


    def main(x, y):
        model = LinearRegression().fit(x, y)
        joblib.dump(model, "model.pkl")
"""
BUILD = """
    #!/bin/sh
    bentoml build --version 1.0.0
    {prefix}bentoml containerize admissions:latest --image-tag admissions:1.0.0
"""


def _image(tmp_path, files: dict[str, str]) -> Outcome:
    write(tmp_path, files)
    return checks(tmp_path)["deployment.training-image"].outcome


def test_a_script_containerizing_the_bento_runs_the_service_in_a_container(tmp_path):
    files = {"src/service.py": SERVICE, "build.sh": BUILD.replace("{prefix}", "")}
    assert _image(tmp_path, files) is Outcome.PASS


def test_near_miss_the_command_kept_as_a_remark(tmp_path):
    files = {"src/service.py": SERVICE, "build.sh": BUILD.replace("{prefix}", "rem ")}
    assert _image(tmp_path, files) is not Outcome.PASS


def test_near_miss_no_bentoml_service_to_containerize(tmp_path):
    files = {"src/train.py": TRAIN, "build.sh": BUILD.replace("{prefix}", "")}
    assert _image(tmp_path, files) is not Outcome.PASS

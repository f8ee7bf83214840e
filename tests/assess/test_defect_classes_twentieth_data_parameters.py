"""A defect class read from the calibration part's too-low reproducibility cells once the
nineteenth batch joined it: parameter files a team keeps beside its data
(`data/input/hyperparameters.json`, the layout SageMaker mounts into a training job;
`data/configs/03_fe.json`, read by training and serving) were never read, because the walk skips
data/ but for its own Python files. They are read now, by name or by a config folder, two levels
down at most; a dataset's files are still never opened. The tests fail on the code before the
fix; the near miss passes on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

HYPERPARAMETERS = '{"depth": [6], "learning_rate": [0.06], "iterations": [15000]}\n'
FEATURES = '{"drop_columns": ["customerID"], "impute": "median", "scale": true}\n'


def test_a_hyperparameter_file_kept_beside_the_data_is_a_parameter_file(tmp_path):
    write(tmp_path, {"data/input/hyperparameters.json": HYPERPARAMETERS})
    result = checks(tmp_path)["repro.config-file"]
    assert result.outcome is Outcome.PASS
    assert result.evidence == ["data/input/hyperparameters.json:1"]


def test_a_config_folder_beside_the_data_holds_parameter_files(tmp_path):
    write(tmp_path, {"data/configs/03_fe.json": FEATURES})
    result = checks(tmp_path)["repro.config-file"]
    assert result.outcome is Outcome.PASS
    assert result.evidence == ["data/configs/03_fe.json:1"]


def test_a_dataset_beside_them_is_no_parameter_file(tmp_path):
    # near miss: JSON records of the data itself, in a folder not named for config
    write(tmp_path, {"data/raw/customers.json": '{"customerID": "7590", "tenure": 1}\n'})
    assert checks(tmp_path)["repro.config-file"].outcome is Outcome.FAIL

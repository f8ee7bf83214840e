"""Defect classes read from the eleventh held-out batch's misses once it joined the calibration
part, over-scores first: an Evidently service's config read as a parameter file, ...
Each test fails on the code before the fix; each reads a shape of a stack, not one repository's
files, and the near misses beside them pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

EVIDENTLY_SERVICE = """
    datasets:
      house_prices:
        column_mapping:
          categorical_features: [condition]
          numerical_features: [bedrooms]
          target:
        data_format:
          header: true
        monitors:
          - data_drift
    service:
      reference_path: ./reference.csv
      window_size: 5
      calculation_period_sec: 1
"""


def test_an_evidently_service_config_is_no_parameter_file(tmp_path):
    write(
        tmp_path,
        {
            "requirements.txt": "evidently\nscikit-learn\n",
            "server/monitoring_server/config.yaml": EVIDENTLY_SERVICE,
            "pipeline/train.py": "import joblib\njoblib.dump(model, 'model.pkl')\n",
        },
    )
    assert checks(tmp_path)["repro.config-file"].outcome is Outcome.FAIL


def test_a_config_with_datasets_and_training_parameters_is_a_parameter_file(tmp_path):
    # near miss: datasets beside the model's parameters, no monitors
    write(
        tmp_path,
        {
            "requirements.txt": "scikit-learn\n",
            "config.yaml": """
                datasets:
                  train: {path: data/train.csv}
                service:
                  port: 8080
                model:
                  n_estimators: 100
            """,
            "pipeline/train.py": "import joblib\njoblib.dump(model, 'model.pkl')\n",
        },
    )
    assert checks(tmp_path)["repro.config-file"].outcome is Outcome.PASS

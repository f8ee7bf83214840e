"""Defect classes read from the sixteenth held-out batch's reproducibility misses once it joined
the calibration part: a TOML configuration file (`config.toml`, `settings.toml`) not read at
all, so its parameters were no config file and its per-environment tables (Prefect 1's
`[docker.develop]`/`[docker.production]`, Dynaconf's `[development]`/`[production]`) no
environments, where the same file in YAML or JSON counts; and the version of the training data
logged as a parameter of the MLflow run that logs the model (`mlflow.log_param("dataset_version",
...)`) not read as the data version recorded with the model (only tags were).
Each test fails on the code before the fix; each reads a shape of a stack, not one repository's
files, and the near misses beside them pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

REQUIREMENTS = "scikit-learn==1.5.0\nprefect==1.4.1\n"
PER_ENVIRONMENT = """
    system_env = "$SYSTEM_ENV"
    image_name = "${docker.${system_env}.image_name}"

    [docker]
    \t[docker.common]
    \tdockerfile = "./Dockerfile"

    \t[docker.develop]
    \timage_name = "ctr/dev-flow"

    \t[docker.production]
    \timage_name = "ctr/prod-flow"

    [project]
    \t[project.develop]
    \tlabels = ["dev"]

    \t[project.production]
    \tlabels = ["prod"]
"""
DYNACONF = """
    [default]
    learning_rate = 0.01

    [development]
    bucket = "dev-bucket"

    [production]
    bucket = "prod-bucket"
"""
SINGLE = """
    [training]
    learning_rate = 0.01
    epochs = 10

    [test]
    batch_size = 64
"""
HUGO = """
    baseURL = "https://example.org/"
    title = "Churn model docs"
    theme = "ananke"

    [params]
    description = "docs"
"""


def test_a_toml_config_with_tables_per_environment_defines_environments(tmp_path):
    write(tmp_path, {"requirements.txt": REQUIREMENTS, "config.toml": PER_ENVIRONMENT})
    found = checks(tmp_path)
    assert found["repro.config-file"].outcome is Outcome.PASS
    assert found["repro.environments"].outcome is Outcome.PASS


def test_dynaconf_settings_with_environment_sections_define_environments(tmp_path):
    write(tmp_path, {"requirements.txt": REQUIREMENTS, "settings.toml": DYNACONF})
    assert checks(tmp_path)["repro.environments"].outcome is Outcome.PASS


def test_a_toml_parameter_file_without_environments_is_config_only(tmp_path):
    # near miss: parameters, one `test` table: a config file, not two environments
    write(tmp_path, {"requirements.txt": REQUIREMENTS, "configs/train.toml": SINGLE})
    found = checks(tmp_path)
    assert found["repro.config-file"].outcome is Outcome.PASS
    assert found["repro.environments"].outcome is Outcome.FAIL


def test_a_static_site_config_toml_sets_no_parameters(tmp_path):
    # near miss: Hugo's config.toml configures the documentation site
    write(tmp_path, {"requirements.txt": REQUIREMENTS, "config.toml": HUGO})
    assert checks(tmp_path)["repro.config-file"].outcome is Outcome.FAIL


TRAIN_LOGGING_DATA_VERSION = """
    import mlflow
    from sklearn.linear_model import LogisticRegression


    def log_dataset_manifest(manifest):
        mlflow.log_param("dataset_version", manifest["dataset_version"])
        mlflow.log_param("git_commit", manifest["git_commit"])


    def train(x, y, manifest):
        with mlflow.start_run():
            log_dataset_manifest(manifest)
            model = LogisticRegression().fit(x, y)
            mlflow.sklearn.log_model(model, "model", registered_model_name="churn")
"""
TRAIN_LOGGING_HYPERPARAMETERS = """
    import mlflow
    from sklearn.linear_model import LogisticRegression


    def train(x, y, params):
        with mlflow.start_run():
            mlflow.log_params({"C": params["C"], "dataset_path": params["path"]})
            model = LogisticRegression(C=params["C"]).fit(x, y)
            mlflow.sklearn.log_model(model, "model", registered_model_name="churn")
"""


def test_the_data_version_logged_as_a_run_parameter_is_recorded_with_the_model(tmp_path):
    write(tmp_path, {"requirements.txt": REQUIREMENTS, "src/train.py": TRAIN_LOGGING_DATA_VERSION})
    assert checks(tmp_path)["repro.data-lineage"].outcome is Outcome.PASS


def test_run_parameters_naming_no_data_version_record_none(tmp_path):
    # near miss: hyperparameters and the data's path, not its version
    write(
        tmp_path,
        {"requirements.txt": REQUIREMENTS, "src/train.py": TRAIN_LOGGING_HYPERPARAMETERS},
    )
    assert checks(tmp_path)["repro.data-lineage"].outcome is Outcome.FAIL

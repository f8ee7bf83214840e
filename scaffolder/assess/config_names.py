"""Whether a file is named as a run's parameter file, whatever its format (YAML, JSON, TOML):
`params.yaml`, `config.json`, `train_config.yml`, `hyperparameters.json`, `setting.yaml`, and the
copies a team commits for others to fill in (`pipeline_config.example.yaml`, `config.sample.json`).
The names live here for every format (`named_config` for JSON and TOML, the narrower
`named_run_config` for YAML, also every tool's format), so a template or a singular name is not
found in one format and missed in another."""

from __future__ import annotations

import re

CONFIG_STEM = re.compile(
    r"(^|[-_.])(config|settings?|params|parameters|hyperparameters)$|"
    r"^(params?|parameters|hyperparameters)([-_.]|$)"
)
# a committed template of the config (`config.example.yaml`) holds the same parameters
TEMPLATE_SUFFIX = re.compile(r"\.(example|sample|template|dist|default)$")


def config_stem(name: str) -> str:
    """`pipeline_config.example.yaml` -> `pipeline_config`."""
    stem = name.lower().rsplit(".", 1)[0] if "." in name else name.lower()
    return TEMPLATE_SUFFIX.sub("", stem)


def named_config(name: str) -> bool:
    return bool(CONFIG_STEM.search(config_stem(name)))


# YAML is also every tool's format (`inference_config.yml`, `services_config.yaml`,
# `policy_config.yaml` configure serving and hosts): a YAML file is a run's parameters by a
# name of its own (`params.yaml`, `setting.yaml`, `config.yaml`) or one naming the run
RUN_NAMES = {
    "params",
    "config",
    "setting",
    "settings",
    "pipeline",
    "parameters",
    "hyperparameters",
    "environments",
    "envs",
    "recipe",
    "params_config",
}
RUN_CONFIG = re.compile(
    r"^(train|training|pipeline|model|experiment|run|tuning|hpo|job)[-_]"
    r"(config|params|parameters|settings?)$"
)


def named_run_config(name: str) -> bool:
    stem = config_stem(name)
    return stem in RUN_NAMES or bool(RUN_CONFIG.match(stem))

"""The fixed choices and defaults of the built-in questions, importable without pydantic.

Kept in step with templates/copier.yml (a test checks they agree); the CLI's --help shows
them, so they must load in a few microseconds.
"""

from __future__ import annotations

LEVELS: tuple[int, ...] = (0, 1, 2, 3)
LEVEL_NAMES = {0: "manual process", 1: "ML pipeline automation", 2: "CI/CD for ML",
               3: "full automation"}  # fmt: skip
ORCHESTRATORS: tuple[str, ...] = ("airflow", "kubeflow", "both")
CI_PROVIDERS: tuple[str, ...] = ("github", "gitlab")
PYTHON_VERSIONS: tuple[str, ...] = ("3.10", "3.11", "3.12", "3.13", "3.14")
DATA_VERSIONING: tuple[str, ...] = ("dvc", "none")
FEATURE_STORES: tuple[str, ...] = ("feast", "none")
ENV_MANAGERS: tuple[str, ...] = ("uv", "pip")

DEFAULTS: dict[str, object] = {
    "level": 0,
    "orchestrator": "both",
    "ci": "github",
    "python_version": "3.11",
    "data_versioning": "dvc",
    "feature_store": "none",
}

# Questions asked only from a level on (their copier `when`); below it they are not recorded.
FROM_LEVEL: dict[str, int] = {
    "orchestrator": 1,
    "ci": 1,
    "data_versioning": 1,
    "feature_store": 2,
}

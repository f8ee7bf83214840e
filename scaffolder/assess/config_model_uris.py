"""Registry URIs a project configures rather than writes in code: `model_uri:
models:/churn@champion` in a YAML or JSON settings file per environment, `MODEL_URI=
models:/churn/Production` in an env file or a compose service's environment. A serving app
that loads with MLflow whatever URI its settings give it (checks/registry_resolution.py)
serves the version the registry marks."""

from __future__ import annotations

import re

from scaffolder.assess.models import Fact, Zone

CONFIG_SUFFIXES = (".yml", ".yaml", ".json", ".toml", ".env", ".cfg", ".ini")
# not a volume mapping (`./models:/app/models`, `$(pwd)/models:/opt/models`)
MODEL_URI = re.compile(r"(?<![\w./)$-])models:/[\w.\-{}$]+(?:@[\w.\-{}$]+|/[\w.\-{}$]+)")


def is_config_file(name: str, suffix: str) -> bool:
    """Settings files, and Dockerfiles (`ENV MODEL_URI=models:/churn@champion`)."""
    return (
        suffix in CONFIG_SUFFIXES
        or name.startswith(".env")
        or "dockerfile" in name.lower()
        or name == "Containerfile"
    )


def config_model_uris(text: str, path: str, zone: Zone) -> list[Fact]:
    """A `config.model_uri` fact per registry URI of an alias, stage or version in the
    project's own settings files (not docs, examples or tests)."""
    if zone is not Zone.SOURCE or "models:/" not in text:
        return []
    facts = []
    for number, line in enumerate(text.splitlines(), start=1):
        for match in MODEL_URI.finditer(line):
            facts.append(
                Fact(
                    kind="config.model_uri",
                    path=path,
                    line=number,
                    zone=zone,
                    detail={"uri": match.group(0)[:120]},
                )
            )
    return facts[:20]
